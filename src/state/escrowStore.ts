/**
 * Escrowed workers in Table storage (`${prefix}Escrow`): workers with no Entra user yet, with the
 * job to replay when their next attempt is due.
 */
import type { EscrowEntry, EscrowReason, EscrowStore, WorkerJob } from '../core/ports';
import { AppError } from '../core/errors';
import { defined, jsonProperties, readDate, readJson, readString, type EntityProperties } from './entityValues';
import type { StorageClients } from './storageClients';
import { tableName } from './tableKeys';
import { createWorkerTable } from './workerTable';
import { withRunId } from './jobMessage';

export function createEscrowStore(
  clients: StorageClients,
  tablePrefix: string,
  onUnreadable?: (rowKey: string, problem: string) => void,
): EscrowStore {
  const table = createWorkerTable(clients, tableName(tablePrefix, 'Escrow'), {
    label: 'escrow entry',
    onUnreadable,
    toProperties,
    fromEntity,
  });
  return { get: table.get, list: table.list, change: table.change, changeMany: table.changeMany };
}

function toProperties(entry: EscrowEntry): EntityProperties {
  return defined({
    reason: entry.reason,
    firstSeen: entry.firstSeen,
    attempts: entry.attempts,
    nextAttempt: entry.nextAttempt,
    replayedAt: entry.replayedAt,
    ...jsonProperties('job', entry.job),
  });
}

function fromEntity(entity: EntityProperties): EscrowEntry {
  const workerId = String(entity.workerId);
  const job = withRunId(readJson<WorkerJob>(entity, 'job'));
  const firstSeen = readDate(entity, 'firstSeen');
  const nextAttempt = readDate(entity, 'nextAttempt');
  if (!job || !firstSeen || !nextAttempt) {
    throw new AppError(
      'INTERNAL',
      `The escrow entry of ${workerId} is incomplete (job, firstSeen or nextAttempt missing)`,
    );
  }
  return {
    workerId,
    reason: readString(entity, 'reason') === 'softDeleted' ? 'softDeleted' : ('notFound' satisfies EscrowReason),
    firstSeen,
    attempts: typeof entity.attempts === 'number' ? entity.attempts : 0,
    nextAttempt,
    job,
    ...(readDate(entity, 'replayedAt') ? { replayedAt: readDate(entity, 'replayedAt') as Date } : {}),
  };
}
