import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { appRolesOf, cachedTokenSource, graphScope } from '../../src/graph/graphToken';

function countingCredential(lifetimeMs: number, now: () => number) {
  const scopes: string[] = [];
  const credential: TokenCredential = {
    async getToken(scope): Promise<AccessToken> {
      scopes.push(String(scope));
      return { token: `token-${scopes.length}`, expiresOnTimestamp: now() + lifetimeMs };
    },
  };
  return { credential, scopes };
}

describe('graphScope', () => {
  it('is the .default scope of the public cloud', () => {
    expect(graphScope('https://graph.microsoft.com')).toBe('https://graph.microsoft.com/.default');
  });

  it("follows a sovereign cloud's origin", () => {
    expect(graphScope('https://graph.microsoft.us/')).toBe('https://graph.microsoft.us/.default');
  });
});

describe('cachedTokenSource', () => {
  it('reuses a token until five minutes before it expires', async () => {
    let now = 0;
    const { credential, scopes } = countingCredential(60 * 60_000, () => now);
    const token = cachedTokenSource(credential, 'https://graph.microsoft.com/.default', () => now);
    expect(await token()).toBe('token-1');
    now = 54 * 60_000;
    expect(await token()).toBe('token-1');
    now = 56 * 60_000;
    expect(await token()).toBe('token-2');
    expect(scopes).toEqual(['https://graph.microsoft.com/.default', 'https://graph.microsoft.com/.default']);
  });

  it('asks the credential once for concurrent callers', async () => {
    const { credential, scopes } = countingCredential(60 * 60_000, Date.now);
    const token = cachedTokenSource(credential, 'scope');
    expect(await Promise.all([token(), token(), token()])).toEqual(['token-1', 'token-1', 'token-1']);
    expect(scopes).toHaveLength(1);
  });

  it('reports a missing identity as a non-transient GRAPH.UNAVAILABLE', async () => {
    const error = Object.assign(new Error('no managed identity endpoint'), { name: 'CredentialUnavailableError' });
    const token = cachedTokenSource({ getToken: () => Promise.reject(error) }, 'scope');
    await expect(token()).rejects.toMatchObject({ code: 'GRAPH.UNAVAILABLE', transient: false });
  });

  it('reports a credential chain with no identity available as a non-transient GRAPH.UNAVAILABLE', async () => {
    const unavailable = (message: string) => Object.assign(new Error(message), { name: 'CredentialUnavailableError' });
    const error = Object.assign(new Error('ChainedTokenCredential authentication failed.'), {
      name: 'AggregateAuthenticationError',
      errors: [unavailable('EnvironmentCredential is unavailable'), unavailable('Azure CLI could not be found')],
    });
    const token = cachedTokenSource({ getToken: () => Promise.reject(error) }, 'scope');
    await expect(token()).rejects.toMatchObject({ code: 'GRAPH.UNAVAILABLE', transient: false });
  });

  it('keeps a chain in which one credential failed for real transient', async () => {
    const error = Object.assign(new Error('ChainedTokenCredential authentication failed.'), {
      name: 'AggregateAuthenticationError',
      errors: [Object.assign(new Error('timeout'), { name: 'AuthenticationError' })],
    });
    const token = cachedTokenSource({ getToken: () => Promise.reject(error) }, 'scope');
    await expect(token()).rejects.toMatchObject({ code: 'GRAPH.UNAVAILABLE', transient: true });
  });

  it('reports other token failures as transient', async () => {
    const token = cachedTokenSource({ getToken: () => Promise.reject(new Error('timeout')) }, 'scope');
    await expect(token()).rejects.toMatchObject({ code: 'GRAPH.UNAVAILABLE', transient: true });
  });
});

describe('appRolesOf', () => {
  const jwt = (claims: unknown) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it('reads the roles claim of a JWT', () => {
    expect(appRolesOf(jwt({ roles: ['User.Read.All', 'User-Mail.ReadWrite.All'] }))).toEqual([
      'User.Read.All',
      'User-Mail.ReadWrite.All',
    ]);
  });

  it('answers null for a token without roles, or that is no JWT', () => {
    expect(appRolesOf(jwt({ aud: 'x' }))).toBeNull();
    expect(appRolesOf('opaque-token')).toBeNull();
    expect(appRolesOf('a.%%%.c')).toBeNull();
  });
});
