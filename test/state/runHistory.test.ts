import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src/core/outcome';
import type { Outcome, OutcomeCode } from '../../src/core/outcome';
import type { RunHistory, RunRecord } from '../../src/core/ports';
import { createRunHistory } from '../../src/state/runHistory';
import { createStorageClients } from '../../src/state/storageClients';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let prefix = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.stop());

/** A history on its own clients: two on one prefix act as two processes. */
const openHistory = (tablePrefix: string): RunHistory =>
  createRunHistory(
    createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString }),
    tablePrefix,
  );

function freshHistories(): [RunHistory, RunHistory] {
  const tablePrefix = `runtest${++prefix}`;
  return [openHistory(tablePrefix), openHistory(tablePrefix)];
}
const freshHistory = (): RunHistory => freshHistories()[0];

const run = (runId: string, startedAt: string, overrides: Partial<RunRecord> = {}): RunRecord => ({
  runId,
  kind: 'cycle',
  startedAt: new Date(startedAt),
  durationMs: 1234,
  dryRun: false,
  approved: false,
  held: false,
  counts: { ...emptyCounts(), written: 3, escrowed: 1 },
  enqueued: 4,
  graphRequests: 9,
  graphThrottled: 0,
  workdayReadMs: 321,
  ...overrides,
});

describe('createRunHistory', () => {
  it('round-trips a run with every field', async () => {
    const history = freshHistory();
    const full = run('r1', '2025-03-01T10:00:00.000Z', {
      kind: 'sweep',
      dryRun: true,
      approved: true,
      held: true,
      changes: 600,
      approvedHeldRun: 'held-run/1',
      note: 'held: 600 > 500',
    });
    await history.record(full);
    expect(await history.latest(1)).toEqual([{ ...full, settled: { counts: emptyCounts(), superseded: 0, jobs: 0 } }]);
  });

  it('returns the newest runs first, however they were recorded', async () => {
    const history = freshHistory();
    const starts = ['2025-03-01T10:00:00Z', '2025-03-03T10:00:00Z', '2025-03-02T10:00:00Z', '2025-03-02T10:00:00.001Z'];
    for (const [i, start] of starts.entries()) await history.record(run(`r${i}`, start));
    expect((await history.latest(10)).map((r) => r.runId)).toEqual(['r1', 'r3', 'r2', 'r0']);
    expect((await history.latest(2)).map((r) => r.runId)).toEqual(['r1', 'r3']);
  });

  it('keeps two runs that started in the same millisecond', async () => {
    const history = freshHistory();
    await history.record(run('a', '2025-03-01T10:00:00Z'));
    await history.record(run('b', '2025-03-01T10:00:00Z'));
    expect(await history.latest(5)).toHaveLength(2);
  });

  it('keeps the first record of a run id recorded again: a redelivery never rewrites a run', async () => {
    const [history, redelivery] = freshHistories();
    await history.record(run('r', '2025-03-01T10:00:00Z', { enqueued: 1 }));
    await expect(
      redelivery.record(run('r', '2025-03-01T10:00:00Z', { enqueued: 2, note: 'second' })),
    ).resolves.toMatchObject({ runId: 'r' });
    expect(await history.latest(5)).toMatchObject([run('r', '2025-03-01T10:00:00Z', { enqueued: 1 })]);
    expect((await history.get('r'))?.enqueued).toBe(1);
  });

  it('answers an empty list when asked for none or when nothing ran', async () => {
    const history = freshHistory();
    expect(await history.latest(5)).toEqual([]);
    await history.record(run('r', '2025-03-01T10:00:00Z'));
    expect(await history.latest(0)).toEqual([]);
  });
});

describe('RunHistory.claimApproval', () => {
  it('grants an approval once: true for the first claim, false after, whoever asks', async () => {
    const [history, other] = freshHistories();
    expect(await history.claimApproval('held-1', 'cycle-a')).toBe(true);
    expect(await history.claimApproval('held-1', 'cycle-a')).toBe(false);
    expect(await other.claimApproval('held-1', 'cycle-b')).toBe(false);
    // Another held run's approval is its own.
    expect(await other.claimApproval('held-2', 'cycle-b')).toBe(true);
  });

  it('grants exactly one of several concurrent claims', async () => {
    const tablePrefix = `runtest${++prefix}`;
    const claimants = Array.from({ length: 6 }, (_, i) => ({
      history: openHistory(tablePrefix),
      runId: `cycle-${i}`,
    }));
    const pair = await Promise.all(
      claimants.slice(0, 2).map(({ history, runId }) => history.claimApproval("held/O'Brien#1", runId)),
    );
    expect(pair.filter(Boolean)).toHaveLength(1);
    const many = await Promise.all(claimants.map(({ history, runId }) => history.claimApproval('held-many', runId)));
    expect(many.filter(Boolean)).toHaveLength(1);
  });

  it('keeps approvals out of the run list', async () => {
    const history = freshHistory();
    await history.record(run('held-run', '2025-03-01T10:00:00Z', { held: true }));
    expect(await history.claimApproval('held-run', 'cycle-next')).toBe(true);
    await history.record(run('cycle-next', '2025-03-01T11:00:00Z', { approvedHeldRun: 'held-run' }));
    expect((await history.latest(10)).map((r) => r.runId)).toEqual(['cycle-next', 'held-run']);
  });
});

