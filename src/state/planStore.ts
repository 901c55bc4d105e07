/**
 * Each worker's latest recorded plan as its job (`${prefix}Plans`): what a late write's repair
 * writes again and what a cycle enqueues again when a planned job was lost. It holds personal
 * emails, like the escrow table, so it is a table of its own, never read by reports.
 */
import { AppError } from '../core/errors';
import type { PlannedJob, PlanStore, WorkerJob } from '../core/ports';
import { jsonProperties, readJson, type EntityProperties } from './entityValues';
import type { StorageClients } from './storageClients';
import { tableName } from './tableKeys';
import { createWorkerTable } from './workerTable';
import { withRunId } from './jobMessage';

export function createPlanStore(clients: StorageClients, tablePrefix: string): PlanStore {
  const table = createWorkerTable(clients, tableName(tablePrefix, 'Plans'), {
    label: 'planned job',
    toProperties: (planned: PlannedJob) => jsonProperties('job', planned.job),
    fromEntity,
  });
  return { get: table.get, list: table.list, change: table.change, changeMany: table.changeMany };
}

function fromEntity(entity: EntityProperties): PlannedJob {
  const workerId = String(entity.workerId);
  const job = withRunId(readJson<WorkerJob>(entity, 'job'));
  if (!job || typeof job.desiredHash !== 'string' || typeof job.fields !== 'object' || job.fields === null) {
    throw new AppError('INTERNAL', `The planned job of ${workerId} is incomplete`);
  }
  return { workerId, job };
}
