/**
 * The per-worker ledger in Table storage (`${prefix}Ledger`): last outcome and last written state,
 * which the cycle streams to decide who needs a job.
 */
import type { ChangeView } from '../core/outcome';
import { isOutcomeCode } from '../core/outcome';
import {
  KEEP,
  REMOVE,
  type Ledger,
  type LedgerEntry,
  type PendingWrite,
  type RowDecision,
  type WorkerHistoryEntry,
} from '../core/ports';
import { withHistory } from '../core/workerHistory';
import {
  defined,
  jsonProperties,
  readDate,
  readJson,
  readNumber,
  readString,
  type EntityProperties,
} from './entityValues';
import type { StorageClients } from './storageClients';
import { tableName } from './tableKeys';
import { createWorkerTable } from './workerTable';

export function createLedger(
  clients: StorageClients,
  tablePrefix: string,
  onUnreadable?: (rowKey: string, problem: string) => void,
): Ledger {
  const table = createWorkerTable(clients, tableName(tablePrefix, 'Ledger'), {
    label: 'ledger entry',
    onUnreadable,
    toProperties,
    fromEntity,
  });
  // Every writer's decision passes here, so no path can forget the worker's history.
  const keepingHistory =
    (decide: RowDecision<LedgerEntry>): RowDecision<LedgerEntry> =>
    (current) => {
      const next = decide(current);
      return next === KEEP || next === REMOVE ? next : withHistory(current, next);
    };
  return {
    get: table.get,
    list: table.list,
    change: (workerId, decide, seen) => table.change(workerId, keepingHistory(decide), seen),
    changeMany: (changes) => table.changeMany(changes.map((c) => ({ ...c, decide: keepingHistory(c.decide) }))),
    // The hash is base64url: no quote can end the OData literal early.
    findByEmailHash: (emailHash) => table.query(`emailHash eq '${emailHash.replace(/'/g, "''")}'`),
  };
}

function toProperties(entry: LedgerEntry): EntityProperties {
  return defined({
    lastOutcome: entry.lastOutcome,
    reason: entry.reason,
    detail: entry.detail,
    desiredHash: entry.desiredHash,
    userId: entry.userId,
    emailHash: entry.emailHash,
    // The column keeps the name it had when only cycles planned jobs: rows already stored still read.
    cycleId: entry.runId,
    updatedAt: entry.updatedAt,
    verifiedAt: entry.verifiedAt,
    plannedVersion: entry.plannedVersion,
    plannedHash: entry.plannedHash,
    ...jsonProperties('writtenHashes', entry.writtenHashes),
    ...jsonProperties('lastChanges', entry.lastChanges),
    ...jsonProperties('addedHashes', entry.addedHashes),
    ...jsonProperties(
      'pendingWrites',
      entry.pendingWrites?.map((pending) => ({ ...pending, at: pending.at.toISOString() })),
    ),
    ...jsonProperties('drift', entry.drift),
    ...jsonProperties(
      'history',
      entry.history?.map((h) => ({ ...h, at: h.at.toISOString() })),
    ),
  });
}

function fromEntity(entity: EntityProperties): LedgerEntry {
  const outcome = entity.lastOutcome;
  const entry: LedgerEntry = {
    workerId: String(entity.workerId),
    // An outcome this version does not know (written by a newer one) is retried, the safe reading.
    lastOutcome: outcome === undefined || outcome === null ? undefined : isOutcomeCode(outcome) ? outcome : 'failed',
    runId: readString(entity, 'cycleId') ?? '',
    updatedAt: readDate(entity, 'updatedAt') ?? new Date(0),
  };
  const optional: Partial<LedgerEntry> = {
    reason: readString(entity, 'reason'),
    detail: readString(entity, 'detail'),
    desiredHash: readString(entity, 'desiredHash'),
    userId: readString(entity, 'userId'),
    emailHash: readString(entity, 'emailHash'),
    verifiedAt: readDate(entity, 'verifiedAt'),
    plannedVersion: readNumber(entity, 'plannedVersion'),
    plannedHash: readString(entity, 'plannedHash'),
    writtenHashes: readJson<Record<string, string>>(entity, 'writtenHashes'),
    lastChanges: readJson<ChangeView[]>(entity, 'lastChanges'),
    addedHashes: readJson<string[]>(entity, 'addedHashes'),
    pendingWrites: readJson<StoredPendingWrite[]>(entity, 'pendingWrites')?.map(pendingWriteOf),
    drift: readJson<Record<string, number>>(entity, 'drift'),
    history: readJson<Array<Omit<WorkerHistoryEntry, 'at'> & { at: string }>>(entity, 'history')?.map((h) => ({
      ...h,
      at: new Date(h.at),
    })),
  };
  return Object.assign(entry, defined(optional));
}

interface StoredPendingWrite {
  version: number;
  at: string;
  hashes: Record<string, string>;
}

/** A write-ahead record as stored; a damaged one still counts as a write that may have landed. */
function pendingWriteOf(stored: StoredPendingWrite): PendingWrite {
  const at = new Date(stored.at);
  return {
    version: typeof stored.version === 'number' ? stored.version : 0,
    at: Number.isNaN(at.getTime()) ? new Date(0) : at,
    hashes: typeof stored.hashes === 'object' && stored.hashes !== null ? stored.hashes : {},
  };
}
