import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ledger, LedgerEntry } from '../../src/core/ports';
import { createLedger } from '../../src/state/ledger';
import { createStorageClients } from '../../src/state/storageClients';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let ledger: Ledger;
let prefix = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.stop());

/** A fresh ledger table per test, on the one Azurite of this file; `reads` counts its list requests. */
function freshLedger(): Ledger & { reads: () => number } {
  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  const tablePrefix = `ledgertest${++prefix}`;
  let reads = 0;
  clients.table(`${tablePrefix}Ledger`).pipeline.addPolicy({
    name: 'countListRequests',
    sendRequest: (request, next) => {
      if (request.method === 'GET') reads++;
      return next(request);
    },
  });
  return Object.assign(createLedger(clients, tablePrefix), { reads: () => reads });
}

const entry = (workerId: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  workerId,
  lastOutcome: 'written',
  cycleId: 'cycle-1',
  updatedAt: new Date('2025-03-01T10:00:00.123Z'),
  ...overrides,
});

async function listAll(source: Ledger): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for await (const item of source.list()) entries.push(item);
  return entries;
}

describe('createLedger', () => {
  beforeAll(() => {
    ledger = freshLedger();
  });

  it('round-trips every field, dates as Dates and nested objects intact', async () => {
    const full = entry('W1', {
      reason: 'patched',
      detail: 'otherMails set',
      desiredHash: 'hash-1',
      writtenHashes: { otherMails: 'h1', usageLocation: 'h2' },
      lastChanges: [{ property: 'otherMails', before: [], after: ['j***@example.com'] }],
      userId: '00000000-0000-0000-0000-000000000001',
      verifiedAt: new Date('2025-03-01T10:00:01.456Z'),
    });
    await ledger.put(full);
    expect(await ledger.get('W1')).toEqual(full);
  });

  it.each(["O'Brien", 'a/b#c?', 'José', '1234567890123456', 'x\\y%z 1', '日本🙂'])('stores and finds the awkward id %j', async (workerId) => {
    await ledger.put(entry(workerId, { detail: `for ${workerId}` }));
    expect(await ledger.get(workerId)).toEqual(entry(workerId, { detail: `for ${workerId}` }));
  });

  it('stores a rejected worker whose id is empty, or too long and full of control characters', async () => {
    for (const workerId of ['', `\u0001${'y'.repeat(600)}\t`]) {
      await ledger.put(entry(workerId, { lastOutcome: 'rejected', reason: 'invalidWorkerId' }));
      expect(await ledger.get(workerId)).toEqual(entry(workerId, { lastOutcome: 'rejected', reason: 'invalidWorkerId' }));
    }
  });

  it('answers null for a worker it has never seen', async () => {
    expect(await ledger.get('nobody')).toBeNull();
  });

  it('replaces the whole entry, so fields left out of a new outcome are gone', async () => {
    await ledger.put(entry('W2', { reason: 'notFound', userId: 'u-1', writtenHashes: { otherMails: 'h' } }));
    await ledger.put(entry('W2', { lastOutcome: 'unchanged' }));
    expect(await ledger.get('W2')).toEqual(entry('W2', { lastOutcome: 'unchanged' }));
  });

  it('keeps a diff larger than one 64 KiB property', async () => {
    const mails = Array.from({ length: 250 }, (_, i) => `${'a'.repeat(230)}${i}***@example.com`);
    const big = entry('W3', { lastChanges: [{ property: 'otherMails', before: mails, after: mails }] });
    await ledger.put(big);
    expect(await ledger.get('W3')).toEqual(big);
  });
});

describe('Ledger.putMany and list', () => {
  it('writes a few thousand entries across all partitions and lists every one', async () => {
    const many = freshLedger();
    const entries = Array.from({ length: 3000 }, (_, i) => entry(`W${String(i).padStart(5, '0')}`, { desiredHash: `h${i}` }));
    await many.putMany(entries);
    const listed = await listAll(many);
    expect(listed).toHaveLength(3000);
    expect(new Map(listed.map((item) => [item.workerId, item.desiredHash]))).toEqual(new Map(entries.map((item) => [item.workerId, item.desiredHash])));
  });

  it('streams page by page: the first entry arrives after one read of a 2,500-entry table', async () => {
    const many = freshLedger();
    await many.putMany(Array.from({ length: 2500 }, (_, i) => entry(`S${i}`)));
    const iterator = many.list()[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    expect(many.reads()).toBe(1);
    let count = 1;
    while (!(await iterator.next()).done) count++;
    expect(count).toBe(2500);
    expect(many.reads()).toBe(3);
  });

  it('keeps the last of several entries for the same worker in one call', async () => {
    const dupes = freshLedger();
    await dupes.putMany([entry('D1', { lastOutcome: 'escrowed' }), entry('D2'), entry('D1', { lastOutcome: 'written', desiredHash: 'last' })]);
    expect(await dupes.get('D1')).toEqual(entry('D1', { lastOutcome: 'written', desiredHash: 'last' }));
    expect(await listAll(dupes)).toHaveLength(2);
  });

  it('accepts an empty batch', async () => {
    const empty = freshLedger();
    await empty.putMany([]);
    expect(await listAll(empty)).toEqual([]);
  });
});
