import { describe, expect, it } from 'vitest';
import { assessDrift, DRIFT_LIMIT, driftOutcome, isLeftToEntra } from '../../src/core/drift';
import { valueHash, type WritePlan } from '../../src/core/mapping';
import type { LedgerEntry } from '../../src/core/ports';
import { jobOf } from './fakes';

const job = jobOf('W1', { personalEmail: 'p@example.org', countryIso: 'GB' });
const desired = { otherMails: 'p@example.org', usageLocation: 'GB' };
const plan: WritePlan = {
  patch: { usageLocation: 'GB' },
  authenticationEmail: null,
  changes: [{ property: 'usageLocation', before: 'US', after: 'GB' }],
  writtenHashes: { usageLocation: valueHash('GB') },
};
const wrote = (extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  workerId: 'W1',
  runId: 'c0',
  updatedAt: new Date(0),
  lastOutcome: 'written',
  desiredHash: job.desiredHash,
  writtenHashes: { usageLocation: valueHash('GB'), otherMails: valueHash('p@example.org') },
  ...extra,
});
const written = { code: 'written' as const, workerId: 'W1', userId: 'u1' };

describe('assessDrift', () => {
  it('sees nothing on a first write (no ledger row)', () => {
    expect(assessDrift(plan, desired, job, null)).toEqual({ plan, counts: {}, drifted: [], givenUp: [] });
  });

  it('sees nothing when the worker data changed since the write, and drops the old counts', () => {
    const verdict = assessDrift(plan, desired, job, wrote({ desiredHash: 'older', drift: { usageLocation: 1 } }));
    expect(verdict).toMatchObject({ counts: {}, drifted: [], givenUp: [], plan });
  });

  it('sees nothing when the value to write is not the one the connector wrote before', () => {
    const verdict = assessDrift(plan, desired, job, wrote({ writtenHashes: { usageLocation: valueHash('FR') } }));
    expect(verdict.drifted).toEqual([]);
  });

  it('rewrites a replaced value the first time, and counts it', () => {
    const verdict = assessDrift(plan, desired, job, wrote());
    expect(verdict).toMatchObject({ plan, counts: { usageLocation: 1 }, drifted: ['usageLocation'], givenUp: [] });
    expect(driftOutcome(verdict, written)).toMatchObject({ code: 'written', reason: 'drift' });
  });

  it(`leaves the property to Entra the ${DRIFT_LIMIT}nd time: conflict overwrittenInEntra, nothing of it written`, () => {
    const verdict = assessDrift(plan, desired, job, wrote({ drift: { usageLocation: 1 } }));
    expect(verdict.givenUp).toEqual(['usageLocation']);
    expect(verdict.plan.patch).toEqual({});
    expect(verdict.counts).toEqual({ usageLocation: DRIFT_LIMIT });
    const outcome = driftOutcome(verdict, written);
    expect(outcome).toMatchObject({ code: 'conflict', reason: 'overwrittenInEntra' });
    expect(outcome.detail).toContain('usageLocation');
    expect(isLeftToEntra({ lastOutcome: 'conflict', reason: 'overwrittenInEntra' })).toBe(true);
    expect(isLeftToEntra({ lastOutcome: 'conflict', reason: 'duplicateEmployeeId' })).toBe(false);
  });

  it('still writes the other properties of a plan when one is left to Entra', () => {
    const both: WritePlan = {
      patch: { usageLocation: 'GB', otherMails: ['p@example.org'] },
      authenticationEmail: null,
      changes: [
        { property: 'usageLocation', before: 'US', after: 'GB' },
        { property: 'otherMails', before: [], after: ['p***@example.org'] },
      ],
      writtenHashes: { usageLocation: valueHash('GB'), otherMails: valueHash('p@example.org') },
    };
    const verdict = assessDrift(
      both,
      desired,
      job,
      wrote({ drift: { usageLocation: 1 }, writtenHashes: { usageLocation: valueHash('GB') } }),
    );
    expect(verdict.plan.patch).toEqual({ otherMails: ['p@example.org'] });
    expect(verdict.plan.changes.map((c) => c.property)).toEqual(['otherMails']);
  });
});
