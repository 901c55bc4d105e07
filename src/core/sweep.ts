/**
 * The escrow sweep. Every escrowed worker is peeked at with batched lookups (300 workers per
 * Graph request), so a user that Cloud Sync has just created is enqueued at the next sweep,
 * whatever the backoff says. Workers still missing count a retry only when their next attempt is
 * due (escrow.retryAfterMinutes), and expire after escrow.expireAfterDays.
 *
 * The sweep changes an entry only as it is stored now: an entry closed meanwhile (the worker
 * settled by a job or a resync) stays closed, and the job it replays carries its plan version,
 * so a replay from an older plan writes nothing.
 */
import { isExpired, nextEscrowEntry } from './escrowPolicy';
import { escrowSince, listEscrow, peekEscrowed } from './escrowReads';
import type { Dependencies } from './dependencies';
import type { Outcome } from './outcome';
import { versionOf } from './planVersion';
import { KEEP, type EscrowBacklog, type EscrowEntry, type WorkerJob } from './ports';
import { type RunFigures, startFigures } from './runFigures';
import { RunTally } from './tally';

type Deps = Pick<
  Dependencies,
  'connector' | 'directory' | 'ledger' | 'escrow' | 'queue' | 'clock' | 'logger' | 'dryRun'
>;

export async function sweepEscrow(
  deps: Deps,
  options: { runId: string; operationId?: string; onOutcome?: (outcome: Outcome) => void },
): Promise<RunFigures & { escrowAtStart: ReadonlyMap<string, Date> }> {
  const now = deps.clock.now();
  const tally = new RunTally(5, options.onOutcome);
  const entries = await listEscrow(deps);
  const found = await peekEscrowed(deps, entries);

  const jobs: WorkerJob[] = [];
  for (const entry of entries) {
    const isDue = entry.nextAttempt.getTime() <= now.getTime();
    if (found.has(entry.workerId.toLowerCase()) || isExpired(deps.connector.escrow, entry.firstSeen, now)) {
      // Found (or expiring): enrichWorker decides and records the outcome. A replay already
      // waiting in the queue (a backfill ahead of it) is not enqueued again every minute.
      if (deps.dryRun || (await markReplayed(deps, entry, now)))
        jobs.push(replayOf(entry, options.runId, options.operationId));
      continue;
    }
    if (!isDue) continue;
    const next = deps.dryRun
      ? nextEscrowEntry(deps.connector.escrow, entry, entry.job, entry.reason, now)
      : await countMiss(deps, entry, now);
    if (next)
      tally.add({
        code: 'escrowed',
        workerId: entry.workerId,
        reason: entry.reason,
        detail: `still no user; next attempt ${next.nextAttempt.toISOString()}`,
      });
  }
  if (jobs.length > 0) await deps.queue.enqueue(deps.dryRun ? jobs.map((job) => ({ ...job, dryRun: true })) : jobs);
  return {
    ...startFigures({ runId: options.runId, kind: 'sweep', startedAt: now, dryRun: deps.dryRun }, tally),
    enqueued: jobs.length,
    escrowAtStart: escrowSince(entries),
  };
}

/** One more miss on an entry, as it is stored now; null when it was closed or moved on meanwhile. */
async function countMiss(deps: Deps, seen: EscrowEntry, now: Date): Promise<EscrowEntry | null> {
  let counted: EscrowEntry | null = null;
  await deps.escrow.change(
    seen.workerId,
    (current) => {
      counted = null;
      // Closed by a job or a resync, replaced by a newer plan, or already counted by another sweep.
      if (!current || versionOf(current.job) !== versionOf(seen.job) || current.nextAttempt.getTime() > now.getTime())
        return KEEP;
      counted = nextEscrowEntry(deps.connector.escrow, current, current.job, current.reason, now);
      return counted;
    },
    seen,
  );
  return counted;
}

/** How long a replay may wait in the queue before a sweep enqueues it again (its message may be lost). */
export const REPLAY_GRACE_MS = 30 * 60_000;

/** Claims the replay of an entry whose user appeared; false when a recent one still waits in the queue. */
async function markReplayed(deps: Deps, seen: EscrowEntry, now: Date): Promise<boolean> {
  let claimed = false;
  await deps.escrow.change(
    seen.workerId,
    (current) => {
      claimed = false;
      if (!current || versionOf(current.job) !== versionOf(seen.job)) return KEEP;
      if (current.replayedAt && now.getTime() - current.replayedAt.getTime() < REPLAY_GRACE_MS) return KEEP;
      claimed = true;
      return { ...current, replayedAt: now };
    },
    seen,
  );
  return claimed;
}

function replayOf(entry: EscrowEntry, runId: string, operationId?: string): WorkerJob {
  return { ...entry.job, runId, ...(operationId ? { operationId } : {}) };
}

/**
 * The backlog once a run's outcomes are known: who was in escrow at its start and did not leave,
 * plus whom it escrowed. A run whose jobs are left to the queue function reports its start.
 */
export function backlogAfter(atStart: ReadonlyMap<string, Date>, tally: RunTally, now: Date): EscrowBacklog {
  let backlog = 0;
  let oldest = now.getTime();
  for (const [workerId, firstSeen] of atStart) {
    const code = tally.codeOf(workerId);
    if (code !== undefined && code !== 'escrowed') continue;
    backlog += 1;
    oldest = Math.min(oldest, firstSeen.getTime());
  }
  backlog += tally.workersWith('escrowed').filter((workerId) => !atStart.has(workerId)).length;
  return { backlog, oldestAgeMinutes: backlog === 0 ? 0 : Math.round((now.getTime() - oldest) / 60_000) };
}
