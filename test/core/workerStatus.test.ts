import { describe, expect, it } from 'vitest';
import { workerStatus } from '../../src/core/workerStatus';
import { FakeLedger, jobOf, MINUTE, dependenciesOf, T0 } from './fakes';

describe('workerStatus', () => {
  it('says an unknown worker is unknown', async () => {
    expect(await workerStatus(dependenciesOf(), 'W9')).toEqual({ workerId: 'W9', known: false });
  });

  it('shows the ledger state with ISO times', async () => {
    const ledger = new FakeLedger([
      {
        workerId: 'W1',
        lastOutcome: 'written',
        runId: 'cycle-1',
        updatedAt: T0,
        verifiedAt: T0,
        userId: 'user-1',
        lastChanges: [{ property: 'usageLocation', before: null, after: 'GB' }],
      },
    ]);
    expect(await workerStatus(dependenciesOf({ ledger }), ' W1 ')).toEqual({
      workerId: 'W1',
      known: true,
      lastOutcome: 'written',
      userId: 'user-1',
      lastRun: 'cycle-1',
      updatedAt: T0.toISOString(),
      verifiedAt: T0.toISOString(),
      lastChanges: [{ property: 'usageLocation', before: null, after: 'GB' }],
      history: [{ runId: 'cycle-1', outcome: 'written', at: T0.toISOString() }],
    });
  });

  it('shows the recent outcomes, newest first, with run, time and reason', async () => {
    const ledger = new FakeLedger([
      {
        workerId: 'W1',
        lastOutcome: 'written',
        runId: 'sweep-2',
        updatedAt: new Date(T0.getTime() + MINUTE),
        history: [{ runId: 'cycle-1', code: 'escrowed', reason: 'notFound', at: T0 }],
      },
    ]);
    expect((await workerStatus(dependenciesOf({ ledger }), 'W1')).history).toEqual([
      { runId: 'sweep-2', outcome: 'written', at: new Date(T0.getTime() + MINUTE).toISOString() },
      { runId: 'cycle-1', outcome: 'escrowed', reason: 'notFound', at: T0.toISOString() },
    ]);
  });

  it('says a worker is planned in a run whose job has not reported yet, and not once it has', async () => {
    const job = { ...jobOf('W1', { personalEmail: 'jane@home.example' }), runId: 'cycle-2' };
    const ledger = new FakeLedger([
      { workerId: 'W1', lastOutcome: 'written', runId: 'cycle-1', updatedAt: T0, plannedHash: job.desiredHash },
    ]);
    const deps = dependenciesOf({ ledger });
    deps.plans.seed({ workerId: 'W1', job });
    expect((await workerStatus(deps, 'W1')).planned).toEqual({ runId: 'cycle-2', jobQueued: true });
    ledger.seed({
      workerId: 'W1',
      lastOutcome: 'written',
      runId: 'cycle-2',
      updatedAt: T0,
      plannedHash: job.desiredHash,
    });
    expect((await workerStatus(deps, 'W1')).planned).toBeUndefined();
  });

  it('shows the escrow entry without the job it carries', async () => {
    const deps = dependenciesOf();
    deps.escrow.seed({
      workerId: 'W1',
      reason: 'softDeleted',
      firstSeen: T0,
      attempts: 3,
      nextAttempt: new Date(T0.getTime() + MINUTE),
      job: jobOf('W1', { personalEmail: 'jane@home.example' }),
    });
    const view = await workerStatus(deps, 'W1');
    expect(view).toEqual({
      workerId: 'W1',
      known: true,
      escrow: {
        reason: 'softDeleted',
        firstSeen: T0.toISOString(),
        attempts: 3,
        nextAttempt: new Date(T0.getTime() + MINUTE).toISOString(),
      },
    });
    expect(JSON.stringify(view)).not.toContain('jane@');
  });

  it('refuses an invalid id as INPUT.INVALID', async () => {
    await expect(workerStatus(dependenciesOf(), 'W'.repeat(17))).rejects.toMatchObject({ code: 'INPUT.INVALID' });
  });
});
