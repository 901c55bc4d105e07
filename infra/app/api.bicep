// The function app on the Flex Consumption plan (Node 22, Linux), running as the user-assigned
// identity, with every app setting the code reads in Azure (src/config/settings.ts).
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param workdayPasswordSecretUri string
param maximumInstanceCount int
param queueBatchSize int
param instanceMemoryMB int
param connectorConfigPath string
param workdayRaasUrl string
param workdaySoapUrl string
param workdayUsername string
param graphBaseUrl string
param enrichSchedule string
param escrowSweepSchedule string
param dryRun bool
param tablePrefix string

// Scale-out must not multiply the Graph write rate past Graph's ceiling of 3,000 writes per
// 150 s (20 writes/s) per app per tenant. Every Graph write comes from one worker's job (a queue
// message, or a resync request an operator sends by hand), so the writes in flight are bounded
// by the jobs in flight:
//   jobs in flight    = maximumInstanceCount x batchSize (newBatchThreshold 0: no second batch
//                       is fetched while one runs) = 2 x 1 = 2 with the defaults
//   writes per job   <= 2 (the PATCH, plus the SSPR email method when authenticationEmail is mapped)
//   time per job     >= 0.2 s (a lookup, then a PATCH: two sequential Graph round trips)
//   writes per second <= 2 x 2 / 0.2 = 20 at the very worst; about 2 x 1 / 0.3 = 7 with the
//                       usual one write per job (a 500-write cycle drains in ~75 s).
// maximumInstanceCount counts every instance of the app (queue, timer and HTTP groups together),
// so the queue can never run on more. The Graph client still honours Retry-After and paces on
// x-ms-throttle-limit-percentage; this bound keeps it from having to. Raise either value only
// with this arithmetic redone.
var queueConcurrency = {
  AzureFunctionsJobHost__extensions__queues__batchSize: string(queueBatchSize)
  AzureFunctionsJobHost__extensions__queues__newBatchThreshold: '0'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Settings the code reads (src/config/settings.ts) and the host needs. No keys, no connection
// strings: storage and ingestion use the identity, the password is a Key Vault reference.
// test/infra/appSettings.test.ts checks this object against SETTING_NAMES.
var appSettings = union(queueConcurrency, {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  CONNECTOR_CONFIG: connectorConfigPath
  WORKDAY_RAAS_URL: workdayRaasUrl
  WORKDAY_SOAP_URL: workdaySoapUrl
  WORKDAY_USERNAME: workdayUsername
  WORKDAY_PASSWORD: '@Microsoft.KeyVault(SecretUri=${workdayPasswordSecretUri})'
  GRAPH_BASE_URL: graphBaseUrl
  GRAPH_AUTH: 'azure'
  AZURE_CLIENT_ID: identityClientId
  ENRICH_SCHEDULE: enrichSchedule
  ESCROW_SWEEP_SCHEDULE: escrowSweepSchedule
  DRY_RUN: dryRun ? 'true' : 'false'
  TABLE_PREFIX: tablePrefix
})

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd deploys the `api` service of azure.yaml to the resource carrying this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve as the user-assigned identity (the default is system-assigned).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
