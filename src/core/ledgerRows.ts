/**
 * The ledger row a job leaves behind: one builder for every writer that records an outcome (the
 * job itself, and planning and failures, which record outcomes whose plan was not applied). Which
 * writer may change which part of the row, and when, is the table in docs/concurrency.md.
 */
import { pendingAfter } from './lateWrite';
import { valueHash, type WritePlan } from './mapping';
import type { Outcome } from './outcome';
import type { LedgerEntry, WorkerJob } from './ports';

/** The row after this job's outcome, over the row as stored now. */
export function ledgerEntry(
  job: WorkerJob,
  outcome: Outcome,
  previous: LedgerEntry | null,
  now: Date,
  plan?: WritePlan,
  drift?: Record<string, number>,
): LedgerEntry {
  const entry: LedgerEntry = {
    workerId: job.workerId,
    lastOutcome: outcome.code,
    desiredHash: job.desiredHash,
    cycleId: job.cycleId,
    updatedAt: now,
    verifiedAt: now,
  };
  // The plan stays the row's: a job records outcomes, the cycle and resync record plans.
  if (previous?.plannedVersion !== undefined) entry.plannedVersion = previous.plannedVersion;
  else if (job.version !== undefined) entry.plannedVersion = job.version;
  if (previous?.plannedHash !== undefined) entry.plannedHash = previous.plannedHash;
  else if (job.version !== undefined) entry.plannedHash = job.desiredHash;
  const email = job.fields.personalEmail;
  if (email) entry.emailHash = valueHash(email);
  if (outcome.reason) entry.reason = outcome.reason;
  if (outcome.detail) entry.detail = outcome.detail;
  if (outcome.userId) entry.userId = outcome.userId;
  const written = { ...(previous?.writtenHashes ?? {}), ...(plan?.writtenHashes ?? {}) };
  if (Object.keys(written).length > 0) entry.writtenHashes = written;
  // What the row knows beyond this outcome: other jobs' writes in flight, and every value the
  // connector added (this job's write-ahead record ends here).
  const pending = pendingAfter(previous?.pendingWrites, job, now);
  if (pending) entry.pendingWrites = pending;
  const added = plan?.writtenHashes.otherMails
    ? withAdded(previous?.addedHashes, plan.writtenHashes.otherMails)
    : previous?.addedHashes;
  if (added && added.length > 0) entry.addedHashes = added;
  const changes = plan && plan.changes.length > 0 ? plan.changes : previous?.lastChanges;
  if (changes && changes.length > 0) entry.lastChanges = changes;
  // Drift counts hold while the worker's data is what the connector wrote (drift.ts).
  const counts = drift ?? (previous?.desiredHash === entry.desiredHash ? previous?.drift : undefined);
  if (counts && Object.keys(counts).length > 0) entry.drift = counts;
  return entry;
}

/** How many otherMails values the ledger remembers having added for one worker. */
export const MAX_ADDED_HASHES = 20;

export function withAdded(known: readonly string[] | undefined, hash: string): string[] {
  return [...(known ?? []).filter((h) => h !== hash), hash].slice(-MAX_ADDED_HASHES);
}

/**
 * The row after an outcome whose plan was not applied (decided without Graph, held, failed): it
 * keeps the last applied desired hash, so the worker's next plan still counts as a change.
 */
export function unappliedEntry(job: WorkerJob, outcome: Outcome, previous: LedgerEntry | null, now: Date): LedgerEntry {
  const entry = ledgerEntry({ ...job, desiredHash: previous?.desiredHash ?? '' }, outcome, previous, now);
  if (!previous?.desiredHash) delete entry.desiredHash;
  // Nothing looked at Graph for this outcome (held, decided at planning, failed): the last check stands.
  if (previous?.verifiedAt) entry.verifiedAt = previous.verifiedAt;
  else delete entry.verifiedAt;
  return entry;
}
