// Key Vault holding the one secret the app has: the Workday integration system user's password.
// RBAC authorization (no access policies); the app reads it through a Key Vault reference with
// Key Vault Secrets User on this secret alone (app/rbac.bicep).
@description('Key Vault name: 3-24 letters, digits and dashes.')
param name string
param location string
param tags object
@secure()
@description('The Workday password written to the secret on every provision.')
param workdayPassword string

var secretName = 'workday-password'

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
    publicNetworkAccess: 'Enabled'
  }

  resource workdayPasswordSecret 'secrets' = {
    name: secretName
    properties: {
      value: workdayPassword
      contentType: 'Workday integration system user password'
    }
  }
}

output name string = vault.name
output workdayPasswordSecretName string = secretName
// Versionless: the app picks up a rotated password without a redeploy (App Service re-reads
// Key Vault references within 24 hours, or at once on a restart).
output workdayPasswordSecretUri string = vault::workdayPasswordSecret.properties.secretUri
