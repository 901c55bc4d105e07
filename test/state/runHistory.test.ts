import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src/core/outcome';
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

function freshHistory(): RunHistory {
  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  return createRunHistory(clients, `runtest${++prefix}`);
}

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
    const full = run('r1', '2025-03-01T10:00:00.000Z', { kind: 'sweep', dryRun: true, approved: true, held: true, note: 'held: 600 > 500' });
    await history.record(full);
    expect(await history.latest(1)).toEqual([full]);
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

  it('replaces a run recorded again under the same id', async () => {
    const history = freshHistory();
    await history.record(run('r', '2025-03-01T10:00:00Z', { enqueued: 1 }));
    await history.record(run('r', '2025-03-01T10:00:00Z', { enqueued: 2 }));
    expect((await history.latest(5)).map((r) => r.enqueued)).toEqual([2]);
  });

  it('answers an empty list when asked for none or when nothing ran', async () => {
    const history = freshHistory();
    expect(await history.latest(5)).toEqual([]);
    await history.record(run('r', '2025-03-01T10:00:00Z'));
    expect(await history.latest(0)).toEqual([]);
  });
});
