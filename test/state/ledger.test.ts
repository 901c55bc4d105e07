import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP, type Ledger, type LedgerEntry, type RowChange } from '../../src/core/ports';
import { createLedger } from '../../src/state/ledger';
import { createStorageClients } from '../../src/state/storageClients';
import { partitionOf } from '../../src/state/tableKeys';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let ledger: Ledger;
let prefix = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.stop());

type CountingLedger = Ledger & { reads: () => number; writes: () => number; tablePrefix: string };

/** A ledger on its own clients (a separate process, as far as storage can tell); counts its requests. */
function openLedger(tablePrefix: string): CountingLedger {
  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  let reads = 0;
  let writes = 0;
  clients.table(`${tablePrefix}Ledger`).pipeline.addPolicy({
    name: 'countRequests',
    sendRequest: (request, next) => {
      if (request.method === 'GET') reads++;
      else writes++;
      return next(request);
    },
  });
  return Object.assign(createLedger(clients, tablePrefix), { reads: () => reads, writes: () => writes, tablePrefix });
}

/** A fresh ledger table per test, on the one Azurite of this file. */
const freshLedger = (): CountingLedger => openLedger(`ledgertest${++prefix}`);

const entry = (workerId: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  workerId,
  lastOutcome: 'written',
  runId: 'cycle-1',
  updatedAt: new Date('2025-03-01T10:00:00.123Z'),
  ...overrides,
});

/** The stored row without its ETag, which the storage picks. */
function plain(row: LedgerEntry | null | undefined): LedgerEntry | null {
  if (!row) return null;
  const { etag: _etag, ...rest } = row;
  return rest;
}

/** Writes the entry whatever is stored (read, then a conditional write). */
const store = (target: Ledger, value: LedgerEntry) => target.change(value.workerId, () => value);

const createAll = (target: Ledger, entries: LedgerEntry[]) =>
  target.changeMany(
    entries.map((value): RowChange<LedgerEntry> => ({ workerId: value.workerId, seen: null, decide: () => value })),
  );

async function listAll(source: Ledger): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for await (const item of source.list()) entries.push(item);
  return entries;
}

