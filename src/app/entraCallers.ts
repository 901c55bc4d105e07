/**
 * Who calls the HTTP routes: a Microsoft Entra access token, validated here in the app.
 *
 * Why not App Service built-in authentication ("Easy Auth") and its X-MS-CLIENT-PRINCIPAL header:
 * Microsoft's page "Azure Functions Flex Consumption plan hosting"
 * (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations) says
 * Easy Auth is not supported on Flex Consumption and that unauthenticated callers are not blocked
 * when it is enabled there. A header the platform does not strip could be sent by anyone, so the
 * app trusts nothing but a token it verified itself.
 *
 * The checks follow "Access tokens in the Microsoft identity platform" (Validate tokens) and the
 * "Access token claims reference": an RS256 signature by a key of the tenant's JWKS
 * (`<authority>/<tenant>/discovery/v2.0/keys`), the tenant's issuer (v2.0 or v1.0 form), this
 * API as audience (its client id or `api://<client id>`), and the token's lifetime. App roles
 * arrive in the `roles` claim, for users and for applications alike.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { maskPersonalData } from '../core/mask';
import type { Requester } from '../core/ports';

export const OPERATOR_ROLES = {
  resync: 'AttributeWriter.Resync',
  read: 'AttributeWriter.Read',
  /** Lets a held cycle's mass change through: its own role, since one approval writes many reset channels. */
  approve: 'AttributeWriter.Approve',
} as const;

export interface EntraAuthSettings {
  tenantId: string;
  /** The client id of the app registration that exposes the app roles (the token's audience). */
  clientId: string;
  /** `https://login.microsoftonline.com` (or a sovereign cloud's, or a loopback issuer in tests). */
  authorityHost: string;
}

export type CallerCheck =
  | { ok: true; caller: Requester; roles: readonly string[] }
  | { ok: false; status: 401 | 403; reason: string };

export interface CallerVerifier {
  /** The caller of a request, from its Authorization header, if it holds one of `roles`. */
  verify(authorization: string | null, roles: readonly string[]): Promise<CallerCheck>;
}

/** Tokens are accepted this long after `exp` and before `nbf`: clocks of two machines differ. */
const CLOCK_SKEW_SECONDS = 300;
/** Entra rolls its signing keys over days; an unknown `kid` refetches, at most this often. */
const KEYS_REFRESH_MS = 5 * 60_000;
const KEYS_MAX_AGE_MS = 24 * 3_600_000;
/** After a failed fetch, callers are refused for this long without asking again (no request storm). */
const KEYS_RETRY_MS = 30_000;

export function createEntraCallerVerifier(settings: EntraAuthSettings, now: () => number = Date.now): CallerVerifier {
  const host = settings.authorityHost.replace(/\/+$/, '');
  const issuers = [`${host}/${settings.tenantId}/v2.0`, `https://sts.windows.net/${settings.tenantId}/`];
  const audiences = [settings.clientId, `api://${settings.clientId}`];
  const keys = signingKeys(`${host}/${settings.tenantId}/discovery/v2.0/keys`, now);

  return {
    async verify(authorization, roles) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!token) return refuse(401, 'a Microsoft Entra access token is required (Authorization: Bearer …)');
      const parts = token.split('.');
      if (parts.length !== 3) return refuse(401, 'the bearer token is not a JWT');
      const header = decodePart(parts[0]!);
      const claims = decodePart(parts[1]!);
      if (!header || !claims) return refuse(401, 'the bearer token is not a JWT');
      if (header.alg !== 'RS256' || typeof header.kid !== 'string')
        return refuse(401, 'the token is not signed with RS256 and a key id');
      const key = await keys.get(header.kid);
      if (!key)
        return refuse(401, "the token is not signed by a key of the tenant (or the tenant's keys could not be read)");
      const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
      if (!verify('RSA-SHA256', signed, key, Buffer.from(parts[2]!, 'base64url')))
        return refuse(401, 'the token signature does not verify');
      const problem = claimProblem(claims, { issuers, audiences, tenantId: settings.tenantId, now: now() / 1000 });
      if (problem) return refuse(401, problem);
      const held = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
      if (!roles.some((role) => held.includes(role)))
        return refuse(403, `the caller holds none of the app roles this route needs (${roles.join(' or ')})`);
      return { ok: true, caller: requesterOf(claims), roles: held };
    },
  };
}

function refuse(status: 401 | 403, reason: string): CallerCheck {
  return { ok: false, status, reason };
}

type Claims = Record<string, unknown>;

function decodePart(part: string): Claims | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Claims) : null;
  } catch {
    return null;
  }
}

function claimProblem(
  claims: Claims,
  expected: { issuers: string[]; audiences: string[]; tenantId: string; now: number },
): string | null {
  if (typeof claims.iss !== 'string' || !expected.issuers.includes(claims.iss))
    return "the token's issuer is not this tenant";
  if (claims.tid !== undefined && claims.tid !== expected.tenantId) return "the token's tenant is not this tenant";
  if (typeof claims.aud !== 'string' || !expected.audiences.includes(claims.aud))
    return 'the token is not for this API (audience)';
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < expected.now) return 'the token has expired';
  if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > expected.now)
    return 'the token is not valid yet';
  if (typeof claims.oid !== 'string' || claims.oid === '') return 'the token names no object id (oid)';
  return null;
}

/** A person by display name; an application by its client id. A user name is masked like any address. */
function requesterOf(claims: Claims): Requester {
  const text = (name: string) => (typeof claims[name] === 'string' && claims[name] !== '' ? claims[name] : null);
  const app = text('appid') ?? text('azp');
  const userName = text('preferred_username') ?? text('upn') ?? text('unique_name');
  const name =
    text('name') ?? (userName ? maskPersonalData(userName) : null) ?? (app ? `app ${app}` : 'unnamed principal');
  return { source: 'entra', objectId: claims.oid as string, name: name.slice(0, 128) };
}

/** The tenant's signing keys by `kid`, fetched on first use and again for a key not yet seen. */
function signingKeys(url: string, now: () => number): { get(kid: string): Promise<KeyObject | null> } {
  let cache = new Map<string, KeyObject>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let failedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | null = null;
  const refresh = async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`the signing keys answered HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: Array<JsonWebKey & { kid?: string; use?: string }> };
    const next = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use && jwk.use !== 'sig')) continue;
      next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    cache = next;
    fetchedAt = now();
  };
  return {
    async get(kid) {
      const stale = now() - fetchedAt > KEYS_MAX_AGE_MS;
      const unknownAndDue = !cache.has(kid) && now() - fetchedAt > KEYS_REFRESH_MS;
      if ((stale || unknownAndDue) && now() - failedAt > KEYS_RETRY_MS) {
        pending ??= refresh()
          .catch((err: unknown) => {
            failedAt = now();
            throw err;
          })
          .finally(() => {
            pending = null;
          });
        // Keys that cannot be fetched verify nothing: the caller is refused, never let through.
        await pending.catch(() => undefined);
      }
      return cache.get(kid) ?? null;
    },
  };
}
