import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/outcome';
import type { DirectoryUser, LedgerEntry } from '../../src/core/ports';
import type { Prediction } from '../../src/core/ports';
import { ledgerStampOf, reusablePredictions } from '../../src/core/predictions';

const NOW = new Date('2026-12-07T01:00:00Z');

function store(predictions: Prediction[]) {
  return {
    async *list() {
      yield* predictions;
    },
    record: async () => {},
  };
}

function predicted(workerId: string, code: Outcome['code'], overrides: Partial<Prediction> = {}): Prediction {
  return {
    workerId,
    desiredHash: `h-${workerId}`,
    outcome: { code, workerId },
    runId: 'cycle-dry',
    predictedAt: new Date(NOW.getTime() - 60_000),
    ledgerStamp: 'none',
    ...overrides,
  };
}

async function reused(
  predictions: Prediction[],
  options: { ledger?: Map<string, LedgerEntry>; usersFound?: string[] } = {},
): Promise<string[]> {
  const lookups: string[][] = [];
  const directory = {
    findUsersByEmployeeIds: async (ids: readonly string[]) => {
      lookups.push([...ids]);
      return new Map(
        ids.map((id) => [id, (options.usersFound ?? []).includes(id) ? [{ id: 'u' } as DirectoryUser] : []]),
      );
    },
  };
  const candidates = predictions.map((p) => ({ workerId: p.workerId, desiredHash: `h-${p.workerId}` }));
  const result = await reusablePredictions(
    { predictions: store(predictions), directory },
    candidates,
    options.ledger ?? new Map(),
    { now: NOW, reverifyEveryHours: 24 },
  );
  return [...result.keys()].sort();
}

describe('reusablePredictions', () => {
  it('reuses a would-write, unchanged or denied prediction while the source data and ledger row are as predicted', async () => {
    expect(await reused([predicted('a', 'written'), predicted('b', 'unchanged'), predicted('c', 'denied')])).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('checks a worker again when its source data changed (another desired hash)', async () => {
    expect(await reused([predicted('a', 'written', { desiredHash: 'older' })])).toEqual([]);
  });

  it('checks a worker again once a real run changed its ledger row', async () => {
    const entry = { workerId: 'a', runId: 'cycle-real', updatedAt: NOW, lastOutcome: 'written' } as LedgerEntry;
    const stale = predicted('a', 'written', { ledgerStamp: ledgerStampOf(null) });
    expect(await reused([stale], { ledger: new Map([['a', entry]]) })).toEqual([]);
    const fresh = predicted('a', 'written', { ledgerStamp: ledgerStampOf(entry) });
    expect(await reused([fresh], { ledger: new Map([['a', entry]]) })).toEqual(['a']);
  });

  it('checks conflicts and failures again, as the real cycle retries them', async () => {
    expect(await reused([predicted('a', 'conflict'), predicted('b', 'failed')])).toEqual([]);
  });

  it('keeps an escrowed prediction only while the user is still missing', async () => {
    expect(await reused([predicted('a', 'escrowed'), predicted('b', 'escrowed')], { usersFound: ['b'] })).toEqual([
      'a',
    ]);
  });

  it('checks again a prediction older than the re-verification period', async () => {
    const old = predicted('a', 'written', { predictedAt: new Date(NOW.getTime() - 25 * 3600_000) });
    expect(await reused([old])).toEqual([]);
  });
});
