/**
 * Bearer tokens for Graph from a TokenCredential (managed identity in Azure), cached until
 * shortly before they expire and fetched once for any number of concurrent callers.
 */
import type { TokenCredential } from '@azure/identity';
import { AppError } from '../core/errors';
import { tokenClaims } from '../config/azureIdentity';

/** Renew this long before expiry, so no request leaves with a token about to lapse. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

export type TokenSource = () => Promise<string>;

/** `https://graph.microsoft.com/.default`; sovereign clouds follow GRAPH_BASE_URL's origin. */
export function graphScope(baseUrl: string): string {
  return `${new URL(baseUrl).origin}/.default`;
}

export function cachedTokenSource(
  credential: TokenCredential,
  scope: string,
  now: () => number = Date.now,
): TokenSource {
  let cached: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;

  const fetchToken = async (): Promise<string> => {
    let token: Awaited<ReturnType<TokenCredential['getToken']>>;
    try {
      token = await credential.getToken(scope);
    } catch (err) {
      // No identity is configured here: a retry will not help.
      const unavailable = isCredentialUnavailable(err);
      throw new AppError(
        'GRAPH.UNAVAILABLE',
        `Could not get a token for ${scope}: ${err instanceof Error ? err.message : String(err)}`,
        {
          transient: !unavailable,
          cause: err,
        },
      );
    }
    if (!token)
      throw new AppError('GRAPH.UNAVAILABLE', `The credential returned no token for ${scope}.`, { transient: true });
    const renewAt = Math.min(
      token.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY,
      token.expiresOnTimestamp - RENEW_BEFORE_EXPIRY_MS,
    );
    cached = { token: token.token, renewAt };
    return token.token;
  };

  return async () => {
    if (cached && now() < cached.renewAt) return cached.token;
    pending ??= fetchToken().finally(() => {
      pending = null;
    });
    return pending;
  };
}

/**
 * CredentialUnavailableError, or DefaultAzureCredential's AggregateAuthenticationError when every
 * credential of its chain was unavailable (no `az login`, no managed identity, no environment
 * credential): either way this machine holds no Azure identity, which is configuration, not an outage.
 */
export function isCredentialUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'CredentialUnavailableError') return true;
  const inner = (err as { errors?: unknown }).errors;
  return (
    err.name === 'AggregateAuthenticationError' &&
    Array.isArray(inner) &&
    inner.length > 0 &&
    inner.every((e) => e instanceof Error && e.name === 'CredentialUnavailableError')
  );
}

/**
 * The SDK's TokenCredentialAuthenticationProvider asks a TokenCredential for every request; this
 * one answers from the cached source, so the cache and its transient flags stay ours, and hands
 * each token to `onToken` (the adapter reads the app roles it carries).
 */
export function tokenCredentialOf(source: TokenSource, onToken: (token: string) => void = () => {}): TokenCredential {
  return {
    async getToken() {
      const token = await source();
      onToken(token);
      // The provider reads only `token`; the cache above decides when to renew.
      return { token, expiresOnTimestamp: Date.now() + RENEW_BEFORE_EXPIRY_MS };
    },
  };
}

/**
 * The application roles (`roles` claim) of an access token, or null when the token is not a JWT
 * or carries no such claim. Read only to tell an app-wide refusal from a per-user one; the
 * signature is Graph's business, not ours.
 */
export function appRolesOf(token: string): string[] | null {
  const { roles } = tokenClaims(token);
  return Array.isArray(roles) && roles.every((role) => typeof role === 'string') ? roles : null;
}
