import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/core/ports';
import { BAD_DATA_RETRY_HOURS, badDataDue, idsToRetry } from '../../src/core/retries';
import { T0 } from './fakes';

const HOUR = 3600_000;
const row = (workerId: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  workerId,
  runId: 'cycle-1',
  updatedAt: T0,
  ...overrides,
});

describe('idsToRetry', () => {
  it('asks again every cycle for failed workers, planned ones without an outcome, and lost plans', () => {
    const ledger = new Map(
      [
        row('F1', { lastOutcome: 'failed' }),
        row('P1', { plannedVersion: 1, plannedHash: 'h1' }),
        row('L1', { lastOutcome: 'written', desiredHash: 'h0', plannedVersion: 2, plannedHash: 'h2' }),
        row('W1', { lastOutcome: 'written', desiredHash: 'h1', plannedVersion: 1, plannedHash: 'h1' }),
        row('O1', { lastOutcome: 'outOfScope', reason: 'notInScope' }),
      ].map((r) => [r.workerId, r]),
    );
    expect(idsToRetry(ledger, [], new Set(), T0).sort()).toEqual(['F1', 'L1', 'P1']);
  });

  it('asks for a worker whose write is in doubt (a write-ahead record its job left behind)', () => {
    const doubt = row('D1', {
      lastOutcome: 'written',
      pendingWrites: [{ version: 1, at: new Date(T0.getTime() - HOUR), hashes: {} }],
    });
    expect(idsToRetry(new Map([['D1', doubt]]), [], new Set(), T0)).toEqual(['D1']);
  });

  it('asks for each rejected or conflict worker once in six hours, not every cycle', () => {
    const bad = Array.from({ length: 600 }, (_, i) =>
      row(`B${i}`, { lastOutcome: i % 2 === 0 ? 'rejected' : 'conflict' }),
    );
    const ledger = new Map(bad.map((r) => [r.workerId, r]));
    const perHour = Array.from({ length: BAD_DATA_RETRY_HOURS }, (_, h) =>
      idsToRetry(ledger, [], new Set(), new Date(T0.getTime() + h * HOUR)),
    );
    // Every worker in exactly one hour of the six, the hours about even.
    expect(perHour.flat().sort()).toEqual(bad.map((r) => r.workerId).sort());
    for (const hour of perHour) expect(hour.length).toBeGreaterThan(60);
    expect(badDataDue('B1', T0)).toBe(badDataDue('b1', new Date(T0.getTime() + BAD_DATA_RETRY_HOURS * HOUR)));
  });
});
