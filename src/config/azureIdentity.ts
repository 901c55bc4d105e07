/**
 * The app's Azure identity, chosen one way everywhere (Graph, `check`, the CLI's run records,
 * telemetry ingestion): the user-assigned managed identity named by its client id when one is
 * configured, else DefaultAzureCredential (a system-assigned identity in Azure, `az login` on a
 * laptop). Microsoft, "Authenticate Azure-hosted JavaScript apps to Azure resources using a
 * user-assigned managed identity" and "DefaultAzureCredential overview".
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

export function azureCredential(clientId?: string): TokenCredential {
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

/**
 * The claims of an access token (a JWT's payload), unverified: the service it is for verifies it;
 * here it only shows what the token says (roles, who). Empty for a token that is not a JWT.
 */
export function tokenClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
