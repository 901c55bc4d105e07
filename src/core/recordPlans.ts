/**
 * What a cycle records before it enqueues: each worker's plan in its ledger row (the version a
 * job must carry to write), the outcomes decided without Graph, and the escrow entries the new
 * plan closes or replaces. Every change is decided on the row as stored now (the cycle's own
 * reading first, a fresh one after a lost race), so a job that wrote since the cycle started keeps
 * its record, and a plan recorded by a later read is never replaced by this older one.
 */
import { unappliedEntry } from './ledgerRows';
import { valueHash } from './mapping';
import type { Outcome } from './outcome';
import type { Dependencies } from './dependencies';
import { decisionHash, heldHash, mayReplacePlan, versionOf } from './planVersion';
import {
  KEEP,
  REMOVE,
  type EscrowEntry,
  type LedgerEntry,
  type PlannedJob,
  type RowChange,
  type WorkerJob,
} from './ports';

export interface Decided {
  outcome: Outcome;
  fields?: Record<string, string | null>;
  /** For held workers: the job that was not enqueued. */
  job?: WorkerJob;
}

export interface PlanRecord {
  runId: string;
  version: number;
  now: Date;
  /** The rows as the cycle read them at its start (with their ETags). */
  ledger: ReadonlyMap<string, LedgerEntry>;
  escrow: ReadonlyMap<string, EscrowEntry>;
  decided: readonly Decided[];
  held: readonly Decided[];
  jobs: readonly WorkerJob[];
}

/** Records plans and decisions; returns the jobs still current, each carrying its row's plan version. */
export async function recordPlans(
  deps: Pick<Dependencies, 'ledger' | 'escrow' | 'plans'>,
  record: PlanRecord,
): Promise<WorkerJob[]> {
  const { version, now, runId } = record;
  const changes: RowChange<LedgerEntry>[] = [];
  const seen = (workerId: string) => record.ledger.get(workerId) ?? null;
  for (const { outcome, fields } of record.decided) {
    if (outcome.workerId === '') continue;
    changes.push({
      workerId: outcome.workerId,
      seen: seen(outcome.workerId),
      decide: (current) => decision(current, outcome, fields ?? {}, runId, version, now),
    });
  }
  for (const { outcome, job } of record.held) {
    changes.push({
      workerId: outcome.workerId,
      seen: seen(outcome.workerId),
      decide: (current) => heldEntry(current, outcome, job!, version, now),
    });
  }
  for (const job of record.jobs) {
    changes.push({
      workerId: job.workerId,
      seen: seen(job.workerId),
      decide: (current) => plannedEntry(current, job, version, now),
    });
  }
  const rows = await deps.ledger.changeMany(changes);

  const current: WorkerJob[] = [];
  for (const job of record.jobs) {
    const row = rows.get(job.workerId) ?? null;
    // Another process recorded a newer plan meanwhile: its job carries that plan, not this one.
    if (row?.plannedHash !== job.desiredHash || row.plannedVersion === undefined) continue;
    current.push({ ...job, version: row.plannedVersion });
  }
  await keepPlannedJobs(deps, current);
  await settleEscrow(deps, record, current);
  return current;
}

/**
 * Each current plan's job is kept beside the ledger, so it can be written again after a late write
 * or enqueued again after its process died. Recorded after the ledger accepted the plan, and
 * conditional on the stored job's version: an older plan never replaces a newer one.
 */
async function keepPlannedJobs(deps: Pick<Dependencies, 'plans'>, jobs: readonly WorkerJob[]): Promise<void> {
  if (jobs.length === 0 || jobs.every((job) => job.dryRun)) return;
  await deps.plans.changeMany(
    jobs.map((job) => ({
      workerId: job.workerId,
      seen: null,
      decide: (stored: PlannedJob | null) =>
        stored && versionOf(stored.job) >= versionOf(job) ? KEEP : { workerId: job.workerId, job },
    })),
  );
}

