import { describe, expect, it } from 'vitest';
import { assertWritablePatch } from '../../src/graph/writablePatch';

describe('assertWritablePatch', () => {
  it('accepts otherMails, usageLocation and directory extensions', () => {
    expect(() =>
      assertWritablePatch({ otherMails: [], usageLocation: 'NL', [`extension_${'a'.repeat(32)}_x`]: 1 }),
    ).not.toThrow();
  });

  it.each(['displayName', 'employeeId', 'accountEnabled', 'onPremisesImmutableId', 'mail'])(
    'refuses the synced or dangerous property %s',
    (name) => {
      expect(() => assertWritablePatch({ [name]: 'x' })).toThrow(expect.objectContaining({ code: 'INPUT.INVALID' }));
    },
  );

  it('refuses an empty patch', () => {
    expect(() => assertWritablePatch({})).toThrow(expect.objectContaining({ code: 'INPUT.INVALID' }));
  });
});
