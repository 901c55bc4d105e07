/**
 * A stand-in for the Microsoft Entra token issuer: one RSA signing key, its JWKS served on
 * loopback at `<host>/<tenant>/discovery/v2.0/keys` as Entra serves it, and access tokens signed
 * with it as Entra issues them (v2.0 issuer, `aud`, `oid`, `roles`). The app validates these
 * exactly as it validates Entra's, through AUTH_AUTHORITY_HOST.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenIssuer {
  authorityHost: string;
  tenantId: string;
  /** The API's app registration (the tokens' audience). */
  clientId: string;
  /** AUTH_TENANT_ID, AUTH_CLIENT_ID and AUTH_AUTHORITY_HOST pointing at this issuer. */
  settings: Record<string, string>;
  /** A signed access token; `claims` override or add to an operator's (name, oid, roles none). */
  token(claims?: Record<string, unknown>): string;
  /** A token signed by a key this issuer does not publish. */
  forgedToken(claims?: Record<string, unknown>): string;
  close(): Promise<void>;
}

export const OPERATOR = { oid: '6f1c2d3e-0000-4000-8000-00000000a11c', name: 'Alice Operator' } as const;

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const kid = randomUUID();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });
  const server: Server = createServer((request, response) => {
    if (request.url === `/${tenantId}/discovery/v2.0/keys`) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const authorityHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mint = (key: KeyObject, claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const body = {
      iss: `${authorityHost}/${tenantId}/v2.0`,
      aud: clientId,
      tid: tenantId,
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...OPERATOR,
      ...claims,
    };
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(body)}`;
    return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), key).toString('base64url')}`;
  };
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return {
    authorityHost,
    tenantId,
    clientId,
    settings: { AUTH_TENANT_ID: tenantId, AUTH_CLIENT_ID: clientId, AUTH_AUTHORITY_HOST: authorityHost },
    token: (claims = {}) => mint(privateKey, claims),
    forgedToken: (claims = {}) => mint(stranger, claims),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let shared: Promise<TokenIssuer> | undefined;

/** One issuer per process, shared by the scenarios and the HTTP tests of that process. */
export function sharedTokenIssuer(): Promise<TokenIssuer> {
  shared ??= startTokenIssuer();
  return shared;
}
