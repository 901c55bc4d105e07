/**
 * Which workers an incremental read asks Workday for again by id, besides the changes it reads:
 * Workday shows no new change for them, yet something waits.
 *
 * - failed, and planned with no outcome yet: every cycle (a transient fault, a lost job);
 * - a plan recorded and never applied (a CLI stopped mid-drain, a process that died), or a write
 *   in doubt (a write-ahead record whose job died): every cycle;
 * - escrowed workers whose user appeared: every cycle;
 * - rejected and conflict (bad data, which in real tenants stays bad for weeks): once every
 *   BAD_DATA_RETRY_HOURS, spread over the hours by worker id, so 2,000 bad records cost a few
 *   hundred reads an hour rather than 2,000 every cycle. Their own changes are read at once anyway.
 */
import { createHash } from 'node:crypto';
import { hasStalePendingWrite } from './ledgerRows';
import type { OutcomeCode } from './outcome';
import { isDecisionHash } from './planVersion';
import type { EscrowEntry, LedgerEntry } from './ports';

export const BAD_DATA_RETRY_HOURS = 6;
const HOUR = 3600_000;

const EVERY_CYCLE: ReadonlySet<OutcomeCode | undefined> = new Set<OutcomeCode | undefined>(['failed', undefined]);
const BAD_DATA: ReadonlySet<OutcomeCode | undefined> = new Set<OutcomeCode | undefined>(['rejected', 'conflict']);

export function idsToRetry(
  ledger: ReadonlyMap<string, LedgerEntry>,
  escrow: readonly EscrowEntry[],
  appeared: ReadonlySet<string>,
  now: Date,
): string[] {
  const ids = new Set<string>();
  for (const entry of ledger.values()) {
    if (entry.reason === 'notInScope') continue;
    if (
      EVERY_CYCLE.has(entry.lastOutcome) ||
      (BAD_DATA.has(entry.lastOutcome) && badDataDue(entry.workerId, now)) ||
      planNotApplied(entry) ||
      hasStalePendingWrite(entry, now)
    )
      ids.add(entry.workerId);
  }
  for (const entry of escrow) if (appeared.has(entry.workerId.toLowerCase())) ids.add(entry.workerId);
  return [...ids];
}

/** Whether this hour is the worker's hour to be read again (one hour in BAD_DATA_RETRY_HOURS). */
export function badDataDue(workerId: string, now: Date): boolean {
  const slot = createHash('sha256').update(workerId.toLowerCase()).digest().readUInt32BE(0) % BAD_DATA_RETRY_HOURS;
  return Math.floor(now.getTime() / HOUR) % BAD_DATA_RETRY_HOURS === slot;
}

/** A plan recorded and never applied: its job was lost, so an incremental read must ask for it. */
function planNotApplied(entry: LedgerEntry): boolean {
  return (
    entry.plannedHash !== undefined &&
    entry.plannedHash !== entry.desiredHash &&
    !isDecisionHash(entry.plannedHash) &&
    entry.lastOutcome !== 'escrowed' &&
    entry.lastOutcome !== 'held'
  );
}
