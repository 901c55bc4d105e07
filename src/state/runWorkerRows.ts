/**
 * The rows of `${prefix}RunWorkers` (runWorkers.ts): a run's `run` row and its worker rows, as
 * entities and back. Worker rows hold codes, reasons, masked details and Entra object ids only.
 */
import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { maskPersonalData } from '../core/mask';
import { emptyCounts, isOutcomeCode, type Outcome, type OutcomeCounts } from '../core/outcome';
import type { JobSettlement, RunRecord, RunWorker, SettledJobs } from '../core/ports';
import {
  defined,
  jsonProperties,
  readDate,
  readJson,
  readNumber,
  readString,
  type EntityProperties,
} from './entityValues';
import { isNotFound, toStorageError } from './storageErrors';
import { encodeKey } from './tableKeys';

export const RUN_ROW = 'run';
export const WORKER_PREFIX = 'w_';
const MAX_DETAIL = 512;

export interface RunRow {
  settled: SettledJobs;
  record?: StoredRecord;
  doneAt?: Date;
  etag?: string;
}

export type StoredRecord = Omit<RunRecord, 'startedAt' | 'settled'> & { startedAt: string };

export interface WorkerRow {
  code: RunWorker['code'];
  source: RunWorker['source'];
  etag?: string;
}

export function runRowAction(
  runId: string,
  row: RunRow | null,
  settled: SettledJobs,
  done: Date | null,
  record = row?.record,
): TransactionAction {
  const doneAt = row?.doneAt ?? done ?? undefined;
  const entity: TableEntity = {
    partitionKey: encodeKey(runId),
    rowKey: RUN_ROW,
    ...defined({ superseded: settled.superseded, jobs: settled.jobs, doneAt }),
    ...jsonProperties('settled', settled.counts),
    ...jsonProperties('record', record),
  };
  return row ? ['update', entity, 'Replace', { etag: row.etag ?? '*' }] : ['create', entity];
}

export function workerEntity(
  runId: string,
  workerId: string,
  outcome: Outcome | null,
  code: RunWorker['code'],
  source: RunWorker['source'],
  at: Date,
): TableEntity {
  return {
    partitionKey: encodeKey(runId),
    rowKey: workerRowKey(workerId),
    ...defined({
      workerId,
      code,
      source,
      at,
      reason: outcome?.reason,
      // Stored free text is masked at the door, whatever the outcome's author did.
      detail: outcome?.detail ? maskPersonalData(outcome.detail).slice(0, MAX_DETAIL) : undefined,
      userId: outcome?.userId,
    }),
  };
}

export async function readRunRow(client: TableClient, runId: string): Promise<RunRow | null> {
  try {
    const entity = await client.getEntity<EntityProperties>(encodeKey(runId), RUN_ROW);
    const counts = { ...emptyCounts(), ...readJson<Partial<OutcomeCounts>>(entity, 'settled') };
    const superseded = readNumber(entity, 'superseded') ?? 0;
    const record = readJson<StoredRecord>(entity, 'record');
    const doneAt = readDate(entity, 'doneAt');
    return {
      settled: { counts, superseded, jobs: readNumber(entity, 'jobs') ?? 0 },
      record,
      doneAt,
      etag: entity.etag as string | undefined,
    };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw toStorageError(err, `reading the settled jobs of run ${runId}`);
  }
}

export async function readWorkerRows(
  client: TableClient,
  runId: string,
  settlements: readonly JobSettlement[],
): Promise<Map<string, WorkerRow | null>> {
  const rows = new Map<string, WorkerRow | null>();
  await Promise.all(
    settlements.map(async ({ workerId }) => {
      try {
        const entity = await client.getEntity<EntityProperties>(encodeKey(runId), workerRowKey(workerId));
        const worker = workerOf(entity);
        rows.set(workerId, { code: worker.code, source: worker.source, etag: entity.etag as string });
      } catch (err) {
        if (!isNotFound(err)) throw toStorageError(err, `reading run ${runId}'s row of worker ${workerId}`);
        rows.set(workerId, null);
      }
    }),
  );
  return rows;
}

export function workerOf(entity: EntityProperties): RunWorker {
  const code = readString(entity, 'code') ?? 'failed';
  const reason = readString(entity, 'reason');
  const detail = readString(entity, 'detail');
  const userId = readString(entity, 'userId');
  return {
    workerId: readString(entity, 'workerId') ?? '',
    code: code === 'superseded' || isOutcomeCode(code) ? code : 'failed',
    reason,
    detail,
    userId,
    at: readDate(entity, 'at') ?? new Date(0),
    source: readString(entity, 'source') === 'planning' ? 'planning' : 'job',
  };
}

export function recordOf(stored: StoredRecord): RunRecord {
  return { ...stored, startedAt: new Date(stored.startedAt), counts: { ...emptyCounts(), ...stored.counts } };
}

export function workerRowKey(workerId: string): string {
  return `${WORKER_PREFIX}${encodeKey(workerId)}`;
}

export function noneSettled(): SettledJobs {
  return { counts: emptyCounts(), superseded: 0, jobs: 0 };
}

export function copyOf(settled: SettledJobs): SettledJobs {
  return { counts: { ...settled.counts }, superseded: settled.superseded, jobs: settled.jobs };
}
