/**
 * What each run did per worker, and the settled counts of its jobs (`${prefix}RunWorkers`). One
 * partition per run: a `run` row (the run record once planning is over, the settled counts, when
 * the last job settled) and one `w_<workerId>` row per worker that settled a job or was decided
 * at planning with an outcome a person may act on. The rows hold codes, reasons, masked details
 * and Entra object ids: never a personal email (the detail is masked again before it is stored).
 *
 * Counting once. A job can settle twice: its message comes back after it settled (the host
 * crashed before deleting it, or its visibility ran out). Counting by the key (run, worker)
 * makes the second settlement a replacement, not an addition: the worker row and the `run` row
 * change in one entity-group transaction (same partition, all or nothing), conditional on both
 * rows as read. The alternative, remembering message ids, would count a job twice when the
 * same worker's job is re-planned under the same run, and could not answer "who was escrowed".
 *
 * Storage cost. Settlements that arrive together in one process go in one transaction (up to 99
 * workers and the `run` row): one read of the `run` row and one transaction per batch, not per
 * job. A crash loses no count: a job's settlement resolves only once its batch is stored, and
 * the queue message is deleted only after that, so a lost batch comes back as a redelivery.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { AppError } from '../core/errors';
import type { Outcome } from '../core/outcome';
import type { JobSettlement, RunRecord, RunWorker, SettledJobs } from '../core/ports';
import type { EntityProperties } from './entityValues';
import {
  WORKER_PREFIX,
  copyOf,
  noneSettled,
  readRunRow,
  readWorkerRows,
  recordOf,
  runRowAction,
  workerEntity,
  workerOf,
  type RunRow,
  type StoredRecord,
  type WorkerRow,
} from './runWorkerRows';
import { statusOf, storageCall, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { encodeKey, tableName } from './tableKeys';

/** A transaction holds at most 100 actions: 99 workers and the `run` row. */
const MAX_BATCH = 99;
/** Lost races in a row before giving up (transient: the queue retries the job). */
const MAX_ATTEMPTS = 20;

export interface RunWorkers {
  /** Stores the record with the run's row; returns the settled jobs so far and whether they are all in. */
  recordRun(run: RunRecord, decided: readonly Outcome[]): Promise<{ settled: SettledJobs; done: boolean }>;
  settle(runId: string, settlement: JobSettlement): Promise<RunRecord | null>;
  settledOf(runId: string): Promise<SettledJobs | undefined>;
  recordOf(runId: string): Promise<RunRecord | null>;
  workersOf(runId: string, code?: RunWorker['code']): Promise<RunWorker[]>;
}

interface Pending {
  settlement: JobSettlement;
  resolve: (done: RunRecord | null) => void;
  reject: (err: unknown) => void;
}

export function createRunWorkers(clients: StorageClients, tablePrefix: string): RunWorkers {
  const name = tableName(tablePrefix, 'RunWorkers');
  const table = () => clients.ensureTable(name);
  /** Per run: settlements waiting for the transaction in flight to end (group commit). */
  const waiting = new Map<string, Pending[]>();

  async function flush(runId: string): Promise<void> {
    for (;;) {
      const queue = waiting.get(runId) ?? [];
      if (queue.length === 0) {
        waiting.delete(runId);
        return;
      }
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const done = await commit(
          await table(),
          runId,
          batch.map((p) => p.settlement),
        );
        for (const [index, p] of batch.entries()) p.resolve(index === 0 ? done : null);
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }

  return {
    settle(runId, settlement) {
      return new Promise((resolve, reject) => {
        const queue = waiting.get(runId);
        if (queue) {
          queue.push({ settlement, resolve, reject });
          return;
        }
        waiting.set(runId, [{ settlement, resolve, reject }]);
        // Settlements arriving while this tick runs join the first batch.
        setImmediate(() => void flush(runId));
      });
    },
    async recordRun(run, decided) {
      const client = await table();
      await writeDecided(client, run.runId, decided, run.startedAt);
      return recordOnRunRow(client, run);
    },
    async settledOf(runId) {
      return (await readRunRow(await table(), runId))?.settled;
    },
    async recordOf(runId) {
      const row = await readRunRow(await table(), runId);
      return row?.record ? { ...recordOf(row.record), settled: row.settled } : null;
    },
    async workersOf(runId, code) {
      const client = await table();
      const partition = encodeKey(runId);
      const filter = code
        ? odata`PartitionKey eq ${partition} and RowKey gt ${WORKER_PREFIX} and RowKey lt ${'w`'} and code eq ${code}`
        : odata`PartitionKey eq ${partition} and RowKey gt ${WORKER_PREFIX} and RowKey lt ${'w`'}`;
      const workers: RunWorker[] = [];
      for await (const entity of client.listEntities<EntityProperties>({ queryOptions: { filter } }))
        workers.push(workerOf(entity));
      return workers.sort((a, b) => a.workerId.localeCompare(b.workerId));
    },
  };
}

/** One batch of settlements of one run: the worker rows and the `run` row in one transaction. */
async function commit(client: TableClient, runId: string, batch: readonly JobSettlement[]): Promise<RunRecord | null> {
  const settlements = [...new Map(batch.map((s) => [s.workerId, s])).values()];
  // Optimistic: a worker's first settlement is by far the common case. Only after a lost race
  // are the worker rows read, so a redelivery is decided on what is stored.
  let stored: Map<string, WorkerRow | null> | null = null;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const row = await readRunRow(client, runId);
    const next = settledAfter(runId, row, settlements, stored);
    if (next.actions.length === 0) return null;
    const done = isDone(row?.record, next.settled) && !row?.doneAt;
    const lastAt = new Date(Math.max(...settlements.map((s) => s.at.getTime())));
    const actions = [...next.actions, runRowAction(runId, row, next.settled, done ? lastAt : null)];
    try {
      await client.submitTransaction(actions);
      return done && row?.record ? { ...recordOf(row.record), settled: next.settled } : null;
    } catch (err) {
      if (!isLostRace(err)) throw toStorageError(err, `counting the settled jobs of run ${runId}`);
      stored = await readWorkerRows(client, runId, settlements);
    }
  }
  throw new AppError(
    'STORAGE.UNAVAILABLE',
    `The settled counts of run ${runId} kept changing under ${MAX_ATTEMPTS} attempts`,
    {
      transient: true,
    },
  );
}

