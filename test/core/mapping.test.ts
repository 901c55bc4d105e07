import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mapping } from '../../src/core/connector';
import { desiredHash, desiredStateOf, isEmptyPlan, planWrite, valueHash, type PlanInput } from '../../src/core/mapping';
import { useHashKey } from '../../src/core/hashKey';
import { userOf } from './fakes';

const EXT = 'extension_0123456789abcdef0123456789abcdef_costCenter';
const EXT_TARGET = 'extension_0123456789abcdef0123456789abcdef_department';
const replace: Mapping = { source: 'personalEmail', target: 'otherMails', mode: 'replace', onSourceEmpty: 'keep' };
const merge: Mapping = { source: 'personalEmail', target: 'otherMails', mode: 'merge', onSourceEmpty: 'keep' };
const usage: Mapping = { source: 'countryIso', target: 'usageLocation', onSourceEmpty: 'keep' };
const authEmail: Mapping = { source: 'personalEmail', target: 'authenticationEmail', onSourceEmpty: 'keep' };
const clear = (mapping: Mapping): Mapping => ({ ...mapping, onSourceEmpty: 'clear' });

function plan(mapping: Mapping, want: string | null, input: Partial<PlanInput> = {}) {
  return planWrite({ desired: { [mapping.target]: want }, user: userOf(), mappings: [mapping], ...input });
}

describe('desiredStateOf', () => {
  it('gives each target the value of its source field', () => {
    expect(desiredStateOf({ personalEmail: 'a@home.example', countryIso: 'GB' }, [replace, usage])).toEqual({
      otherMails: 'a@home.example',
      usageLocation: 'GB',
    });
  });

  it('gives null to a target whose source field is empty or absent', () => {
    expect(desiredStateOf({ personalEmail: null }, [replace, usage])).toEqual({
      otherMails: null,
      usageLocation: null,
    });
  });
});

describe('desiredHash', () => {
  const mappings = [replace, usage];

  it('is the same for the same desired state', () => {
    expect(desiredHash({ otherMails: 'a@home.example', usageLocation: 'GB' }, mappings)).toBe(
      desiredHash({ otherMails: 'a@home.example', usageLocation: 'GB' }, mappings),
    );
  });

  it('ignores the casing of an email, so casing never churns writes', () => {
    expect(desiredHash({ otherMails: 'A@Home.Example', usageLocation: 'GB' }, mappings)).toBe(
      desiredHash({ otherMails: 'a@home.example', usageLocation: 'GB' }, mappings),
    );
  });

  it('changes when a value changes', () => {
    expect(desiredHash({ otherMails: 'b@home.example', usageLocation: 'GB' }, mappings)).not.toBe(
      desiredHash({ otherMails: 'a@home.example', usageLocation: 'GB' }, mappings),
    );
  });

  it('changes when a value becomes empty', () => {
    expect(desiredHash({ otherMails: null, usageLocation: 'GB' }, mappings)).not.toBe(
      desiredHash({ otherMails: 'a@home.example', usageLocation: 'GB' }, mappings),
    );
  });

  // Regression, fixed: desiredHash lower-cases every value, but planWrite compares scalars (usageLocation,
  // extension_*) case-sensitively. A Workday correction 'engineering' → 'Engineering' leaves the
  // hash alone, so the cycle does not enqueue the worker and the fix reaches Entra only at the
  // next re-verification. Fix: lower-case only email-valued targets (otherMails, authenticationEmail).
  it('changes when an extension value changes only in case, since Graph keeps the case', () => {
    const mapping: Mapping = { source: 'department', target: EXT_TARGET, onSourceEmpty: 'keep' };
    expect(desiredHash({ [EXT_TARGET]: 'Engineering' }, [mapping])).not.toBe(
      desiredHash({ [EXT_TARGET]: 'engineering' }, [mapping]),
    );
  });

  it('changes when a mapping rule changes, so a config change re-plans', () => {
    const desired = { otherMails: 'a@home.example', usageLocation: 'GB' };
    const base = desiredHash(desired, mappings);
    expect(desiredHash(desired, [merge, usage])).not.toBe(base);
    expect(desiredHash(desired, [clear(replace), usage])).not.toBe(base);
    expect(desiredHash(desired, [replace])).not.toBe(base);
  });
});

describe('valueHash', () => {
  it('ignores case and surrounding blanks', () => {
    expect(valueHash(' Jane@Home.Example ')).toBe(valueHash('jane@home.example'));
  });

  it('differs between values and does not hold the value', () => {
    expect(valueHash('a@home.example')).not.toBe(valueHash('b@home.example'));
    expect(valueHash('a@home.example')).not.toContain('home');
  });
});

