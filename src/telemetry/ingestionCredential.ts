/**
 * Application Insights with local authentication disabled accepts only Entra-authenticated
 * ingestion. The Functions host reads `APPLICATIONINSIGHTS_AUTHENTICATION_STRING`
 * (`Authorization=AAD;ClientId=<managed identity client id>`); the in-process exporter does not,
 * so the same string is read here and turned into the credential the exporter needs.
 */
import type { TokenCredential } from '@azure/identity';
import { azureCredential } from '../config/azureIdentity';

export interface IngestionAuthentication {
  /** `Authorization=AAD`: ingestion must carry an Entra token. */
  entra: boolean;
  /** The user-assigned identity to sign in as; absent means the default credential chain. */
  clientId?: string;
}

/** Parses `Authorization=AAD;ClientId=…` (keys case-insensitive, order free). */
export function parseAuthenticationString(value: string | undefined): IngestionAuthentication {
  const pairs = new Map<string, string>();
  for (const part of (value ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) pairs.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const entra = (pairs.get('authorization') ?? '').toUpperCase() === 'AAD';
  const clientId = pairs.get('clientid');
  return clientId ? { entra, clientId } : { entra };
}

/** The credential for Entra ingestion, or undefined when the string does not ask for it. */
export function ingestionCredential(authenticationString: string | undefined): TokenCredential | undefined {
  const auth = parseAuthenticationString(authenticationString);
  if (!auth.entra) return undefined;
  return azureCredential(auth.clientId);
}
