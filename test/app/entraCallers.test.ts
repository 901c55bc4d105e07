/**
 * The HTTP routes' token check, against a loopback issuer that signs as Entra does: what it
 * accepts (v2.0 and v1.0 issuers, both audience forms, users and applications) and what it
 * refuses (another tenant or API, a token outside its lifetime, no object id, an unsigned token,
 * keys it cannot read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraCallerVerifier, OPERATOR_ROLES, type CallerVerifier } from '../../src/app/entraCallers';
import { startTokenIssuer, type TokenIssuer } from '../../sim/entra/tokenIssuer';

let issuer: TokenIssuer;
let verifier: CallerVerifier;
const ROLE = [OPERATOR_ROLES.resync];
const bearer = (token: string) => `Bearer ${token}`;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  issuer = await startTokenIssuer();
  verifier = createEntraCallerVerifier({
    tenantId: issuer.tenantId,
    clientId: issuer.clientId,
    authorityHost: issuer.authorityHost,
  });
});
afterAll(async () => issuer?.close());

describe('createEntraCallerVerifier', () => {
  it('names a user who holds the role by object id and display name', async () => {
    expect(await verifier.verify(bearer(issuer.token({ roles: ROLE })), ROLE)).toEqual({
      ok: true,
      caller: { source: 'entra', objectId: '6f1c2d3e-0000-4000-8000-00000000a11c', name: 'Alice Operator' },
      roles: ROLE,
    });
  });

  it('accepts the v1.0 issuer and the api:// audience', async () => {
    const token = issuer.token({
      roles: ROLE,
      iss: `https://sts.windows.net/${issuer.tenantId}/`,
      aud: `api://${issuer.clientId}`,
    });
    expect((await verifier.verify(bearer(token), ROLE)).ok).toBe(true);
  });

  it('names an application by its client id, and masks a user name that is an address', async () => {
    const app = await verifier.verify(
      bearer(issuer.token({ roles: ROLE, name: undefined, azp: 'c0ffee00-app' })),
      ROLE,
    );
    expect(app).toMatchObject({ ok: true, caller: { name: 'app c0ffee00-app' } });
    const user = await verifier.verify(
      bearer(issuer.token({ roles: ROLE, name: undefined, preferred_username: 'alice.operator@contoso.com' })),
      ROLE,
    );
    expect(user).toMatchObject({ ok: true, caller: { name: 'a***@contoso.com' } });
  });

  it.each([
    ['another tenant as issuer', { iss: 'https://login.microsoftonline.com/another-tenant/v2.0' }],
    ['another tenant id', { tid: 'another-tenant' }],
    ['another API as audience', { aud: 'api://another-api' }],
    ['an expired token', { exp: now() - 3600 }],
    ['a token not valid yet', { nbf: now() + 3600 }],
    ['no object id', { oid: undefined }],
  ])('refuses %s with 401', async (_case, claims) => {
    expect(await verifier.verify(bearer(issuer.token({ roles: ROLE, ...claims })), ROLE)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it('refuses an unsigned token (alg none) and a token signed by another key', async () => {
    const [, body] = issuer.token({ roles: ROLE }).split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body}.`;
    expect(await verifier.verify(bearer(unsigned), ROLE)).toMatchObject({ ok: false, status: 401 });
    expect(await verifier.verify(bearer(issuer.forgedToken({ roles: ROLE })), ROLE)).toMatchObject({ status: 401 });
  });

  it('refuses a valid token without the role with 403, and no token with 401', async () => {
    expect(await verifier.verify(bearer(issuer.token({ roles: [OPERATOR_ROLES.read] })), ROLE)).toMatchObject({
      status: 403,
    });
    expect(await verifier.verify(null, ROLE)).toMatchObject({ status: 401 });
    expect(await verifier.verify('Basic dXNlcjpwYXNz', ROLE)).toMatchObject({ status: 401 });
  });

  it('lets nobody through when the signing keys cannot be read', async () => {
    const blind = createEntraCallerVerifier({
      tenantId: issuer.tenantId,
      clientId: issuer.clientId,
      authorityHost: 'http://127.0.0.1:9',
    });
    expect(await blind.verify(bearer(issuer.token({ roles: ROLE })), ROLE)).toMatchObject({ ok: false, status: 401 });
  });
});