describe('createLedger', () => {
  beforeAll(() => {
    ledger = freshLedger();
  });

  it('round-trips every field, dates as Dates, nested objects intact, and the plan version above 2^31', async () => {
    const full = entry('W1', {
      reason: 'patched',
      detail: 'otherMails set',
      desiredHash: 'hash-1',
      writtenHashes: { otherMails: 'h1', usageLocation: 'h2' },
      lastChanges: [{ property: 'otherMails', before: [], after: ['j***@example.com'] }],
      userId: '00000000-0000-0000-0000-000000000001',
      emailHash: 'eh-1',
      verifiedAt: new Date('2025-03-01T10:00:01.456Z'),
      plannedVersion: 1740823200123,
      plannedHash: 'planned-1',
    });
    await store(ledger, full);
    const stored = await ledger.get('W1');
    expect(plain(stored)).toEqual(full);
    expect(stored?.etag).toEqual(expect.any(String));
  });

  it('round-trips a worker whose first plan waits for its job (no outcome yet)', async () => {
    const planned: LedgerEntry = {
      workerId: 'P1',
      runId: 'c',
      updatedAt: new Date('2025-03-01T10:00:00Z'),
      plannedVersion: 1,
      plannedHash: 'ph',
    };
    await store(ledger, planned);
    expect(plain(await ledger.get('P1'))).toEqual(planned);
  });

  it.each(["O'Brien", 'a/b#c?', 'José', '1234567890123456', 'x\\y%z 1', '日本🙂'])(
    'stores and finds the awkward id %j',
    async (workerId) => {
      await store(ledger, entry(workerId, { detail: `for ${workerId}` }));
      expect(plain(await ledger.get(workerId))).toEqual(entry(workerId, { detail: `for ${workerId}` }));
    },
  );

  it('stores a rejected worker whose id is empty, or too long and full of control characters', async () => {
    for (const workerId of ['', `\u0001${'y'.repeat(600)}\t`]) {
      await store(ledger, entry(workerId, { lastOutcome: 'rejected', reason: 'invalidWorkerId' }));
      expect(plain(await ledger.get(workerId))).toEqual(
        entry(workerId, { lastOutcome: 'rejected', reason: 'invalidWorkerId' }),
      );
    }
  });

  it('answers null for a worker it has never seen', async () => {
    expect(await ledger.get('nobody')).toBeNull();
  });

  it('replaces the whole entry, so fields left out of a new outcome are gone', async () => {
    await store(
      ledger,
      entry('W2', { reason: 'notFound', userId: 'u-1', writtenHashes: { otherMails: 'h' }, plannedVersion: 5 }),
    );
    await store(ledger, entry('W2', { lastOutcome: 'unchanged' }));
    const { history: _history, ...stored } = plain(await ledger.get('W2')) ?? { history: [] };
    expect(stored).toEqual(entry('W2', { lastOutcome: 'unchanged' }));
  });

  it("keeps the worker's earlier outcomes, newest first, and not a plan or the same outcome again", async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 8, minute));
    const outcomes = [
      entry('W4', { lastOutcome: 'escrowed', reason: 'notFound', runId: 'cycle-1', updatedAt: at(1) }),
      entry('W4', { lastOutcome: 'escrowed', reason: 'notFound', runId: 'cycle-1', updatedAt: at(2) }),
      entry('W4', { lastOutcome: 'written', runId: 'sweep-2', updatedAt: at(3) }),
      entry('W4', { lastOutcome: 'written', runId: 'sweep-2', updatedAt: at(3), plannedVersion: 9 }),
    ];
    for (const next of outcomes) await ledger.change('W4', () => next);
    const stored = await ledger.get('W4');
    expect(stored?.lastOutcome).toBe('written');
    expect(stored?.history).toEqual([{ runId: 'cycle-1', code: 'escrowed', reason: 'notFound', at: at(2) }]);
  });

  it('keeps a diff larger than one 64 KiB property', async () => {
    const mails = Array.from({ length: 250 }, (_, i) => `${'a'.repeat(230)}${i}***@example.com`);
    const big = entry('W3', { lastChanges: [{ property: 'otherMails', before: mails, after: mails }] });
    await store(ledger, big);
    expect(plain(await ledger.get('W3'))).toEqual(big);
  });
});

