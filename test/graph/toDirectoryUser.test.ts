import { describe, expect, it } from 'vitest';
import { collectionValues, sameEmployeeId, toDirectoryUser, toEmailMethod } from '../../src/graph/toDirectoryUser';

const EXT = `extension_${'b'.repeat(32)}_costCenter`;

describe('toDirectoryUser', () => {
  it('maps the selected properties', () => {
    const user = toDirectoryUser({
      id: 'u1',
      employeeId: 'E1',
      onPremisesSyncEnabled: true,
      otherMails: ['a@example.com'],
      usageLocation: 'NL',
      userPrincipalName: 'a.b@contoso.com',
    });
    expect(user).toEqual({
      id: 'u1',
      employeeId: 'E1',
      onPremisesSyncEnabled: true,
      otherMails: ['a@example.com'],
      usageLocation: 'NL',
      userPrincipalName: 'a.b@contoso.com',
      extensions: {},
    });
  });

  it('turns missing collections into [] and missing scalars into null', () => {
    expect(toDirectoryUser({ id: 'u1' })).toEqual({
      id: 'u1',
      employeeId: null,
      onPremisesSyncEnabled: null,
      otherMails: [],
      usageLocation: null,
      userPrincipalName: null,
      extensions: {},
    });
  });

  it('reads the mapped extension attributes, null when absent', () => {
    expect(toDirectoryUser({ id: 'u1', [EXT]: 'CC-1' }, [EXT, `extension_${'c'.repeat(32)}_x`]).extensions).toEqual({
      [EXT]: 'CC-1',
      [`extension_${'c'.repeat(32)}_x`]: null,
    });
  });

  it('refuses a user without an id', () => {
    expect(() => toDirectoryUser({ employeeId: 'E1' })).toThrow(
      expect.objectContaining({ code: 'GRAPH.BAD_RESPONSE' }),
    );
  });
});

describe('sameEmployeeId', () => {
  it('compares case-insensitively, as Graph does', () => {
    expect(sameEmployeeId('ab12', 'AB12')).toBe(true);
  });

  it('never matches a user without employeeId', () => {
    expect(sameEmployeeId(null, 'x')).toBe(false);
  });
});

describe('collectionValues', () => {
  it('refuses a body without a value array', () => {
    expect(() => collectionValues({})).toThrow(expect.objectContaining({ code: 'GRAPH.BAD_RESPONSE' }));
  });
});

describe('toEmailMethod', () => {
  it('keeps id and emailAddress', () => {
    expect(toEmailMethod({ id: 'm1', emailAddress: 'x@example.com', '@odata.type': 'x' })).toEqual({
      id: 'm1',
      emailAddress: 'x@example.com',
    });
  });
});
