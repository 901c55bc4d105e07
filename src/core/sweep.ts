/**
 * The escrow sweep: re-tries escrowed workers whose next attempt is due. Users that Cloud Sync
 * created since are found with one batched lookup, and only those are enqueued; the rest wait
 * for their next attempt (or expire) without a job.
 */
import { isExpired, nextEscrowEntry } from './escrowPolicy';
import type { Pipeline } from './pipeline';
import type { EscrowEntry, WorkerJob } from './ports';
import { RunTally } from './tally';

export interface SweepResult {
  runId: string;
  startedAt: Date;
  tally: RunTally;
  due: number;
  enqueued: number;
  backlog: number;
  oldestAgeMinutes: number;
}

type Deps = Pick<Pipeline, 'connector' | 'directory' | 'ledger' | 'escrow' | 'queue' | 'clock' | 'logger' | 'dryRun'>;

export async function sweepEscrow(deps: Deps, options: { runId: string; operationId?: string }): Promise<SweepResult> {
  const now = deps.clock.now();
  const tally = new RunTally();
  const due: EscrowEntry[] = [];
  let backlog = 0;
  let oldest = now.getTime();
  for await (const entry of deps.escrow.list()) {
    backlog += 1;
    oldest = Math.min(oldest, entry.firstSeen.getTime());
    if (entry.nextAttempt.getTime() <= now.getTime()) due.push(entry);
  }
  const matchField = deps.connector.match.source;
  const keyOf = (entry: EscrowEntry) => (entry.job.fields[matchField] ?? entry.workerId).toLowerCase();
  const found = due.length > 0 ? await deps.directory.findUsersByEmployeeIds(due.map(keyOf)) : new Map();

  const jobs: WorkerJob[] = [];
  for (const entry of due) {
    if ((found.get(keyOf(entry))?.length ?? 0) > 0 || isExpired(deps.connector.escrow, entry.firstSeen, now)) {
      // Found (or expiring): the worker pipeline decides and records the outcome.
      jobs.push({ ...entry.job, cycleId: options.runId, ...(options.operationId ? { operationId: options.operationId } : {}) });
      continue;
    }
    const next = nextEscrowEntry(deps.connector.escrow, entry, entry.job, entry.reason, now);
    if (!deps.dryRun) await deps.escrow.put(next);
    tally.add({ code: 'escrowed', workerId: entry.workerId, reason: entry.reason, detail: `still no user; next attempt ${next.nextAttempt.toISOString()}` });
  }
  if (jobs.length > 0) await deps.queue.enqueue(deps.dryRun ? jobs.map((job) => ({ ...job, dryRun: true })) : jobs);
  return {
    runId: options.runId,
    startedAt: now,
    tally,
    due: due.length,
    enqueued: jobs.length,
    backlog,
    oldestAgeMinutes: backlog === 0 ? 0 : Math.round((now.getTime() - oldest) / 60_000),
  };
}
