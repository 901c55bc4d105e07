import { describe, expect, it } from 'vitest';
import { isExpired, nextEscrowEntry, retryDelayMinutes } from '../../src/core/escrowPolicy';
import type { EscrowEntry } from '../../src/core/ports';
import { DAY, jobOf, MINUTE, T0 } from './fakes';

const escrow = { retryAfterMinutes: [1, 2, 5], expireAfterDays: 28 };

describe('retryDelayMinutes', () => {
  it('waits the first configured time before the first retry', () => {
    expect(retryDelayMinutes(escrow, 1)).toBe(1);
  });

  it('waits the n-th configured time before retry n', () => {
    expect(retryDelayMinutes(escrow, 2)).toBe(2);
    expect(retryDelayMinutes(escrow, 3)).toBe(5);
  });

  it('repeats the last wait once the list runs out', () => {
    expect(retryDelayMinutes(escrow, 4)).toBe(5);
    expect(retryDelayMinutes(escrow, 1000)).toBe(5);
  });

  it('treats zero or negative attempts as the first', () => {
    expect(retryDelayMinutes(escrow, 0)).toBe(1);
    expect(retryDelayMinutes(escrow, -3)).toBe(1);
  });

  it('keeps fractional minutes', () => {
    expect(retryDelayMinutes({ retryAfterMinutes: [0.5], expireAfterDays: 1 }, 1)).toBe(0.5);
  });
});

describe('isExpired', () => {
  it('is not expired a moment before expireAfterDays', () => {
    expect(isExpired(escrow, T0, new Date(T0.getTime() + 28 * DAY - 1))).toBe(false);
  });

  it('is expired exactly expireAfterDays after it was first seen', () => {
    expect(isExpired(escrow, T0, new Date(T0.getTime() + 28 * DAY))).toBe(true);
  });

  it('counts fractional days', () => {
    expect(isExpired({ ...escrow, expireAfterDays: 0.5 }, T0, new Date(T0.getTime() + 12 * 60 * MINUTE))).toBe(true);
  });
});

describe('nextEscrowEntry', () => {
  const job = jobOf('W1', { personalEmail: 'w1@home.example', countryIso: 'GB' });

  it('opens an entry on the first miss: attempt 1, first seen now, next try after the first wait', () => {
    expect(nextEscrowEntry(escrow, null, job, 'notFound', T0)).toEqual({
      workerId: 'W1',
      reason: 'notFound',
      firstSeen: T0,
      attempts: 1,
      nextAttempt: new Date(T0.getTime() + MINUTE),
      job,
    });
  });

  it('counts a further miss, keeps the first-seen time and backs off', () => {
    const first = nextEscrowEntry(escrow, null, job, 'notFound', T0);
    const later = new Date(T0.getTime() + 10 * MINUTE);
    const second = nextEscrowEntry(escrow, first, job, 'notFound', later);
    expect(second).toMatchObject({ attempts: 2, firstSeen: T0, nextAttempt: new Date(later.getTime() + 2 * MINUTE) });
  });

  it('takes the latest reason and job, so a retry uses the newest worker data', () => {
    const first = nextEscrowEntry(escrow, null, job, 'notFound', T0);
    const newer = jobOf('W1', { personalEmail: 'new@home.example', countryIso: 'GB' }, { runId: 'cycle-2' });
    const second: EscrowEntry = nextEscrowEntry(escrow, first, newer, 'softDeleted', T0);
    expect(second.reason).toBe('softDeleted');
    expect(second.job).toEqual(newer);
  });
});