/** The worker's plan is a new version only when what it asks for changed; an equal plan keeps its version. */
function plannedEntry(
  current: LedgerEntry | null,
  job: WorkerJob,
  version: number,
  now: Date,
): LedgerEntry | typeof KEEP {
  // A hold of exactly this data gives way to its approval, even one read a moment earlier.
  if (!mayReplacePlan(current, version) && current?.plannedHash !== heldHash(job.desiredHash)) return KEEP;
  if (current?.plannedHash === job.desiredHash && current.plannedVersion !== undefined) return KEEP;
  const email = job.fields.personalEmail;
  const base: LedgerEntry = current ?? { workerId: job.workerId, runId: job.runId, updatedAt: now };
  return {
    ...base,
    plannedVersion: version,
    plannedHash: job.desiredHash,
    ...(email ? { emailHash: valueHash(email) } : {}),
  };
}

/** A worker decided without Graph also gets a new plan: "write nothing", so no older job may write. */
function decision(
  current: LedgerEntry | null,
  outcome: Outcome,
  fields: Record<string, string | null>,
  runId: string,
  version: number,
  now: Date,
): LedgerEntry | typeof KEEP {
  if (!mayReplacePlan(current, version)) return KEEP;
  const hash = decisionHash(outcome.code, outcome.reason);
  // The detail counts too: it names what to fix (the clause, the user), which may change alone.
  if (
    current?.lastOutcome === outcome.code &&
    current.reason === outcome.reason &&
    current.detail === outcome.detail &&
    current.plannedHash === hash
  )
    return KEEP;
  const job: WorkerJob = { workerId: outcome.workerId, runId, fields, desiredHash: '' };
  return { ...unappliedEntry(job, outcome, current, now), plannedVersion: version, plannedHash: hash };
}

/**
 * Held: the new data is not approved yet, so the worker's plan becomes "write nothing until this
 * data is approved": a job queued before the hold, with older data, writes nothing either. A plan
 * of this very data already recorded (another cycle's approved run) is left alone, and an approved
 * plan of this data replaces the hold whatever their versions (`plannedEntry`).
 */
function heldEntry(
  current: LedgerEntry | null,
  outcome: Outcome,
  job: WorkerJob,
  version: number,
  now: Date,
): LedgerEntry | typeof KEEP {
  if (!mayReplacePlan(current, version) || current?.plannedHash === job.desiredHash) return KEEP;
  const hash = heldHash(job.desiredHash);
  if (current?.lastOutcome === 'held' && current.detail === outcome.detail && current.plannedHash === hash) return KEEP;
  const { version: _notYet, ...unversioned } = job;
  return { ...unappliedEntry(unversioned, outcome, current, now), plannedVersion: version, plannedHash: hash };
}

/**
 * Escrow after planning: a worker decided without Graph leaves escrow; an escrowed worker with a
 * new plan gets that plan in its entry, so no replay of the old one is left waiting.
 */
async function settleEscrow(
  deps: Pick<Dependencies, 'escrow'>,
  record: PlanRecord,
  jobs: readonly WorkerJob[],
): Promise<void> {
  const changes: RowChange<EscrowEntry>[] = [];
  for (const { outcome } of record.decided) {
    const entry = record.escrow.get(outcome.workerId);
    if (!entry) continue;
    changes.push({
      workerId: entry.workerId,
      seen: entry,
      decide: (now) => (now && versionOf(now.job) <= record.version ? REMOVE : KEEP),
    });
  }
  for (const job of jobs) {
    const entry = record.escrow.get(job.workerId);
    if (!entry || entry.job.desiredHash === job.desiredHash) continue;
    changes.push({
      workerId: entry.workerId,
      seen: entry,
      decide: (now) => (now && versionOf(now.job) < versionOf(job) ? { ...now, job } : KEEP),
    });
  }
  if (changes.length > 0) await deps.escrow.changeMany(changes);
}
