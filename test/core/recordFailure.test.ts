import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/core/ports';
import { recordFailure } from '../../src/core/recordFailure';
import { FakeLedger, jobOf, dependenciesOf, T0 } from './fakes';

const job = jobOf('W1', { personalEmail: 'w1@home.example', countryIso: 'GB' }, { runId: 'cycle-2' });

describe('recordFailure', () => {
  it('records the worker as failed with the cause', async () => {
    const deps = dependenciesOf();
    const outcome = await recordFailure(deps, job, 'GRAPH.UNAVAILABLE: 503');
    expect(outcome).toEqual({
      code: 'failed',
      workerId: 'W1',
      reason: 'retriesExhausted',
      detail: 'GRAPH.UNAVAILABLE: 503',
    });
    expect(deps.ledger.entries.get('W1')).toMatchObject({
      lastOutcome: 'failed',
      reason: 'retriesExhausted',
      runId: 'cycle-2',
      updatedAt: T0,
    });
  });

  it('keeps the last written desired state, so the failed change is still a change next cycle', async () => {
    const previous: LedgerEntry = {
      workerId: 'W1',
      lastOutcome: 'written',
      runId: 'cycle-1',
      updatedAt: T0,
      desiredHash: 'old-hash',
      writtenHashes: { otherMails: 'h' },
    };
    const deps = dependenciesOf({ ledger: new FakeLedger([previous]) });
    await recordFailure(deps, job, 'boom');
    expect(deps.ledger.entries.get('W1')).toMatchObject({
      desiredHash: 'old-hash',
      writtenHashes: { otherMails: 'h' },
    });
  });

  it('records no desired state for a worker never seen before', async () => {
    const deps = dependenciesOf();
    await recordFailure(deps, job, 'boom');
    expect(deps.ledger.entries.get('W1')?.desiredHash).toBeUndefined();
  });

  it('records nothing for a dry-run job or under DRY_RUN', async () => {
    const deps = dependenciesOf();
    expect((await recordFailure(deps, { ...job, dryRun: true }, 'boom')).code).toBe('failed');
    expect((await recordFailure(dependenciesOf({ dryRun: true, ledger: deps.ledger }), job, 'boom')).code).toBe(
      'failed',
    );
    expect(deps.ledger.writes).toEqual([]);
  });
});