describe('planWrite', () => {
  it('replace: sets otherMails to exactly the personal email', () => {
    const result = plan(replace, 'jane@home.example', {
      user: userOf({ otherMails: ['old@home.example', 'other@home.example'] }),
    });
    expect(result.patch).toEqual({ otherMails: ['jane@home.example'] });
    expect(result.writtenHashes).toEqual({ otherMails: valueHash('jane@home.example') });
  });

  it('replace: sends nothing when the user holds exactly that email, whatever its case', () => {
    const result = plan(replace, 'jane@home.example', { user: userOf({ otherMails: ['Jane@Home.Example'] }) });
    expect(isEmptyPlan(result)).toBe(true);
    expect(result.changes).toEqual([]);
  });

  it('merge: appends the email to the values already there', () => {
    const result = plan(merge, 'jane@home.example', { user: userOf({ otherMails: ['manual@home.example'] }) });
    expect(result.patch).toEqual({ otherMails: ['manual@home.example', 'jane@home.example'] });
  });

  it('merge: retires the value it wrote before when the email changed', () => {
    const result = plan(merge, 'new@home.example', {
      user: userOf({ otherMails: ['manual@home.example', 'old@home.example'] }),
      previouslyWritten: { otherMails: valueHash('old@home.example') },
    });
    expect(result.patch).toEqual({ otherMails: ['manual@home.example', 'new@home.example'] });
    expect(result.writtenHashes.otherMails).toBe(valueHash('new@home.example'));
  });

  it('merge: never removes a value it did not write', () => {
    const result = plan(merge, 'new@home.example', {
      user: userOf({ otherMails: ['manual@home.example'] }),
      previouslyWritten: { otherMails: valueHash('old@home.example') },
    });
    expect(result.patch).toEqual({ otherMails: ['manual@home.example', 'new@home.example'] });
  });

  it('merge: sends nothing when the user already holds the email among others', () => {
    const result = plan(merge, 'jane@home.example', {
      user: userOf({ otherMails: ['manual@home.example', 'JANE@home.example'] }),
      previouslyWritten: { otherMails: valueHash('jane@home.example') },
    });
    expect(isEmptyPlan(result)).toBe(true);
  });

  it.each([
    ['replace', replace],
    ['merge', merge],
  ])('%s with onSourceEmpty keep: an empty source leaves otherMails alone', (_, mapping) => {
    const result = plan(mapping, null, {
      user: userOf({ otherMails: ['old@home.example'] }),
      previouslyWritten: { otherMails: valueHash('old@home.example') },
    });
    expect(isEmptyPlan(result)).toBe(true);
  });

  it('replace with onSourceEmpty clear: an empty source empties otherMails', () => {
    const result = plan(clear(replace), null, {
      user: userOf({ otherMails: ['old@home.example', 'manual@home.example'] }),
    });
    expect(result.patch).toEqual({ otherMails: [] });
  });

  it('replace with onSourceEmpty clear: nothing to send when otherMails is already empty', () => {
    expect(isEmptyPlan(plan(clear(replace), null))).toBe(true);
  });

  it('merge with onSourceEmpty clear: removes only the value it wrote', () => {
    const result = plan(clear(merge), null, {
      user: userOf({ otherMails: ['manual@home.example', 'old@home.example'] }),
      previouslyWritten: { otherMails: valueHash('old@home.example') },
    });
    expect(result.patch).toEqual({ otherMails: ['manual@home.example'] });
  });

  it('merge with onSourceEmpty clear: sends nothing when it never wrote a value', () => {
    const result = plan(clear(merge), null, { user: userOf({ otherMails: ['manual@home.example'] }) });
    expect(isEmptyPlan(result)).toBe(true);
  });

  it('usageLocation: writes a different country', () => {
    const result = plan(usage, 'FR', { user: userOf({ usageLocation: 'GB' }) });
    expect(result.patch).toEqual({ usageLocation: 'FR' });
    expect(result.changes).toEqual([{ property: 'usageLocation', before: 'GB', after: 'FR' }]);
  });

  it('usageLocation: sends nothing for the same country', () => {
    expect(isEmptyPlan(plan(usage, 'GB', { user: userOf({ usageLocation: 'GB' }) }))).toBe(true);
  });

  it('usageLocation with onSourceEmpty keep: an empty source keeps the country', () => {
    expect(isEmptyPlan(plan(usage, null, { user: userOf({ usageLocation: 'GB' }) }))).toBe(true);
  });

  it('usageLocation with onSourceEmpty clear: an empty source sends null', () => {
    const result = plan(clear(usage), null, { user: userOf({ usageLocation: 'GB' }) });
    expect(result.patch).toEqual({ usageLocation: null });
  });

  it('usageLocation with onSourceEmpty clear: nothing to send when already empty', () => {
    expect(isEmptyPlan(plan(clear(usage), null, { user: userOf({ usageLocation: null }) }))).toBe(true);
  });

  it('an extension attribute is compared with what the user holds', () => {
    const mapping: Mapping = { source: 'costCenter', target: EXT, onSourceEmpty: 'keep' };
    expect(plan(mapping, 'CC2', { user: userOf({ extensions: { [EXT]: 'CC1' } }) }).patch).toEqual({ [EXT]: 'CC2' });
    expect(isEmptyPlan(plan(mapping, 'CC1', { user: userOf({ extensions: { [EXT]: 'CC1' } }) }))).toBe(true);
  });

  it('an extension attribute the user lacks is written', () => {
    const mapping: Mapping = { source: 'costCenter', target: EXT, onSourceEmpty: 'keep' };
    expect(plan(mapping, 'CC1').patch).toEqual({ [EXT]: 'CC1' });
  });

  it('authenticationEmail: creates the method when the user has none', () => {
    const result = plan(authEmail, 'jane@home.example', { authenticationEmail: null });
    expect(result.authenticationEmail).toEqual({ existingId: null, emailAddress: 'jane@home.example' });
    expect(result.patch).toEqual({});
    expect(isEmptyPlan(result)).toBe(false);
  });

  it('authenticationEmail: updates the existing method when the address differs', () => {
    const result = plan(authEmail, 'new@home.example', {
      authenticationEmail: { id: 'm-1', emailAddress: 'old@home.example' },
    });
    expect(result.authenticationEmail).toEqual({ existingId: 'm-1', emailAddress: 'new@home.example' });
  });

  it('authenticationEmail: sends nothing for the same address in another case', () => {
    expect(
      isEmptyPlan(
        plan(authEmail, 'jane@home.example', { authenticationEmail: { id: 'm-1', emailAddress: 'JANE@home.example' } }),
      ),
    ).toBe(true);
  });

  it('authenticationEmail: an empty source never removes the sign-in method', () => {
    expect(
      isEmptyPlan(plan(authEmail, null, { authenticationEmail: { id: 'm-1', emailAddress: 'old@home.example' } })),
    ).toBe(true);
  });

  it('puts every changed property in one patch and nothing that is not mapped', () => {
    const result = planWrite({
      desired: { otherMails: 'jane@home.example', usageLocation: 'FR' },
      user: userOf({ otherMails: [], usageLocation: 'GB', extensions: { [EXT]: 'CC1' } }),
      mappings: [replace, usage],
    });
    expect(Object.keys(result.patch).sort()).toEqual(['otherMails', 'usageLocation']);
  });

  it('masks personal emails in the changes it reports', () => {
    const result = plan(replace, 'jane.doe@home.example', { user: userOf({ otherMails: ['old.name@home.example'] }) });
    expect(result.changes).toEqual([
      { property: 'otherMails', before: ['o***@home.example'], after: ['j***@home.example'] },
    ]);
    expect(JSON.stringify(result.changes)).not.toContain('jane.doe');
  });
});

describe('keyed hashes of personal emails', () => {
  const email = 'jane.doe@example.com';
  // What a reader of the tables computes for each address of a dictionary of likely ones.
  const unkeyed = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);
  afterEach(() => useHashKey(undefined));

  it('cannot be reproduced from the address alone (no dictionary attack on the ledger)', () => {
    useHashKey('a deployment key of at least thirty-two characters');
    expect(valueHash(email)).not.toBe(unkeyed(email));
    expect(valueHash(email)).toHaveLength(22);
  });

  it('depends on the key: another deployment (or a rotated key) gives other hashes', () => {
    useHashKey('key one: at least thirty-two characters long');
    const first = { value: valueHash(email), desired: desiredHash({ otherMails: email }, [replace]) };
    useHashKey('key two: at least thirty-two characters long');
    expect(valueHash(email)).not.toBe(first.value);
    expect(desiredHash({ otherMails: email }, [replace])).not.toBe(first.desired);
    useHashKey('key one: at least thirty-two characters long');
    expect(valueHash(` ${email.toUpperCase()} `)).toBe(first.value);
  });
});