describe('Ledger.change: conditional read-modify-write', () => {
  it('returns the row with the ETag now stored, so it serves as the next `seen` without a conflict', async () => {
    const target = freshLedger();
    const first = await target.change('R1', () => entry('R1', { detail: 'one' }), null);
    expect(first?.etag).toBe((await target.get('R1'))?.etag);
    const seenBySecond: Array<LedgerEntry | null> = [];
    const second = await target.change(
      'R1',
      (current) => (seenBySecond.push(current), { ...entry('R1'), detail: 'two' }),
      first,
    );
    expect(seenBySecond).toEqual([first]);
    expect(second?.etag).toBe((await target.get('R1'))?.etag);
    expect(second?.etag).not.toBe(first?.etag);
  });

  it('does not overwrite a row another writer changed after it was read: it decides again on the fresh row', async () => {
    const mine = freshLedger();
    const theirs = openLedger(mine.tablePrefix);
    await store(mine, entry('C1', { detail: 'original' }));
    const seen = await mine.get('C1');
    await theirs.change('C1', (current) => ({ ...current!, userId: 'their-user' }));
    const calls: Array<LedgerEntry | null> = [];
    const left = await mine.change('C1', (current) => (calls.push(current), { ...current!, detail: 'mine' }), seen);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.userId).toBeUndefined();
    expect(calls[1]?.userId).toBe('their-user');
    expect(plain(await mine.get('C1'))).toEqual(entry('C1', { detail: 'mine', userId: 'their-user' }));
    expect(plain(left)).toEqual(entry('C1', { detail: 'mine', userId: 'their-user' }));
  });

  it('inserts only if absent: a row created meanwhile is read and decided on, not overwritten', async () => {
    const target = freshLedger();
    await store(openLedger(target.tablePrefix), entry('N1', { userId: 'existing', desiredHash: 'theirs' }));
    const calls: Array<LedgerEntry | null> = [];
    const decide = (current: LedgerEntry | null): LedgerEntry => (
      calls.push(current), current ? { ...current, detail: 'seen existing' } : entry('N1', { detail: 'fresh' })
    );
    await target.change('N1', decide, null);
    expect(calls.map(plain)).toEqual([null, entry('N1', { userId: 'existing', desiredHash: 'theirs' })]);
    expect(plain(await target.get('N1'))).toEqual(
      entry('N1', { userId: 'existing', desiredHash: 'theirs', detail: 'seen existing' }),
    );
  });

  it('writes nothing when the decision is KEEP, and returns the row as it is', async () => {
    const target = freshLedger();
    await store(target, entry('K1'));
    const before = await target.get('K1');
    const writes = target.writes();
    const left = await target.change('K1', () => KEEP, before);
    expect(target.writes()).toBe(writes);
    expect(left).toEqual(before);
    expect((await target.get('K1'))?.etag).toBe(before?.etag);
  });

  // A row built by hand (or from an older read that lost its ETag) must never be written blind
  // (`If-Match: *`): that would put back what another writer changed since.
  it('given a row without its ETag, reads the stored row and decides on it, one change or many', async () => {
    const mine = freshLedger();
    const theirs = openLedger(mine.tablePrefix);
    await store(mine, entry('E1', { detail: 'original' }));
    await store(mine, entry('E2', { detail: 'original' }));
    const stale = (workerId: string) => plain(entry(workerId, { detail: 'original' })) as LedgerEntry;
    for (const id of ['E1', 'E2']) await theirs.change(id, (current) => ({ ...current!, userId: 'their-user' }));
    await mine.change('E1', (current) => ({ ...current!, detail: 'mine' }), stale('E1'));
    await mine.changeMany([
      { workerId: 'E2', seen: stale('E2'), decide: (current) => ({ ...current!, detail: 'mine' }) },
    ]);
    for (const id of ['E1', 'E2'])
      expect(plain(await mine.get(id))).toEqual(entry(id, { detail: 'mine', userId: 'their-user' }));
  });

  it('reads the row first when no `seen` is given', async () => {
    const target = freshLedger();
    await store(target, entry('G1', { detail: 'stored' }));
    const calls: Array<LedgerEntry | null> = [];
    await target.change('G1', (current) => (calls.push(current), KEEP));
    expect(calls.map(plain)).toEqual([entry('G1', { detail: 'stored' })]);
  });
});

