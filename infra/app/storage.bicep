// The app's storage: the Functions host (timers, deployment package), the job queue, and the
// escrow, ledger and run-history tables. Shared keys are disabled: every caller signs in with
// Entra ID (the app with its managed identity), so there is no connection string to leak.
@description('Storage account name: 3-24 lower-case letters and digits.')
param name string
param location string
param tags object
@description('The job queue; its poison queue is <name>-poison, where the host moves a job after its last retry.')
param queueName string
@description('False with PRIVATE_NETWORKING: only the private endpoints of app/network.bicep reach the account.')
param publicNetworkAccess bool = true

var deploymentContainerName = 'deploymentpackage'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: publicNetworkAccess
      ? { defaultAction: 'Allow', bypass: 'AzureServices' }
      : { defaultAction: 'Deny', bypass: 'None' }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    // Flex Consumption deploys the app package here (functionAppConfig.deployment.storage).
    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'

    // Created here so both queue triggers listen from their first start.
    resource jobQueue 'queues' = {
      name: queueName
    }

    resource poisonQueue 'queues' = {
      name: '${queueName}-poison'
    }
  }
}

output name string = storage.name
output id string = storage.id
output deploymentContainerName string = deploymentContainerName
output blobServiceUri string = storage.properties.primaryEndpoints.blob
output queueServiceUri string = storage.properties.primaryEndpoints.queue
output tableServiceUri string = storage.properties.primaryEndpoints.table