describe('RunHistory.approveHeld', () => {
  const alice = { source: 'entra' as const, objectId: 'oid-alice', name: 'Alice Operator' };
  const at = new Date('2025-03-01T10:30:00.000Z');

  it("records the approver on the held run, where another process's history and the run list see it", async () => {
    const [history, other] = freshHistories();
    await history.record(run("held/O'Brien#1", '2025-03-01T10:00:00Z', { held: true, changes: 600 }));
    const approved = await history.approveHeld("held/O'Brien#1", alice, at);
    expect(approved).toMatchObject({ runId: "held/O'Brien#1", changes: 600, approval: { by: alice, at } });
    expect((await other.heldAwaitingApproval())[0]?.approval).toEqual({ by: alice, at });
    expect((await other.latest(1))[0]?.approval).toEqual({ by: alice, at });
  });

  it('answers null for an id no held cycle awaiting approval has: unknown, not held, or gone through since', async () => {
    const history = freshHistory();
    await history.record(run('held-run', '2025-03-01T10:00:00Z', { held: true }));
    await history.record(run('plain-run', '2025-03-01T10:10:00Z'));
    expect(await history.approveHeld('no-such-run', alice, at)).toBeNull();
    expect(await history.approveHeld('plain-run', alice, at)).toBeNull();
    expect(await history.approveHeld('held-run', alice, at)).toBeNull(); // plain-run went through after it
    expect((await history.latest(5)).every((r) => r.approval === undefined)).toBe(true);
  });
});

const outcome = (workerId: string, code: OutcomeCode, detail?: string): Outcome => ({
  workerId,
  code,
  ...(detail ? { detail } : {}),
});
const at = new Date('2025-03-01T10:05:00Z');

describe('RunHistory.settle', () => {
  it('counts every job of a run settled by two processes at once, none lost and none twice', async () => {
    const [one, two] = freshHistories();
    const ids = Array.from({ length: 120 }, (_, i) => `W${i}`);
    const code = (i: number): OutcomeCode => (i % 3 === 0 ? 'escrowed' : 'written');
    // Two instances settle different jobs at once; a few messages come back on the other instance.
    const settle = (history: RunHistory, i: number) =>
      history.settle('r', { workerId: ids[i]!, outcome: outcome(ids[i]!, code(i)), at });
    await Promise.all(ids.map((_, i) => settle(i % 2 === 0 ? one : two, i)));
    await Promise.all(ids.slice(0, 20).map((_, i) => settle(i % 2 === 0 ? two : one, i)));
    await one.record(run('r', '2025-03-01T10:00:00Z', { counts: emptyCounts(), enqueued: 120 }));
    const [recorded] = await two.latest(1);
    expect(recorded?.settled).toEqual({
      counts: { ...emptyCounts(), written: 80, escrowed: 40 },
      superseded: 0,
      jobs: 120,
    });
    expect(await one.workersOf('r', 'escrowed')).toHaveLength(40);
  });

  it('moves a worker whose job settles again with another outcome, and counts a superseded job apart', async () => {
    const history = freshHistory();
    await history.settle('r', { workerId: 'A', outcome: outcome('A', 'escrowed'), at });
    await history.settle('r', { workerId: 'A', outcome: outcome('A', 'written'), at });
    await history.settle('r', { workerId: 'B', outcome: null, at });
    await history.record(run('r', '2025-03-01T10:00:00Z', { enqueued: 2 }));
    expect((await history.get('r'))?.settled).toEqual({
      counts: { ...emptyCounts(), written: 1 },
      superseded: 1,
      jobs: 2,
    });
    expect((await history.workersOf('r')).map((w) => [w.workerId, w.code])).toEqual([
      ['A', 'written'],
      ['B', 'superseded'],
    ]);
  });

  it('reports the run once, to the job that settles its last job after planning recorded it', async () => {
    const [one, two] = freshHistories();
    await one.record(run('r', '2025-03-01T10:00:00Z', { enqueued: 2 }));
    expect(await one.settle('r', { workerId: 'A', outcome: outcome('A', 'written'), at })).toBeNull();
    const done = await two.settle('r', { workerId: 'B', outcome: outcome('B', 'denied'), at });
    expect(done?.settled?.counts).toMatchObject({ written: 1, denied: 1 });
    expect(done?.counts).toEqual(run('r', '2025-03-01T10:00:00Z').counts);
    // The same job again (a redelivery) changes nothing and reports nothing.
    expect(await one.settle('r', { workerId: 'B', outcome: outcome('B', 'denied'), at })).toBeNull();
  });

  it('lists the decided workers recorded with the run, and stores no personal email', async () => {
    const history = freshHistory();
    await history.record(run('r', '2025-03-01T10:00:00Z', { enqueued: 0 }), [
      outcome('C', 'rejected', 'invalid personal email jane.doe@example.com'),
    ]);
    const [rejected] = await history.workersOf('r', 'rejected');
    expect(rejected).toMatchObject({ workerId: 'C', code: 'rejected', source: 'planning' });
    expect(rejected?.detail).not.toContain('jane.doe@example.com');
  });
});