describe('Ledger.changeMany and list', () => {
  it('writes a few thousand entries across all partitions and lists every one', async () => {
    const many = freshLedger();
    const entries = Array.from({ length: 3000 }, (_, i) =>
      entry(`W${String(i).padStart(5, '0')}`, { desiredHash: `h${i}` }),
    );
    const results = await createAll(many, entries);
    expect(results.size).toBe(3000);
    const listed = await listAll(many);
    expect(listed).toHaveLength(3000);
    expect(new Map(listed.map((item) => [item.workerId, item.desiredHash]))).toEqual(
      new Map(entries.map((item) => [item.workerId, item.desiredHash])),
    );
    // The rows it returns carry the stored ETags: a caller can change them next without a conflict.
    expect(new Map(listed.map((item) => [item.workerId, item.etag]))).toEqual(
      new Map([...results].map(([id, row]) => [id, row?.etag])),
    );
    expect(listed.every((item) => typeof item.etag === 'string')).toBe(true);
  });

  it('streams page by page: the first entry arrives after one read of a 2,500-entry table', async () => {
    const many = freshLedger();
    await createAll(
      many,
      Array.from({ length: 2500 }, (_, i) => entry(`S${i}`)),
    );
    const readsBefore = many.reads();
    const iterator = many.list()[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    expect(many.reads() - readsBefore).toBe(1);
    let count = 1;
    while (!(await iterator.next()).done) count++;
    expect(count).toBe(2500);
    expect(many.reads() - readsBefore).toBe(3);
  });

  it('keeps the last of several changes for the same worker in one call', async () => {
    const dupes = freshLedger();
    await dupes.changeMany([
      { workerId: 'D1', seen: null, decide: () => entry('D1', { lastOutcome: 'escrowed' }) },
      { workerId: 'D2', seen: null, decide: () => entry('D2') },
      { workerId: 'D1', seen: null, decide: () => entry('D1', { lastOutcome: 'written', desiredHash: 'last' }) },
    ]);
    expect(plain(await dupes.get('D1'))).toEqual(entry('D1', { lastOutcome: 'written', desiredHash: 'last' }));
    expect(await listAll(dupes)).toHaveLength(2);
  });

  it('accepts an empty batch', async () => {
    const empty = freshLedger();
    expect((await empty.changeMany([])).size).toBe(0);
    expect(await listAll(empty)).toEqual([]);
  });

  it('lands the rest of a partition whose transaction held one stale row, and decides the stale one again', async () => {
    const mine = freshLedger();
    const theirs = openLedger(mine.tablePrefix);
    const partition = partitionOf('B0');
    const ids = Array.from({ length: 200 }, (_, i) => `B${i}`)
      .filter((id) => partitionOf(id) === partition)
      .slice(0, 5);
    expect(ids).toHaveLength(5);
    const elsewhere = Array.from({ length: 200 }, (_, i) => `X${i}`).find((id) => partitionOf(id) !== partition)!;
    await createAll(
      mine,
      [...ids, elsewhere].map((id) => entry(id, { desiredHash: 'old' })),
    );
    const seen = new Map((await listAll(mine)).map((row) => [row.workerId, row]));
    const stale = ids[2]!;
    await theirs.change(stale, (current) => ({ ...current!, userId: 'their-user' }));

    const calls = new Map<string, Array<LedgerEntry | null>>();
    const results = await mine.changeMany(
      [...ids, elsewhere].map((id) => ({
        workerId: id,
        seen: seen.get(id)!,
        decide: (current: LedgerEntry | null) => {
          calls.set(id, [...(calls.get(id) ?? []), current]);
          return { ...current!, desiredHash: 'new' };
        },
      })),
    );

    const stored = new Map((await listAll(mine)).map((row) => [row.workerId, row]));
    for (const id of [...ids, elsewhere]) {
      expect(stored.get(id)?.desiredHash).toBe('new');
      expect(results.get(id)?.etag).toBe(stored.get(id)?.etag);
    }
    expect(stored.get(stale)?.userId).toBe('their-user');
    expect(calls.get(stale)?.at(-1)?.userId).toBe('their-user');
    expect(calls.get(elsewhere)).toHaveLength(1);
  });
});

describe('Ledger.findByEmailHash', () => {
  it('returns exactly the entries whose worker has that email hash', async () => {
    const target = freshLedger();
    await createAll(target, [
      entry('M1', { emailHash: 'shared-Hash_1' }),
      entry('M2', { emailHash: 'other' }),
      entry('M3', { emailHash: 'shared-Hash_1' }),
      entry('M4'),
      entry('M5', { emailHash: 'shared-hash_1' }),
    ]);
    const found = await target.findByEmailHash('shared-Hash_1');
    expect(found.map((row) => row.workerId).sort()).toEqual(['M1', 'M3']);
    expect(found.every((row) => typeof row.etag === 'string')).toBe(true);
    expect(await target.findByEmailHash('nobody')).toEqual([]);
    // A quote cannot end the filter's literal early and widen the match.
    expect(await target.findByEmailHash("x' or emailHash ne 'x")).toEqual([]);
  });
});
