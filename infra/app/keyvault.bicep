// Key Vault holding the app's two secrets: the Workday integration system user's password, and the
// key of the personal-email hashes (EMAIL_HASH_KEY; docs/security.md says how to rotate it).
// RBAC authorization (no access policies); the app reads it through a Key Vault reference with
// Key Vault Secrets User on this secret alone (app/rbac.bicep).
@description('Key Vault name: 3-24 letters, digits and dashes.')
param name string
param location string
param tags object
@secure()
@description('The Workday password written to the secret on every provision.')
param workdayPassword string
@secure()
@description('The key of the personal-email hashes, generated once per azd environment by the preprovision hook (azure.yaml).')
param emailHashKey string
@description('False with PRIVATE_NETWORKING: only the private endpoint of app/network.bicep reaches the vault (Bicep still writes the secrets: that is the control plane).')
param publicNetworkAccess bool = true

var secretName = 'workday-password'
var emailHashKeySecretName = 'email-hash-key'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: publicNetworkAccess
      ? { defaultAction: 'Allow', bypass: 'AzureServices' }
      : { defaultAction: 'Deny', bypass: 'None' }
  }

  resource workdayPasswordSecret 'secrets' = {
    name: secretName
    properties: {
      value: workdayPassword
      contentType: 'Workday integration system user password'
    }
  }

  resource emailHashKeySecret 'secrets' = {
    name: emailHashKeySecretName
    properties: {
      value: emailHashKey
      contentType: 'HMAC key of the personal-email hashes in the ledger and the queue'
    }
  }
}

output name string = vault.name
output workdayPasswordSecretName string = secretName
// Versionless: the app picks up a rotated password without a redeploy (App Service re-reads
// Key Vault references within 24 hours, or at once on a restart).
output workdayPasswordSecretUri string = vault::workdayPasswordSecret.properties.secretUri
output emailHashKeySecretName string = emailHashKeySecretName
output emailHashKeySecretUri string = vault::emailHashKeySecret.properties.secretUri
