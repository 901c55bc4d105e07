/**
 * A table of one entity per worker, shared by the ledger and the escrow store: keys from the
 * worker id (see tableKeys), whole-entity replace on write, streamed listing, and bulk writes
 * as per-partition transactions.
 */
import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { forEachConcurrently } from './concurrency';
import type { EntityProperties } from './entityValues';
import { isNotFound, storageCall, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { workerKeys } from './tableKeys';

export interface EntityMapping<T extends { workerId: string }> {
  /** What the table holds, for error messages ("ledger entry", "escrow entry"). */
  label: string;
  toProperties(value: T): EntityProperties;
  fromEntity(entity: EntityProperties): T;
}

export interface WorkerTable<T extends { workerId: string }> {
  get(workerId: string): Promise<T | null>;
  put(value: T): Promise<void>;
  putMany(values: readonly T[]): Promise<void>;
  remove(workerId: string): Promise<void>;
  list(): AsyncIterable<T>;
}

/** A transaction holds at most 100 actions and 4 MiB; keep a margin for the multipart framing. */
const MAX_ACTIONS_PER_TRANSACTION = 100;
const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024;
const TRANSACTIONS_IN_FLIGHT = 4;
/** The service's largest page; a page is what list() holds in memory at once. */
const PAGE_SIZE = 1000;

export function createWorkerTable<T extends { workerId: string }>(
  clients: StorageClients,
  name: string,
  mapping: EntityMapping<T>,
): WorkerTable<T> {
  const table = () => clients.ensureTable(name);
  const entityOf = (value: T): TableEntity => ({ ...mapping.toProperties(value), workerId: value.workerId, ...workerKeys(value.workerId) });

  return {
    async get(workerId) {
      const client = await table();
      const { partitionKey, rowKey } = workerKeys(workerId);
      try {
        return mapping.fromEntity(await client.getEntity(partitionKey, rowKey));
      } catch (err) {
        if (isNotFound(err)) return null;
        throw toStorageError(err, `reading the ${mapping.label} of ${workerId}`);
      }
    },
    async put(value) {
      const client = await table();
      await storageCall(`writing the ${mapping.label} of ${value.workerId}`, () => client.upsertEntity(entityOf(value), 'Replace'));
    },
    async putMany(values) {
      const client = await table();
      const batches = transactionsOf(latestPerWorker(values).map(entityOf));
      await forEachConcurrently(batches, TRANSACTIONS_IN_FLIGHT, async (batch) => {
        const actions = batch.map((entity): TransactionAction => ['upsert', entity, 'Replace']);
        await storageCall(`writing ${batch.length} ${mapping.label}s`, () => client.submitTransaction(actions));
      });
    },
    async remove(workerId) {
      const client = await table();
      const { partitionKey, rowKey } = workerKeys(workerId);
      try {
        await client.deleteEntity(partitionKey, rowKey);
      } catch (err) {
        if (!isNotFound(err)) throw toStorageError(err, `removing the ${mapping.label} of ${workerId}`);
      }
    },
    list: () => listAll(table, mapping),
  };
}

async function* listAll<T extends { workerId: string }>(table: () => Promise<TableClient>, mapping: EntityMapping<T>): AsyncIterable<T> {
  const client = await table();
  const pages = client.listEntities<EntityProperties>().byPage({ maxPageSize: PAGE_SIZE });
  for (;;) {
    const page = await storageCall(`listing ${mapping.label}s`, () => pages.next());
    if (page.done) return;
    for (const entity of page.value) yield mapping.fromEntity(entity);
  }
}

/** A transaction may touch an entity once: the last value for a worker wins. */
function latestPerWorker<T extends { workerId: string }>(values: readonly T[]): T[] {
  return [...new Map(values.map((value) => [value.workerId, value])).values()];
}

/** Groups entities by partition, then cuts each group at 100 actions or ~3 MiB. */
function transactionsOf(entities: TableEntity[]): TableEntity[][] {
  const byPartition = new Map<string, TableEntity[]>();
  for (const entity of entities) {
    const group = byPartition.get(entity.partitionKey) ?? [];
    group.push(entity);
    byPartition.set(entity.partitionKey, group);
  }
  const batches: TableEntity[][] = [];
  for (const group of byPartition.values()) {
    let batch: TableEntity[] = [];
    let bytes = 0;
    for (const entity of group) {
      const size = Buffer.byteLength(JSON.stringify(entity)) + 512;
      if (batch.length === MAX_ACTIONS_PER_TRANSACTION || (batch.length > 0 && bytes + size > MAX_TRANSACTION_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(entity);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  return batches;
}
