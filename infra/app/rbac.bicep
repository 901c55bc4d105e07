// Every Azure role the app's identity holds, each on the narrowest scope that works.
// (Microsoft Graph app roles are not Azure roles: infra/grant-graph-permissions.sh grants them.)
param identityPrincipalId string
param storageAccountName string
param applicationInsightsName string
param keyVaultName string
param workdayPasswordSecretName string
param emailHashKeySecretName string
@description('Optional operator (user or group) object id; empty grants nothing.')
param operatorPrincipalId string

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

// Blob Data Owner, not Contributor: the Functions host manages blob leases for timer triggers
// and Flex Consumption reads the deployment package with this identity.
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

// An operator's CLI drains the queue and reads the tables; it never needs blobs.
var operatorRoles = [
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName

  resource workdayPasswordSecret 'secrets' existing = {
    name: workdayPasswordSecretName
  }

  resource emailHashKeySecret 'secrets' existing = {
    name: emailHashKeySecretName
  }
}

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoles: {
  name: guid(storage.id, identityPrincipalId, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

// Entra-authenticated ingestion into Application Insights (local auth is disabled).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Scoped to the one secret, not the vault: the identity can read the Workday password and nothing else.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault::workdayPasswordSecret.id, identityPrincipalId, roles.keyVaultSecretsUser)
  scope: vault::workdayPasswordSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The hash key: the app reads it, and so does the operator, whose CLI runs against the same tables
// and must hash as the app does.
resource hashKeyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault::emailHashKeySecret.id, identityPrincipalId, roles.keyVaultSecretsUser)
  scope: vault::emailHashKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource operatorHashKeyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault::emailHashKeySecret.id, operatorPrincipalId, roles.keyVaultSecretsUser)
  scope: vault::emailHashKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: operatorPrincipalId
  }
}

resource operatorAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in operatorRoles: if (!empty(operatorPrincipalId)) {
  name: guid(storage.id, operatorPrincipalId, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: operatorPrincipalId
  }
}]
