/**
 * A table of one entity per worker, shared by the ledger and the escrow store: keys from the
 * worker id (see tableKeys), streamed listing, and only conditional writes. Every write presents
 * what the writer saw: the row's ETag (`If-Match`), or insert-if-absent when it saw no row. A 412
 * or 409 means another process wrote in between: the row is read again and the caller's decision
 * taken again on what is stored now. Bulk changes go as per-partition transactions with the same
 * conditions; a transaction that loses a race falls back to one read-modify-write per row.
 */
import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { AppError } from '../core/errors';
import { KEEP, REMOVE, type ConditionalRows, type RowChange, type RowDecision } from '../core/ports';
import { forEachConcurrently } from './concurrency';
import type { EntityProperties } from './entityValues';
import { isNotFound, statusOf, storageCall, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { workerKeys } from './tableKeys';

export interface EntityMapping<T extends { workerId: string; etag?: string }> {
  /** What the table holds, for error messages ("ledger entry", "escrow entry"). */
  label: string;
  toProperties(value: T): EntityProperties;
  fromEntity(entity: EntityProperties): T;
  /**
   * Told about a row a listing or query skipped because it could not be read (a hand edit, an
   * older shape, a partial write): one bad row never stops a run that lists the table.
   */
  onUnreadable?: (rowKey: string, problem: string) => void;
}

export type WorkerTable<T extends { workerId: string; etag?: string }> = ConditionalRows<T> & {
  /** Rows matching an OData filter on their own properties (server-side), e.g. `emailHash eq '…'`. */
  query(filter: string): Promise<T[]>;
};

/** A transaction holds at most 100 actions and 4 MiB; keep a margin for the multipart framing. */
const MAX_ACTIONS_PER_TRANSACTION = 100;
const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024;
const TRANSACTIONS_IN_FLIGHT = 4;
const SINGLE_CHANGES_IN_FLIGHT = 16;
/** The service's largest page; a page is what list() holds in memory at once. */
const PAGE_SIZE = 1000;
/** Lost races in a row before giving up (transient: the queue retries the job). */
const MAX_ATTEMPTS = 12;

export function createWorkerTable<T extends { workerId: string; etag?: string }>(
  clients: StorageClients,
  name: string,
  mapping: EntityMapping<T>,
): WorkerTable<T> {
  const table = () => clients.ensureTable(name);
  const entityOf = (value: T): TableEntity => {
    const { etag: _etag, ...plain } = value;
    return { ...mapping.toProperties(plain as T), workerId: value.workerId, ...workerKeys(value.workerId) };
  };
  const read = (entity: EntityProperties & { etag?: string }): T => ({
    ...mapping.fromEntity(entity),
    etag: entity.etag || undefined,
  });
  /** A row of a listing, or null when it cannot be read (reported, skipped). */
  const readListed = (entity: EntityProperties & { etag?: string }): T | null => {
    try {
      return read(entity);
    } catch (err) {
      const problem = err instanceof Error ? err.message : String(err);
      mapping.onUnreadable?.(String(entity.rowKey ?? ''), problem);
      return null;
    }
  };

  async function get(workerId: string): Promise<T | null> {
    const client = await table();
    const { partitionKey, rowKey } = workerKeys(workerId);
    try {
      return read(await client.getEntity(partitionKey, rowKey));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toStorageError(err, `reading the ${mapping.label} of ${workerId}`);
    }
  }

  /** One conditional write of a decision; false when another writer won the race. */
  async function apply(
    client: TableClient,
    workerId: string,
    seen: T | null,
    next: T | typeof REMOVE,
  ): Promise<{ won: boolean; row: T | null }> {
    const keys = workerKeys(workerId);
    try {
      if (next === REMOVE) {
        if (seen === null) return { won: true, row: null };
        await client.deleteEntity(keys.partitionKey, keys.rowKey, { etag: etagOf(seen) });
        return { won: true, row: null };
      }
      const entity = entityOf(next);
      const response =
        seen === null
          ? await client.createEntity(entity)
          : await client.updateEntity(entity, 'Replace', { etag: etagOf(seen) });
      const { etag: _old, ...plain } = next;
      return { won: true, row: { ...(plain as T), etag: response.etag || undefined } };
    } catch (err) {
      const status = statusOf(err);
      // 412: the row changed since it was read; 409: created meanwhile; 404: deleted meanwhile.
      if (status === 412 || status === 409 || (status === 404 && seen !== null)) return { won: false, row: null };
      throw toStorageError(err, `writing the ${mapping.label} of ${workerId}`);
    }
  }

  async function change(workerId: string, decide: RowDecision<T>, seen?: T | null): Promise<T | null> {
    const client = await table();
    // A row without its ETag cannot be written conditionally: read it, never write blind.
    let current = seen === undefined || (seen !== null && !seen.etag) ? await get(workerId) : seen;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const next = decide(current);
      if (next === KEEP) return current;
      const result = await apply(client, workerId, current, next);
      if (result.won) return result.row;
      current = await get(workerId);
    }
    throw new AppError(
      'STORAGE.UNAVAILABLE',
      `The ${mapping.label} of ${workerId} kept changing under ${MAX_ATTEMPTS} attempts to write it`,
      { transient: true },
    );
  }

  async function changeMany(changes: readonly RowChange<T>[]): Promise<Map<string, T | null>> {
    const results = new Map<string, T | null>();
    const client = await table();
    const writes: Array<{ change: RowChange<T>; next: T }> = [];
    const singles: RowChange<T>[] = [];
    for (const item of lastPerWorker(changes)) {
      if (item.seen !== null && !item.seen.etag) {
        singles.push(item);
        continue;
      }
      const next = item.decide(item.seen);
      if (next === KEEP) results.set(item.workerId, item.seen);
      else if (next === REMOVE) singles.push(item);
      else writes.push({ change: item, next });
    }
    await forEachConcurrently(
      transactionsOf(writes, (w) => entityOf(w.next)),
      TRANSACTIONS_IN_FLIGHT,
      async (batch) => {
        const actions = batch.map(
          ({ change: item, next }): TransactionAction =>
            item.seen === null
              ? ['create', entityOf(next)]
              : ['update', entityOf(next), 'Replace', { etag: etagOf(item.seen) }],
        );
        try {
          const response = await client.submitTransaction(actions);
          batch.forEach(({ change: item, next }, index) => {
            const etag = response.subResponses[index]?.etag;
            const { etag: _old, ...plain } = next;
            results.set(item.workerId, { ...(plain as T), etag: etag || undefined });
          });
        } catch (err) {
          const status = statusOf(err);
          if (status !== 412 && status !== 409 && status !== 404)
            throw toStorageError(err, `writing ${batch.length} ${mapping.label}s`);
          // One row of the batch lost a race, so none was written: decide each again on its own.
          singles.push(...batch.map((w) => w.change));
        }
      },
    );
    await forEachConcurrently(singles, SINGLE_CHANGES_IN_FLIGHT, async (item) => {
      results.set(item.workerId, await change(item.workerId, item.decide, item.seen?.etag ? item.seen : undefined));
    });
    return results;
  }

  async function query(filter: string): Promise<T[]> {
    const client = await table();
    const rows: T[] = [];
    const pages = client
      .listEntities<EntityProperties>({ queryOptions: { filter } })
      .byPage({ maxPageSize: PAGE_SIZE });
    for (;;) {
      const page = await storageCall(`querying ${mapping.label}s`, () => pages.next());
      if (page.done) return rows;
      for (const entity of page.value) {
        const row = readListed(entity);
        if (row) rows.push(row);
      }
    }
  }

  return { get, change, changeMany, query, list: () => listAll(table, mapping.label, readListed) };
}

