/** When an escrowed worker is tried again, and when it gives up (docs/design.md "The connector file", `escrow`). */
import type { ConnectorConfig } from './connector';
import type { EscrowEntry, EscrowReason, WorkerJob } from './ports';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The wait before retry number `attempts` (1-based); the last configured wait repeats. */
export function retryDelayMinutes(escrow: ConnectorConfig['escrow'], attempts: number): number {
  const waits = escrow.retryAfterMinutes;
  return waits[Math.min(Math.max(attempts, 1), waits.length) - 1] ?? 1;
}

export function isExpired(escrow: ConnectorConfig['escrow'], firstSeen: Date, now: Date): boolean {
  return now.getTime() - firstSeen.getTime() >= escrow.expireAfterDays * DAY;
}

/** The entry after one more miss: attempts counted, next attempt pushed back. */
export function nextEscrowEntry(
  escrow: ConnectorConfig['escrow'],
  previous: EscrowEntry | null,
  job: WorkerJob,
  reason: EscrowReason,
  now: Date,
): EscrowEntry {
  const attempts = (previous?.attempts ?? 0) + 1;
  return {
    workerId: job.workerId,
    reason,
    firstSeen: previous?.firstSeen ?? now,
    attempts,
    nextAttempt: new Date(now.getTime() + retryDelayMinutes(escrow, attempts) * MINUTE),
    job,
  };
}
