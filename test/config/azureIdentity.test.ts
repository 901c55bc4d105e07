import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { azureCredential, tokenClaims } from '../../src/config/azureIdentity';

const jwt = (payload: unknown) =>
  `e30.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}.signature-not-checked`;

describe('azureCredential', () => {
  it('uses the user-assigned managed identity a client id names, else DefaultAzureCredential', () => {
    expect(azureCredential('00000000-0000-0000-0000-000000000001')).toBeInstanceOf(ManagedIdentityCredential);
    expect(azureCredential()).toBeInstanceOf(DefaultAzureCredential);
  });
});

describe('tokenClaims', () => {
  it("reads a token's claims", () => {
    expect(tokenClaims(jwt({ oid: 'o-1', roles: ['User.Read.All'] }))).toEqual({
      oid: 'o-1',
      roles: ['User.Read.All'],
    });
  });

  it('gives no claims for a token that is not a JWT or whose payload is not an object', () => {
    for (const token of ['opaque-token', 'a.%%%.c', jwt(['User.Read.All']), jwt(null), '']) {
      expect(tokenClaims(token), token).toEqual({});
    }
  });
});
