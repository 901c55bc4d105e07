// entra-attribute-writer: everything `azd up` provisions, in one resource group.
// Modules in ./app; the KQL of the workbook and alerts in ./kql (loaded with loadTextContent so
// the tests in test/infra can read the same text). Every parameter is set in main.parameters.json
// from the azd environment (`azd env set NAME value`); docs/deploy.md explains each one.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment (AZURE_ENV_NAME). Names the resource group (rg-<name>) and seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (AZURE_LOCATION). It must offer the Flex Consumption plan: `az functionapp list-flexconsumption-locations -o table`.')
@metadata({ azd: { type: 'location' } })
param location string

@description('WORKDAY_RAAS_URL: the RaaS report URL (JSON format) when connector.json has source.kind "raas". Leave empty for a SOAP source.')
param workdayRaasUrl string = ''

@description('WORKDAY_SOAP_URL: the Human_Resources endpoint when connector.json has source.kind "soap", e.g. https://<host>/ccx/service/<tenant>/Human_Resources/v44.2. Leave empty for a RaaS source.')
param workdaySoapUrl string = ''

@minLength(1)
@description('WORKDAY_USERNAME: the Workday integration system user, as Workday expects it (e.g. ISU_Entra@contoso).')
param workdayUsername string

@secure()
@minLength(1)
@description('The integration system user\'s password. Stored only in Key Vault (secret "workday-password"); the app setting WORKDAY_PASSWORD holds a Key Vault reference, never the value. azd asks for it and keeps the answer under .azure/ (git-ignored).')
param workdayPassword string

@secure()
@minLength(32)
@description('EMAIL_HASH_KEY: the key of the personal-email hashes in the tables and the queue, stored only in Key Vault (secret "email-hash-key"). The preprovision hook (azure.yaml) generates it once per azd environment; changing it is a rotation (docs/security.md).')
param emailHashKey string

@description('GRAPH_BASE_URL: Microsoft Graph without a version segment. Change only for a national cloud (e.g. https://graph.microsoft.us).')
param graphBaseUrl string = 'https://graph.microsoft.com'

@description('CONNECTOR_CONFIG: path of the connector file inside the deployed package, relative to the app root. connector.json at the repository root is deployed with the app.')
param connectorConfigPath string = 'connector.json'

@description('ENRICH_SCHEDULE: six-field NCRONTAB schedule of the full enrichment cycle, in UTC (Flex Consumption does not support WEBSITE_TIME_ZONE).')
param enrichSchedule string = '0 */30 * * * *'

@minValue(1)
@maxValue(1440)
@description('The longest gap, in minutes, between two cycles that ENRICH_SCHEDULE allows (30 for every 30 minutes). The "no successful cycle" alert fires after twice this.')
param enrichIntervalMinutes int = 30

@description('ESCROW_SWEEP_SCHEDULE: six-field NCRONTAB schedule of the escrow sweep, which retries workers whose user did not exist yet.')
param escrowSweepSchedule string = '0 */1 * * * *'

@description('DRY_RUN: true plans and reports every change but writes nothing to Graph. Keep true for the first deployment; set false (`azd env set DRY_RUN false && azd provision`) once the dry run reads right.')
param dryRun bool = true

@minValue(1)
@maxValue(10)
@description('Flex Consumption maximumInstanceCount: the most on-demand instances of each function group (the queue function and the HTTP group each, not the whole app). However many run, they take their writes from one shared budget of Graph\'s 20 writes/s (see app/api.bicep).')
param maximumInstanceCount int = 2

@minValue(1)
@maxValue(32)
@description('How many queue messages (workers) one instance fetches at a time (host.json extensions.queues.batchSize, set as an app setting; newBatchThreshold is the same, so an instance runs up to twice this many jobs at once). Concurrent jobs share $batch requests; the write rate is the deployment\'s, shared by every instance.')
param queueBatchSize int = 32

@minValue(0)
@maxValue(90)
@description('GRAPH_WRITE_HEADROOM_PERCENT: the share of Graph\'s 20 writes/s per app that the deployment leaves to the tenant\'s other writers (the tenant-wide bucket of 18,000 writes per 5 min is shared with every app). 0 takes the whole per-app ceiling, which is a third of the tenant-wide bucket.')
param graphWriteHeadroomPercent int = 0

@minValue(5)
@maxValue(300)
@description('WORKDAY_TIMEOUT_SECONDS: how long Workday may stay silent, before answering or between two parts of an answer, before the call is retried.')
param workdayTimeoutSeconds int = 120

@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@description('Where alert e-mails go (an operators\' distribution list). Empty: the alerts fire in the portal only.')
param alertEmailAddress string = ''

@minValue(1)
@description('The "escrow too old" alert fires when a worker has waited this many hours for its Entra user. Workday-to-AD provisioning runs about every 40 minutes and Cloud Sync every 2, so the user of a new hire normally appears within an hour or so.')
param escrowAlertAgeHours int = 24

