/**
 * The escrow sweep. Every escrowed worker is peeked at with batched lookups (300 workers per
 * Graph request), so a user that Cloud Sync has just created is enqueued at the next sweep,
 * whatever the backoff says. Workers still missing count a retry only when their next attempt is
 * due (escrow.retryAfterMinutes), and expire after escrow.expireAfterDays.
 */
import { isExpired, nextEscrowEntry } from './escrowPolicy';
import type { Pipeline } from './pipeline';
import type { Outcome } from './outcome';
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

export async function sweepEscrow(
  deps: Deps,
  options: { runId: string; operationId?: string; onOutcome?: (outcome: Outcome) => void },
): Promise<SweepResult> {
  const now = deps.clock.now();
  const tally = new RunTally(5, options.onOutcome);
  const entries: EscrowEntry[] = [];
  let oldest = now.getTime();
  for await (const entry of deps.escrow.list()) {
    entries.push(entry);
    oldest = Math.min(oldest, entry.firstSeen.getTime());
  }
  const backlog = entries.length;
  const matchField = deps.connector.match.source;
  const keyOf = (entry: EscrowEntry) => (entry.job.fields[matchField] ?? entry.workerId).toLowerCase();
  const found = backlog > 0 ? await deps.directory.findUsersByEmployeeIds(entries.map(keyOf)) : new Map();

  const jobs: WorkerJob[] = [];
  let due = 0;
  for (const entry of entries) {
    const isDue = entry.nextAttempt.getTime() <= now.getTime();
    if (isDue) due += 1;
    if ((found.get(keyOf(entry))?.length ?? 0) > 0 || isExpired(deps.connector.escrow, entry.firstSeen, now)) {
      // Found (or expiring): the worker pipeline decides and records the outcome.
      jobs.push({ ...entry.job, cycleId: options.runId, ...(options.operationId ? { operationId: options.operationId } : {}) });
      continue;
    }
    if (!isDue) continue;
    const next = nextEscrowEntry(deps.connector.escrow, entry, entry.job, entry.reason, now);
    if (!deps.dryRun) await deps.escrow.put(next);
    tally.add({ code: 'escrowed', workerId: entry.workerId, reason: entry.reason, detail: `still no user; next attempt ${next.nextAttempt.toISOString()}` });
  }
  if (jobs.length > 0) await deps.queue.enqueue(deps.dryRun ? jobs.map((job) => ({ ...job, dryRun: true })) : jobs);
  return {
    runId: options.runId,
    startedAt: now,
    tally,
    due,
    enqueued: jobs.length,
    backlog,
    oldestAgeMinutes: backlog === 0 ? 0 : Math.round((now.getTime() - oldest) / 60_000),
  };
}