function settledAfter(
  runId: string,
  row: RunRow | null,
  settlements: readonly JobSettlement[],
  stored: Map<string, WorkerRow | null> | null,
): { settled: SettledJobs; actions: TransactionAction[] } {
  const settled = copyOf(row?.settled ?? noneSettled());
  const actions: TransactionAction[] = [];
  for (const settlement of settlements) {
    const code = settlement.outcome?.code ?? 'superseded';
    const before = stored?.get(settlement.workerId) ?? null;
    if (before?.source === 'job' && before.code === code) continue;
    if (before?.source === 'job') take(settled, before.code, -1);
    take(settled, code, 1);
    const entity = workerEntity(runId, settlement.workerId, settlement.outcome, code, 'job', settlement.at);
    actions.push(before ? ['update', entity, 'Replace', { etag: before.etag ?? '*' }] : ['create', entity]);
  }
  return { settled, actions };
}

function take(settled: SettledJobs, code: RunWorker['code'], by: number): void {
  if (code === 'superseded') settled.superseded += by;
  else settled.counts[code] += by;
  settled.jobs += by;
}

/** Done: planning is over (the record is on the row) and every job it enqueued has ended. */
function isDone(record: StoredRecord | undefined, settled: SettledJobs): boolean {
  return record !== undefined && settled.jobs >= record.enqueued;
}

async function recordOnRunRow(client: TableClient, run: RunRecord): Promise<{ settled: SettledJobs; done: boolean }> {
  const { settled: _settled, ...record } = run;
  const stored: StoredRecord = { ...record, startedAt: run.startedAt.toISOString() };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const row = await readRunRow(client, run.runId);
    const settled = row?.settled ?? noneSettled();
    // A second record of one run id is a redelivery: the first stands, its jobs are told apart.
    if (row?.record) return { settled, done: row.doneAt !== undefined };
    const done = isDone(stored, settled);
    try {
      const finishedAt = new Date(run.startedAt.getTime() + run.durationMs);
      await client.submitTransaction([runRowAction(run.runId, row, settled, done ? finishedAt : null, stored)]);
      return { settled, done };
    } catch (err) {
      if (!isLostRace(err)) throw toStorageError(err, `recording run ${run.runId}`);
    }
  }
  throw new AppError(
    'STORAGE.UNAVAILABLE',
    `The row of run ${run.runId} kept changing under ${MAX_ATTEMPTS} attempts`,
    {
      transient: true,
    },
  );
}

/** Planning's outcomes that need a person, one row each: a worker decided at planning has no job in the run. */
async function writeDecided(client: TableClient, runId: string, decided: readonly Outcome[], at: Date): Promise<void> {
  const unique = [...new Map(decided.filter((o) => o.workerId !== '').map((o) => [o.workerId, o])).values()];
  for (let i = 0; i < unique.length; i += MAX_BATCH + 1) {
    const actions = unique
      .slice(i, i + MAX_BATCH + 1)
      .map((o): TransactionAction => ['upsert', workerEntity(runId, o.workerId, o, o.code, 'planning', at), 'Replace']);
    await storageCall(`recording the decided workers of run ${runId}`, () => client.submitTransaction(actions));
  }
}

/** 412: a row changed since it was read; 409: created meanwhile; 404: deleted meanwhile. */
function isLostRace(err: unknown): boolean {
  const status = statusOf(err);
  return status === 412 || status === 409 || status === 404;
}
