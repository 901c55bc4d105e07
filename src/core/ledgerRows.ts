/**
 * The ledger row a job leaves behind: one builder for every writer that records an outcome (the
 * job itself, and planning and failures, which record outcomes whose plan was not applied), and
 * the write-ahead records the row carries. Which writer may change which part of the row, and
 * when, is the table in docs/concurrency.md.
 */
import { valueHash, type WritePlan } from './mapping';
import type { Outcome } from './outcome';
import { versionOf } from './planVersion';
import type { LedgerEntry, PendingWrite, WorkerJob } from './ports';

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
    runId: job.runId,
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

// The write-ahead records a row carries (lateWrite.ts writes and ends them; docs/concurrency.md).

/**
 * Longest a write can stay in flight: Graph's longest pause (150 s) over the retry policy's
 * attempts, with room. A write-ahead record older than this belongs to a job that died.
 */
export const PENDING_WRITE_STALE_MS = 15 * 60_000;

/** Whether the job's own write-ahead record is on the row. */
export function hasPendingWrite(row: LedgerEntry | null, job: WorkerJob): boolean {
  return row?.pendingWrites?.some((pending) => pending.version === versionOf(job)) ?? false;
}

/** The write-ahead records of other jobs than this one. */
export function othersOf(pending: readonly PendingWrite[] | undefined, job: WorkerJob): PendingWrite[] {
  return (pending ?? []).filter((p) => p.version !== versionOf(job));
}

/** The write-ahead records a job's outcome keeps: other jobs' writes that may still be in flight. */
export function pendingAfter(
  pending: readonly PendingWrite[] | undefined,
  job: WorkerJob,
  now: Date,
): PendingWrite[] | undefined {
  // This job read Graph after a write that old had landed or died: its outcome already saw it.
  const kept = othersOf(pending, job).filter((p) => now.getTime() - p.at.getTime() <= PENDING_WRITE_STALE_MS);
  return kept.length > 0 ? kept : undefined;
}

/** Whether a row holds a write-ahead record whose job has surely died (the cycle checks the worker again). */
export function hasStalePendingWrite(row: LedgerEntry, now: Date): boolean {
  return (row.pendingWrites ?? []).some((p) => now.getTime() - p.at.getTime() > PENDING_WRITE_STALE_MS);
}

/** otherMails values `merge` retires: every one the connector added, writes in flight included. */
export function retiredByMerge(row: LedgerEntry | null): string[] {
  const retired = [...(row?.addedHashes ?? [])];
  for (const pending of row?.pendingWrites ?? [])
    if (pending.hashes.otherMails) retired.push(pending.hashes.otherMails);
  return retired;
}
