import { describe, expect, it } from 'vitest';
import { workerStatus } from '../../src/core/workerStatus';
import { FakeLedger, jobOf, MINUTE, pipelineOf, T0 } from './fakes';

describe('workerStatus', () => {
  it('says an unknown worker is unknown', async () => {
    expect(await workerStatus(pipelineOf(), 'W9')).toEqual({ workerId: 'W9', known: false });
  });

  it('shows the ledger state with ISO times', async () => {
    const ledger = new FakeLedger([
      {
        workerId: 'W1',
        lastOutcome: 'written',
        cycleId: 'cycle-1',
        updatedAt: T0,
        verifiedAt: T0,
        userId: 'user-1',
        lastChanges: [{ property: 'usageLocation', before: null, after: 'GB' }],
      },
    ]);
    expect(await workerStatus(pipelineOf({ ledger }), ' W1 ')).toEqual({
      workerId: 'W1',
      known: true,
      lastOutcome: 'written',
      userId: 'user-1',
      lastRun: 'cycle-1',
      updatedAt: T0.toISOString(),
      verifiedAt: T0.toISOString(),
      lastChanges: [{ property: 'usageLocation', before: null, after: 'GB' }],
    });
  });

  it('shows the escrow entry without the job it carries', async () => {
    const deps = pipelineOf();
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
    await expect(workerStatus(pipelineOf(), 'W'.repeat(17))).rejects.toMatchObject({ code: 'INPUT.INVALID' });
  });
});