/** The ETag a conditional write presents; a row without one was never read from the table. */
function etagOf(seen: { etag?: string }): string {
  if (!seen.etag) throw new AppError('INTERNAL', 'A conditional write was asked without the row ETag it depends on');
  return seen.etag;
}

async function* listAll<T>(
  table: () => Promise<TableClient>,
  label: string,
  read: (entity: EntityProperties) => T | null,
): AsyncIterable<T> {
  const client = await table();
  const pages = client.listEntities<EntityProperties>().byPage({ maxPageSize: PAGE_SIZE });
  for (;;) {
    const page = await storageCall(`listing ${label}s`, () => pages.next());
    if (page.done) return;
    for (const entity of page.value) {
      const row = read(entity);
      if (row !== null) yield row;
    }
  }
}

/** A transaction may touch an entity once: the last change for a worker wins. */
function lastPerWorker<C extends { workerId: string }>(changes: readonly C[]): C[] {
  return [...new Map(changes.map((c) => [c.workerId, c])).values()];
}

/** Groups writes by partition, then cuts each group at 100 actions or ~3 MiB. */
function transactionsOf<W>(writes: W[], entityOf: (write: W) => TableEntity): W[][] {
  const byPartition = new Map<string, Array<{ write: W; size: number }>>();
  for (const write of writes) {
    const entity = entityOf(write);
    const group = byPartition.get(entity.partitionKey) ?? [];
    group.push({ write, size: Buffer.byteLength(JSON.stringify(entity)) + 512 });
    byPartition.set(entity.partitionKey, group);
  }
  const batches: W[][] = [];
  for (const group of byPartition.values()) {
    let batch: W[] = [];
    let bytes = 0;
    for (const { write, size } of group) {
      if (batch.length === MAX_ACTIONS_PER_TRANSACTION || (batch.length > 0 && bytes + size > MAX_TRANSACTION_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(write);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  return batches;
}
