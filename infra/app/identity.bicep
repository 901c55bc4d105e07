// The app's one identity: storage, Key Vault, ingestion and Microsoft Graph all see this
// user-assigned managed identity. User-assigned, so it exists before the app and its Graph
// app roles survive a re-created function app.
@description('Name of the user-assigned managed identity.')
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
