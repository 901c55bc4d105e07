import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ingestionCredential, parseAuthenticationString } from '../../src/telemetry/ingestionCredential';

describe('parseAuthenticationString', () => {
  it('reads the form the Bicep sets', () => {
    expect(parseAuthenticationString('ClientId=1b2c;Authorization=AAD')).toEqual({ entra: true, clientId: '1b2c' });
  });

  it('ignores key case, order and stray separators', () => {
    expect(parseAuthenticationString('authorization=aad; clientid = 1b2c ;')).toEqual({
      entra: true,
      clientId: '1b2c',
    });
  });

  it('is not Entra when absent or asking for something else', () => {
    expect(parseAuthenticationString(undefined)).toEqual({ entra: false });
    expect(parseAuthenticationString('Authorization=Key')).toEqual({ entra: false });
  });
});

describe('ingestionCredential', () => {
  it('signs in as the user-assigned identity named by ClientId', () => {
    expect(ingestionCredential('Authorization=AAD;ClientId=1b2c')).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('uses the default chain for Entra without a client id (an operator machine)', () => {
    expect(ingestionCredential('Authorization=AAD')).toBeInstanceOf(DefaultAzureCredential);
  });

  it('gives no credential when Entra is not asked for', () => {
    expect(ingestionCredential(undefined)).toBeUndefined();
  });
});
