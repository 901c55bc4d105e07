/**
 * One truth per worker. Each worker's latest plan has a version: the moment the Workday data
 * behind it was read (ms). The cycle and resync record it in the worker's ledger row before any
 * job leaves; a job or escrow entry carries the version it was planned at, and one that is below
 * the row's version writes nothing. So a message delivered late, twice, or from an escrow entry
 * kept since an older plan can never put an older value back (see docs/concurrency.md).
 */
import type { LedgerEntry, WorkerJob } from './ports';

export const versionOf = (job: Pick<WorkerJob, 'version'>): number => job.version ?? 0;

/** Whether a newer plan than the job's exists for its worker (the job must write nothing). */
export function isSuperseded(job: Pick<WorkerJob, 'version' | 'desiredHash'>, row: LedgerEntry | null): boolean {
  if (row?.plannedVersion === undefined) return false;
  const version = versionOf(job);
  if (version !== row.plannedVersion) return version < row.plannedVersion;
  // Two plans read at the same millisecond: only the one the row holds is current.
  return row.plannedHash !== undefined && row.plannedHash !== job.desiredHash;
}

/** Whether a plan read at `version` with this hash may replace the row's plan. */
export function mayReplacePlan(row: LedgerEntry | null, version: number): boolean {
  return row?.plannedVersion === undefined || row.plannedVersion <= version;
}

/** The hash a no-write decision (rejected, out of scope, conflict) records as the worker's plan. */
export const decisionHash = (code: string, reason?: string): string => `decided:${code}:${reason ?? ''}`;

/** The plan a held cycle records: nothing is written until this data (its desired hash) is approved. */
export const heldHash = (desiredHash: string): string => `decided:held:${desiredHash}`;

/** Whether a recorded plan is a no-write decision rather than values to write. */
export const isDecisionHash = (hash: string): boolean => hash.startsWith('decided:');
