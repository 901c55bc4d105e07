import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP, REMOVE, type EscrowEntry, type EscrowStore, type WorkerJob } from '../../src/core/ports';
import { createEscrowStore } from '../../src/state/escrowStore';
import { createStorageClients } from '../../src/state/storageClients';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let prefix = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.stop());

/** A store on its own clients: two of them on one prefix act as two processes. */
function openStore(tablePrefix: string): EscrowStore {
  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  return createEscrowStore(clients, tablePrefix);
}

function freshStores(): [EscrowStore, EscrowStore] {
  const tablePrefix = `escrowtest${++prefix}`;
  return [openStore(tablePrefix), openStore(tablePrefix)];
}
const freshStore = (): EscrowStore => freshStores()[0];

const escrowed = (workerId: string, overrides: Partial<EscrowEntry> = {}): EscrowEntry => ({
  workerId,
  reason: 'notFound',
  firstSeen: new Date('2025-03-01T08:00:00.000Z'),
  attempts: 2,
  nextAttempt: new Date('2025-03-01T08:05:00.500Z'),
  job: {
    workerId,
    runId: 'cycle-7',
    fields: { personalEmail: 'jane@example.com', countryIso: 'DE' },
    desiredHash: 'h',
    version: 1740816000123,
    operationId: 'op',
  },
  ...overrides,
});

function plain(row: EscrowEntry | null | undefined): EscrowEntry | null {
  if (!row) return null;
  const { etag: _etag, ...rest } = row;
  return rest;
}

const put = (store: EscrowStore, entry: EscrowEntry) => store.change(entry.workerId, () => entry);
const remove = (store: EscrowStore, workerId: string) => store.change(workerId, () => REMOVE);

async function listAll(store: EscrowStore): Promise<EscrowEntry[]> {
  const entries: EscrowEntry[] = [];
  for await (const entry of store.list()) entries.push(entry);
  return entries;
}

describe('createEscrowStore', () => {
  it('round-trips an entry with its job and the job’s plan version', async () => {
    const store = freshStore();
    await put(store, escrowed('W1', { reason: 'softDeleted' }));
    const stored = await store.get('W1');
    expect(plain(stored)).toEqual(escrowed('W1', { reason: 'softDeleted' }));
    expect(stored?.etag).toEqual(expect.any(String));
  });

  it('reads an entry the release before stored, whose job names its run cycleId, with the job’s runId', async () => {
    const store = freshStore();
    const { runId, ...job } = escrowed('W1').job;
    // The job as the release before serialised it: the run's id under its older name.
    await put(store, escrowed('W1', { job: { ...job, cycleId: runId } as unknown as WorkerJob }));
    expect(plain(await store.get('W1'))).toEqual(escrowed('W1'));
  });

  it.each(["O'Brien", 'a/b#c?', 'José', '1234567890123456'])(
    'stores, finds and removes the awkward id %j',
    async (workerId) => {
      const store = freshStore();
      await put(store, escrowed(workerId));
      expect(plain(await store.get(workerId))).toEqual(escrowed(workerId));
      expect(await remove(store, workerId)).toBeNull();
      expect(await store.get(workerId)).toBeNull();
    },
  );

  it('updates an entry in place when the worker is escrowed again', async () => {
    const store = freshStore();
    await put(store, escrowed('W2'));
    await store.change('W2', (current) => ({
      ...current!,
      attempts: current!.attempts + 1,
      nextAttempt: new Date('2025-03-01T08:15:00.000Z'),
    }));
    expect(plain(await store.get('W2'))).toEqual(
      escrowed('W2', { attempts: 3, nextAttempt: new Date('2025-03-01T08:15:00.000Z') }),
    );
    expect(await listAll(store)).toHaveLength(1);
  });

  it('removes a worker that is not escrowed without complaint', async () => {
    const store = freshStore();
    await expect(remove(store, 'never-escrowed')).resolves.toBeNull();
    await expect(store.change('never-escrowed', () => REMOVE, null)).resolves.toBeNull();
  });

  it('lists every escrowed worker', async () => {
    const store = freshStore();
    const ids = Array.from({ length: 40 }, (_, i) => `E${i}`);
    await store.changeMany(ids.map((id) => ({ workerId: id, seen: null, decide: () => escrowed(id) })));
    await remove(store, 'E7');
    const listed = await listAll(store);
    expect(listed.map((entry) => entry.workerId).sort()).toEqual(ids.filter((id) => id !== 'E7').sort());
    expect(plain(listed.find((entry) => entry.workerId === 'E3'))).toEqual(escrowed('E3'));
  });
});