@minValue(1)
@description('The "denied rising" alert fires when this many more workers were denied in the last 24 hours than in the 24 hours before.')
param deniedRiseThreshold int = 5

@minValue(1)
@description('The "rejected rising" alert fires when this many more workers were rejected for their Workday data in the last 24 hours than in the 24 hours before.')
param rejectedRiseThreshold int = 10

@minValue(5)
@maxValue(1440)
@description('The "app not running" alert fires when no run of any kind completed for this many minutes. Keep it above the ESCROW_SWEEP_SCHEDULE interval (every minute by default).')
param silentAfterMinutes int = 15

@description('Object id of an operator (user or group) who runs `attribute-writer` from their machine against this deployment\'s storage. Gets Storage Queue and Table Data Contributor, nothing else. Empty: no human access.')
param operatorPrincipalId string = ''

@description('Client id of the app registration that defines the HTTP routes\' app roles (AttributeWriter.Resync, AttributeWriter.Read, AttributeWriter.Approve); infra/register-operator-app.sh creates it. Empty: the routes refuse every call.')
param operatorAppClientId string = ''

@description('PRIVATE_NETWORKING: VNet integration with a NAT gateway (one fixed outbound IP to allow-list in Workday, output as WORKDAY_ALLOWLIST_IP) and private endpoints for storage and Key Vault, which then refuse public network traffic. Off by default: without it the app has no fixed outbound address. See docs/workday.md.')
param privateNetworking bool = false

@minValue(30)
@maxValue(730)
@description('Days Log Analytics keeps the logs and telemetry.')
param logRetentionDays int = 30

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
// The job queue, created here and given to the app as WORKER_QUEUE_NAME, which the queue triggers
// bind to (its default is JOB_QUEUE in src/config/settings.ts; a test keeps them equal).
var queueName = 'worker-jobs'
var tablePrefix = 'attrwriter'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    queueName: queueName
    publicNetworkAccess: !privateNetworking
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    workdayPassword: workdayPassword
    emailHashKey: emailHashKey
    publicNetworkAccess: !privateNetworking
  }
}

module network 'app/network.bicep' = if (privateNetworking) {
  name: 'network'
  scope: rg
  params: {
    location: location
    tags: tags
    namePrefix: resourceToken
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    workdayPasswordSecretName: keyVault.outputs.workdayPasswordSecretName
    emailHashKeySecretName: keyVault.outputs.emailHashKeySecretName
    operatorPrincipalId: operatorPrincipalId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  // The app starts reading storage, Key Vault and ingestion at once: grant first.
  dependsOn: [rbac]
  params: {
    name: 'func-api-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    workdayPasswordSecretUri: keyVault.outputs.workdayPasswordSecretUri
    emailHashKeySecretUri: keyVault.outputs.emailHashKeySecretUri
    maximumInstanceCount: maximumInstanceCount
    queueBatchSize: queueBatchSize
    graphWriteHeadroomPercent: graphWriteHeadroomPercent
    instanceMemoryMB: instanceMemoryMB
    connectorConfigPath: connectorConfigPath
    workdayRaasUrl: workdayRaasUrl
    workdaySoapUrl: workdaySoapUrl
    workdayUsername: workdayUsername
    graphBaseUrl: graphBaseUrl
    enrichSchedule: enrichSchedule
    escrowSweepSchedule: escrowSweepSchedule
    dryRun: dryRun
    tablePrefix: tablePrefix
    operatorAppClientId: operatorAppClientId
    workerQueueName: queueName
    workdayTimeoutSeconds: workdayTimeoutSeconds
    virtualNetworkSubnetId: privateNetworking ? network.outputs.appSubnetId : ''
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    displayName: 'Entra attribute writer (${environmentName})'
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    namePrefix: 'attrwriter-${environmentName}'
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    alertEmailAddress: alertEmailAddress
    escrowAlertAgeHours: escrowAlertAgeHours
    deniedRiseThreshold: deniedRiseThreshold
    rejectedRiseThreshold: rejectedRiseThreshold
    enrichIntervalMinutes: enrichIntervalMinutes
    silentAfterMinutes: silentAfterMinutes
  }
}

// azd writes these to .azure/<env>/.env: the grant script and an operator's CLI read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
@description('Object id of the app\'s managed identity: infra/grant-graph-permissions.sh grants it the Graph app roles.')
output API_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output API_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output AzureWebJobsStorage__queueServiceUri string = storage.outputs.queueServiceUri
output AzureWebJobsStorage__tableServiceUri string = storage.outputs.tableServiceUri
output TABLE_PREFIX string = tablePrefix
// The address to allow-list in Workday (PRIVATE_NETWORKING); empty without it: Flex Consumption
// has no fixed outbound address of its own.
output WORKDAY_ALLOWLIST_IP string = privateNetworking ? network.outputs.outboundIpAddress : ''
