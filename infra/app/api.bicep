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
param emailHashKeySecretUri string
param maximumInstanceCount int
param queueBatchSize int
@description('GRAPH_WRITE_HEADROOM_PERCENT: the share of the write ceiling left to the tenant\'s other writers.')
param graphWriteHeadroomPercent int
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
param workdayTimeoutSeconds int
@description('Client id of the app registration whose app roles (AttributeWriter.Resync, AttributeWriter.Read) admit callers of the HTTP routes; empty: every route call is refused.')
param operatorAppClientId string
@description('The job queue (storage.bicep creates it and its -poison queue); the queue triggers bind to it through WORKER_QUEUE_NAME.')
param workerQueueName string
@description('The subnet the app\'s outbound traffic leaves through (PRIVATE_NETWORKING); empty: none, Azure\'s shared outbound addresses.')
param virtualNetworkSubnetId string = ''

// Scale-out must not multiply the Graph write rate past Graph's ceiling of 3,000 writes per
// 150 s (20 writes/s) per app per tenant. It does not need dividing either: every writer of the
// deployment (each instance of the queue function, of the HTTP group for resync, and an
// operator's CLI) takes its writes from one shared budget, a write turn held by one process at a
// time in the runs table (src/state/sharedWriteBudget.ts, docs/performance.md). So
// GRAPH_MAX_WRITES_PER_SECOND is the deployment's whole ceiling whatever maximumInstanceCount is,
// and one busy instance writes at all of it. The timers (cycle, sweep) and the poison handler write
// nothing. Within an instance, jobs run together so their lookups and PATCHes share `$batch`
// requests (300 lookups or 20 writes per request). newBatchThreshold = batchSize: the host fetches
// the next batch once half of the at most 2 × batchSize jobs are done. With 0 (no second batch
// while one runs) every batch waited for its slowest job, and 32 jobs at a time could not supply
// 20 writes a second: one instance wrote at about 70 % of the ceiling (docs/performance.md). On top of the budget, the client honours Retry-After (pausing every sender)
// and backs off on x-ms-throttle-limit-percentage above 100 %, so another app's load in the tenant
// is absorbed; GRAPH_WRITE_HEADROOM_PERCENT leaves part of the ceiling to it ahead of time.
var queueConcurrency = {
  AzureFunctionsJobHost__extensions__queues__batchSize: string(queueBatchSize)
  AzureFunctionsJobHost__extensions__queues__newBatchThreshold: string(queueBatchSize)
  GRAPH_MAX_WRITES_PER_SECOND: '20'
  GRAPH_WRITE_HEADROOM_PERCENT: string(graphWriteHeadroomPercent)
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
  EMAIL_HASH_KEY: '@Microsoft.KeyVault(SecretUri=${emailHashKeySecretUri})'
  GRAPH_BASE_URL: graphBaseUrl
  GRAPH_AUTH: 'azure'
  AZURE_CLIENT_ID: identityClientId
  ENRICH_SCHEDULE: enrichSchedule
  ESCROW_SWEEP_SCHEDULE: escrowSweepSchedule
  DRY_RUN: dryRun ? 'true' : 'false'
  TABLE_PREFIX: tablePrefix
  WORKER_QUEUE_NAME: workerQueueName
  WORKDAY_TIMEOUT_SECONDS: string(workdayTimeoutSeconds)
  // The routes validate Entra tokens themselves: Easy Auth is not supported on Flex Consumption.
  AUTH_TENANT_ID: tenant().tenantId
  AUTH_CLIENT_ID: operatorAppClientId
  AUTH_AUTHORITY_HOST: environment().authentication.loginEndpoint
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
    // As Microsoft's Flex Consumption quickstarts integrate the app: storage, Key Vault and Workday through the VNet.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
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