describe('EscrowStore: conditional removes and batches', () => {
  /** The sweep's decision: remove the entry it replayed, unless a cycle re-escrowed the worker since. */
  const removeIfUnchanged = (replayed: EscrowEntry) => (current: EscrowEntry | null) =>
    current && current.job.runId !== replayed.job.runId ? KEEP : REMOVE;

  it('does not delete a row rewritten since it was read: REMOVE is decided again on the fresh row', async () => {
    const [sweep, cycle] = freshStores();
    await put(sweep, escrowed('R1'));
    const seen = (await sweep.get('R1'))!;
    const rewritten = escrowed('R1', { job: { ...escrowed('R1').job, runId: 'cycle-8', desiredHash: 'h2' } });
    await put(cycle, rewritten);
    const calls: Array<EscrowEntry | null> = [];
    const decide = removeIfUnchanged(seen);
    const left = await sweep.change(
      'R1',
      (current) => {
        calls.push(current);
        return decide(current);
      },
      seen,
    );
    expect(calls.map(plain)).toEqual([plain(seen), rewritten]);
    expect(plain(left)).toEqual(rewritten);
    expect(plain(await sweep.get('R1'))).toEqual(rewritten);
  });

  it('deletes the row when it is still as it was read', async () => {
    const [sweep] = freshStores();
    await put(sweep, escrowed('R2'));
    const seen = (await sweep.get('R2'))!;
    expect(await sweep.change('R2', removeIfUnchanged(seen), seen)).toBeNull();
    expect(await sweep.get('R2')).toBeNull();
  });

  it('decides again when the row it meant to remove is already gone', async () => {
    const [sweep, other] = freshStores();
    await put(sweep, escrowed('R3'));
    const seen = (await sweep.get('R3'))!;
    await remove(other, 'R3');
    const calls: Array<EscrowEntry | null> = [];
    expect(await sweep.change('R3', (current) => (calls.push(current), REMOVE), seen)).toBeNull();
    expect(calls.map(plain)).toEqual([plain(seen), null]);
  });

  it('KEEP writes nothing: the stored ETag is unchanged', async () => {
    const [store] = freshStores();
    await put(store, escrowed('K1'));
    const before = (await store.get('K1'))!;
    expect(await store.change('K1', () => KEEP, before)).toEqual(before);
    expect((await store.get('K1'))?.etag).toBe(before.etag);
  });

  it('changeMany removes, keeps and rewrites in one call, each row conditionally', async () => {
    const [store, other] = freshStores();
    await store.changeMany(
      ['A', 'B', 'C', 'D'].map((id) => ({ workerId: id, seen: null, decide: () => escrowed(id) })),
    );
    const seen = new Map((await listAll(store)).map((row) => [row.workerId, row]));
    const rewrittenD = escrowed('D', { job: { ...escrowed('D').job, runId: 'cycle-9' } });
    await put(other, rewrittenD);
    const results = await store.changeMany([
      { workerId: 'A', seen: seen.get('A')!, decide: () => REMOVE },
      { workerId: 'B', seen: seen.get('B')!, decide: () => KEEP },
      { workerId: 'C', seen: seen.get('C')!, decide: (current) => ({ ...current!, attempts: 9 }) },
      { workerId: 'D', seen: seen.get('D')!, decide: removeIfUnchanged(seen.get('D')!) },
    ]);
    const stored = new Map((await listAll(store)).map((row) => [row.workerId, row]));
    expect([...stored.keys()].sort()).toEqual(['B', 'C', 'D']);
    expect(stored.get('B')?.etag).toBe(seen.get('B')?.etag);
    expect(stored.get('C')?.attempts).toBe(9);
    expect(plain(stored.get('D'))).toEqual(rewrittenD);
    expect(results.get('A')).toBeNull();
    expect(plain(results.get('D'))).toEqual(rewrittenD);
  });
});
