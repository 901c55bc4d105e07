// The optional private network (PRIVATE_NETWORKING=true), shaped as Microsoft's Flex Consumption
// quickstarts do it (Azure-Samples/functions-quickstart-typescript-azd, infra/app/vnet.bicep):
// the app's outbound traffic leaves through a subnet delegated to Microsoft.App/environments, a
// NAT gateway gives it one fixed public IP (the address to allow-list in Workday: without it a
// Flex Consumption app has no fixed outbound address), and storage and Key Vault are reached
// through private endpoints, so both can refuse public network traffic.
param location string
param tags object
param namePrefix string
@description('The storage account whose blob, queue and table endpoints become private.')
param storageAccountName string
@description('The Key Vault whose endpoint becomes private.')
param keyVaultName string

var vnetName = 'vnet-${namePrefix}'
var appSubnetName = 'app'
var privateEndpointSubnetName = 'private-endpoints'
var storageServices = ['blob', 'queue', 'table']
// Private DNS zones as "Azure Private Endpoint private DNS zone values" lists them.
var storageZones = [for service in storageServices: 'privatelink.${service}.${environment().suffixes.storage}']
var keyVaultZone = 'privatelink.vaultcore.azure.net'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// Standard SKU, static: the address Workday sees for every call the app makes.
resource outboundIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = {
  name: 'pip-${namePrefix}-outbound'
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource natGateway 'Microsoft.Network/natGateways@2024-05-01' = {
  name: 'ng-${namePrefix}'
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [{ id: outboundIp.id }]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: ['10.0.0.0/16'] }
    subnets: [
      {
        name: privateEndpointSubnetName
        properties: {
          addressPrefixes: ['10.0.1.0/27']
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
      {
        name: appSubnetName
        properties: {
          // Flex Consumption: a /26 holds the instances of every function group at the maximum the Bicep allows.
          addressPrefixes: ['10.0.2.0/26']
          delegations: [
            {
              name: 'flex-consumption'
              properties: { serviceName: 'Microsoft.App/environments' }
            }
          ]
          natGateway: { id: natGateway.id }
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: appSubnetName
  }

  resource privateEndpointSubnet 'subnets' existing = {
    name: privateEndpointSubnetName
  }
}

resource storageDnsZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for zone in storageZones: {
  name: zone
  location: 'global'
  tags: tags
}]

resource storageDnsLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (zone, i) in storageZones: {
  parent: storageDnsZones[i]
  name: vnetName
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: { id: vnet.id }
  }
}]

resource storageEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [for (service, i) in storageServices: {
  name: 'pe-${namePrefix}-${service}'
  location: location
  tags: tags
  properties: {
    subnet: { id: vnet::privateEndpointSubnet.id }
    privateLinkServiceConnections: [
      {
        name: service
        properties: {
          privateLinkServiceId: storage.id
          groupIds: [service]
        }
      }
    ]
  }
}]

resource storageEndpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [for (service, i) in storageServices: {
  parent: storageEndpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: service
        properties: { privateDnsZoneId: storageDnsZones[i].id }
      }
    ]
  }
}]

resource keyVaultDnsZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: keyVaultZone
  location: 'global'
  tags: tags
}

resource keyVaultDnsLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: keyVaultDnsZone
  name: vnetName
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: { id: vnet.id }
  }
}

resource keyVaultEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: 'pe-${namePrefix}-vault'
  location: location
  tags: tags
  properties: {
    subnet: { id: vnet::privateEndpointSubnet.id }
    privateLinkServiceConnections: [
      {
        name: 'vault'
        properties: {
          privateLinkServiceId: vault.id
          groupIds: ['vault']
        }
      }
    ]
  }
}

resource keyVaultEndpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: keyVaultEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'vault'
        properties: { privateDnsZoneId: keyVaultDnsZone.id }
      }
    ]
  }
}

output appSubnetId string = vnet::appSubnet.id
@description('The fixed public IP of every outbound call: allow-list it in Workday.')
output outboundIpAddress string = outboundIp.properties.ipAddress
