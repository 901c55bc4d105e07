/**
 * Graph has no conditional write, so a job's PATCH can arrive after a newer plan's: the job passed
 * its checks, then waited (pacing, a 503 with Retry-After, a 429 pause) while the worker's data
 * changed and the newer plan's job wrote. This module keeps that rare and then repairs it:
 *
 * 1. Write-ahead: before anything leaves, the job records on the worker's row that its write is in
 *    flight and what it adds (conditional on the row: a newer plan stops it here).
 * 2. At the wire: the write's guard reads the row again just before the request leaves (after
 *    pacing, before every attempt); a newer plan stops it unsent.
 * 3. Afterwards: the job's record learns whether a newer plan was recorded meanwhile. If so, the
 *    write was late: the job claims nothing, and the newest plan is written again at once, from the
 *    fields recorded with it. A job that dies in between leaves its write-ahead record behind; its
 *    next delivery, or the next cycle, repairs in the same way.
 *
 * See docs/concurrency.md ("A late write").
 */
import type { WritePlan } from './mapping';
import type { Outcome } from './outcome';
import type { Dependencies } from './dependencies';
import { hasPendingWrite, othersOf } from './ledgerRows';
import { isSuperseded, versionOf } from './planVersion';
import { KEEP, type LedgerEntry, type PendingWrite, type WorkerJob, type WriteGuard } from './ports';

type Deps = Pick<Dependencies, 'ledger' | 'plans' | 'clock' | 'logger'>;

/** How many newer plans one late write chases before it leaves the rest to the next cycle. */
const MAX_REPAIRS = 3;

/** Records the write as in flight; null when a newer plan was recorded first (nothing may leave). */
export async function writeAhead(
  job: WorkerJob,
  plan: WritePlan,
  deps: Deps,
  previous: LedgerEntry | null,
): Promise<LedgerEntry | null> {
  const now = deps.clock.now();
  let current = true;
  const row = await deps.ledger.change(
    job.workerId,
    (row) => {
      current = !isSuperseded(job, row);
      if (!current) return KEEP;
      const base: LedgerEntry = row ?? { workerId: job.workerId, runId: job.runId, updatedAt: now };
      const mine: PendingWrite = { version: versionOf(job), at: now, hashes: { ...plan.writtenHashes } };
      return { ...base, pendingWrites: [...othersOf(base.pendingWrites, job), mine] };
    },
    previous,
  );
  return current && row ? row : null;
}

/** The guard a job's writes carry: still the worker's latest plan, as stored now. */
export function stillCurrent(job: WorkerJob, deps: Pick<Dependencies, 'ledger'>): WriteGuard {
  return async () => !isSuperseded(job, await deps.ledger.get(job.workerId));
}

/** Ends the job's write-ahead record (nothing left, or what left is recorded and repaired). */
export async function withdrawPending(job: WorkerJob, deps: Pick<Dependencies, 'ledger'>): Promise<void> {
  await deps.ledger.change(job.workerId, (row) => {
    if (!row || !hasPendingWrite(row, job)) return KEEP;
    const { pendingWrites, ...rest } = row;
    const others = othersOf(pendingWrites, job);
    return others.length > 0 ? { ...rest, pendingWrites: others } : rest;
  });
}

/** The worker's newest plan as a job: the kept job whose version and hash the ledger row names. */
export async function newestPlanJob(
  deps: Pick<Dependencies, 'ledger' | 'plans'>,
  late: WorkerJob,
): Promise<WorkerJob | null> {
  const row = await deps.ledger.get(late.workerId);
  if (row?.plannedVersion === undefined || !row.plannedHash) return null;
  const kept = await deps.plans.get(late.workerId);
  if (!kept || versionOf(kept.job) !== row.plannedVersion || kept.job.desiredHash !== row.plannedHash) return null;
  const { dryRun: _never, ...job } = kept.job;
  return late.operationId ? { ...job, operationId: late.operationId } : job;
}

/**
 * Writes the worker's newest plan again after `late` wrote an older one. A "write nothing" plan
 * (rejected, out of scope, conflict) has nothing to write back; a row without the plan's fields
 * keeps the write-ahead record, so the next cycle checks the worker against Graph.
 */
export async function repairLateWrite<D extends Deps>(
  late: WorkerJob,
  deps: D,
  run: (job: WorkerJob, deps: D) => Promise<Outcome | null>,
): Promise<void> {
  let repaired: Outcome | null = null;
  let attempts = 0;
  let newest: WorkerJob | null = null;
  while (attempts < MAX_REPAIRS && repaired === null) {
    attempts += 1;
    newest = await newestPlanJob(deps, late);
    if (newest === null) break;
    repaired = await run(newest, deps);
  }
  deps.logger.log(
    'warn',
    repaired
      ? `a write for worker ${late.workerId} reached Graph after a newer plan; the newest plan was written again (${repaired.code})`
      : `a write for worker ${late.workerId} reached Graph after a newer plan; the newest plan could not be written again here, the next cycle checks the worker`,
    { workerId: late.workerId, runId: late.runId, lateVersion: versionOf(late), event: 'lateWrite' },
  );
  if (repaired || newest !== null) await withdrawPending(late, deps);
}
