/**
 * The per-worker pipeline: match by employeeId, plan the one PATCH, write it, record the outcome.
 * Outcomes are returned, not thrown; only transient faults throw, for the queue to retry.
 *
 * Every message may arrive twice and late, and other processes change the same rows: so a job
 * first checks that its plan is still the worker's latest (else it writes nothing and returns
 * null), and every record it makes is a conditional change decided on the row as stored now.
 */
import { isExpired, nextEscrowEntry } from './escrowPolicy';
import { claimedHashes, desiredStateOf, isEmptyPlan, planWrite, valueHash, type WritePlan } from './mapping';
import type { Outcome } from './outcome';
import type { Pipeline } from './pipeline';
import { isSuperseded, versionOf } from './planVersion';
import { screenPrivilegedTarget } from './privilegedTarget';
import {
  KEEP,
  REMOVE,
  type DirectoryUser,
  type EscrowEntry,
  type EscrowReason,
  type LedgerEntry,
  type WorkerJob,
  type WriteResult,
} from './ports';

type Deps = Pick<Pipeline, 'connector' | 'directory' | 'ledger' | 'escrow' | 'clock' | 'logger' | 'dryRun'>;

/** The worker's outcome, or null when a newer plan superseded the job (it wrote nothing). */
export async function enrichWorker(job: WorkerJob, deps: Deps): Promise<Outcome | null> {
  const dryRun = deps.dryRun || job.dryRun === true;
  const previous = await deps.ledger.get(job.workerId);
  // A dry run writes nothing, so an older plan cannot do harm there; a real job must be current.
  if (!dryRun && isSuperseded(job, previous)) return null;
  const matchValue = job.workerId;
  const users = await deps.directory.findUsersByEmployeeId(matchValue);

  if (users.length === 0) return escrowMiss(job, deps, dryRun, previous);
  if (users.length > 1) {
    const outcome: Outcome = {
      code: 'conflict',
      workerId: job.workerId,
      reason: 'duplicateEmployeeId',
      detail: `${users.length} users share employeeId '${matchValue}'; none is written`,
    };
    return settle(job, deps, dryRun, outcome, previous);
  }
  const user = users[0] as DirectoryUser;
  if (user.onPremisesSyncEnabled !== true) {
    const outcome: Outcome = {
      code: 'conflict',
      workerId: job.workerId,
      userId: user.id,
      reason: 'notSyncedUser',
      detail: 'the matched user is not synced from Active Directory: it belongs to the cloud-only connector',
    };
    return settle(job, deps, dryRun, outcome, previous);
  }
  return writeUser(job, deps, dryRun, user, previous);
}

async function writeUser(
  job: WorkerJob,
  deps: Deps,
  dryRun: boolean,
  user: DirectoryUser,
  previous: LedgerEntry | null,
): Promise<Outcome> {
  const { mappings } = deps.connector;
  // Before any read of the email method and any write, dry runs included (they predict `denied`).
  const privileged = await screenPrivilegedTarget(user.id, mappings, deps.directory, previous?.writtenHashes);
  if (privileged)
    return settle(job, deps, dryRun, { ...privileged, workerId: job.workerId, userId: user.id }, previous);
  const wantsAuthEmail = mappings.some((m) => m.target === 'authenticationEmail');
  const desired = desiredStateOf(job.fields, mappings);
  const plan = planWrite({
    desired,
    user,
    mappings,
    authenticationEmail: wantsAuthEmail ? await deps.directory.getAuthenticationEmail(user.id) : undefined,
    previouslyWritten: previous?.writtenHashes,
  });
  const base = { workerId: job.workerId, userId: user.id };
  if (isEmptyPlan(plan)) {
    // The values are there: maybe our own write whose record was lost. Claim them, so that `merge`
    // can still retire them when the worker's email changes.
    const claimed = { ...plan, writtenHashes: claimedHashes(desired, mappings) };
    if (
      previous?.cycleId === job.cycleId &&
      previous.lastOutcome === 'written' &&
      previous.desiredHash === job.desiredHash
    ) {
      // A redelivered job whose write already landed is still the cycle's one `written`.
      return { code: 'written', ...base, reason: 'alreadyApplied', changes: previous.lastChanges ?? [] };
    }
    return settle(job, deps, dryRun, { code: 'unchanged', ...base }, previous, { ...claimed, changes: [] });
  }
  if (dryRun)
    return {
      code: 'written',
      ...base,
      reason: 'dryRun',
      detail: 'dry run: planned, not written',
      changes: plan.changes,
    };
  const applied = await applyPlan(user.id, plan, deps);
  if (applied.refusal) {
    // What the PATCH already wrote stays on record, so merge mode can still retire it later.
    return settle(
      job,
      deps,
      dryRun,
      { ...applied.refusal, ...base, changes: plan.changes },
      previous,
      applied.landed ?? undefined,
    );
  }
  const outcome: Outcome = { code: 'written', ...base, changes: plan.changes };
  return settle(job, deps, dryRun, outcome, previous, plan);
}

interface Applied {
  refusal: Omit<Outcome, 'workerId'> | null;
  /** The part of the plan that Graph accepted before a refusal, if any. */
  landed: WritePlan | null;
}

/**
 * One PATCH carries every changed user property, so a refused PATCH changes nothing. The SSPR
 * email method is a second call, made only after the PATCH was accepted.
 */
async function applyPlan(userId: string, plan: WritePlan, deps: Deps): Promise<Applied> {
  const patched = Object.keys(plan.patch).length > 0;
  if (patched) {
    const result = await deps.directory.updateUser(userId, plan.patch);
    if (result.status !== 'ok') return { refusal: refusalOf(result, ''), landed: null };
  }
  if (plan.authenticationEmail) {
    const { existingId, emailAddress } = plan.authenticationEmail;
    const result = await deps.directory.setAuthenticationEmail(userId, existingId, emailAddress);
    if (result.status !== 'ok')
      return {
        refusal: refusalOf(result, 'authentication email method: '),
        landed: patched ? withoutAuthenticationEmail(plan) : null,
      };
  }
  return { refusal: null, landed: plan };
}

function refusalOf(result: Exclude<WriteResult, { status: 'ok' }>, prefix: string): Omit<Outcome, 'workerId'> {
  if (result.status === 'denied') return { code: 'denied', reason: result.code, detail: `${prefix}${result.message}` };
  return { code: 'rejected', reason: 'graphRefusedValue', detail: `${prefix}${result.code}: ${result.message}` };
}

function withoutAuthenticationEmail(plan: WritePlan): WritePlan {
  const { authenticationEmail: _omitted, ...writtenHashes } = plan.writtenHashes;
  return {
    ...plan,
    authenticationEmail: null,
    writtenHashes,
    changes: plan.changes.filter((c) => c.property !== 'authenticationEmail'),
  };
}

async function escrowMiss(job: WorkerJob, deps: Deps, dryRun: boolean, previous: LedgerEntry | null): Promise<Outcome> {
  const deleted = await deps.directory.findDeletedUsersByEmployeeId(job.workerId);
  const reason: EscrowReason = deleted.supported && deleted.users.length > 0 ? 'softDeleted' : 'notFound';
  const now = deps.clock.now();
  // Expiry sticks until the worker's data changes: a re-verification must not open a new entry.
  if (previous?.lastOutcome === 'expired' && previous.desiredHash === job.desiredHash) {
    return settle(
      job,
      deps,
      dryRun,
      { code: 'expired', workerId: job.workerId, reason, detail: previous.detail ?? 'escrow expired earlier' },
      previous,
    );
  }
  /** One more miss on the entry: expired (the entry closes) or escrowed with the next attempt. */
  const missOn = (existing: EscrowEntry | null): { outcome: Outcome; next: EscrowEntry | typeof REMOVE } => {
    if (existing && isExpired(deps.connector.escrow, existing.firstSeen, now)) {
      return { outcome: expiredOutcome(job, reason, existing, deps), next: REMOVE };
    }
    const next = nextEscrowEntry(deps.connector.escrow, existing, job, reason, now);
    return { outcome: escrowedOutcome(job, reason, next), next };
  };
  if (dryRun) return missOn(await deps.escrow.get(job.workerId)).outcome;
  let miss = missOn(null);
  const entry = await deps.escrow.change(job.workerId, (existing) => {
    // An entry planned later than this job is the newer job's to keep.
    if (existing && versionOf(existing.job) > versionOf(job)) return KEEP;
    miss = missOn(existing);
    return miss.next;
  });
  const { outcome } = miss;
  if (miss.next === REMOVE) return settle(job, deps, dryRun, outcome, previous);
  let settledMeanwhile = false;
  await deps.ledger.change(
    job.workerId,
    (current) => {
      if (isSuperseded(job, current)) return KEEP;
      // Another delivery of this plan found the user meanwhile: a miss does not undo its outcome.
      settledMeanwhile =
        current !== null &&
        current.etag !== previous?.etag &&
        (current.lastOutcome === 'written' || current.lastOutcome === 'unchanged') &&
        current.desiredHash === job.desiredHash;
      return settledMeanwhile ? KEEP : ledgerEntry(job, outcome, current, now);
    },
    previous,
  );
  if (settledMeanwhile && entry) await closeEscrow(job, deps, entry);
  return outcome;
}

function escrowedOutcome(job: WorkerJob, reason: EscrowReason, entry: EscrowEntry): Outcome {
  const detail =
    reason === 'softDeleted'
      ? 'only a soft-deleted user has this employeeId; the connector never restores users'
      : `no user with this employeeId yet; next attempt ${entry.nextAttempt.toISOString()}`;
  return { code: 'escrowed', workerId: job.workerId, reason, detail };
}

function expiredOutcome(job: WorkerJob, reason: EscrowReason, existing: EscrowEntry, deps: Deps): Outcome {
  return {
    code: 'expired',
    workerId: job.workerId,
    reason,
    detail: `no synced user after ${deps.connector.escrow.expireAfterDays} days in escrow (first seen ${existing.firstSeen.toISOString()})`,
  };
}

/** Records a final (non-escrow) outcome: ledger changed, the worker's escrow entry closed. Dry runs record nothing. */
async function settle(
  job: WorkerJob,
  deps: Deps,
  dryRun: boolean,
  outcome: Outcome,
  previous: LedgerEntry | null,
  plan?: WritePlan,
): Promise<Outcome> {
  if (dryRun) return outcome;
  const now = deps.clock.now();
  await deps.ledger.change(job.workerId, (current) => recordOutcome(job, outcome, current, now, plan), previous);
  // A settled worker has no escrow entry, whichever route it came by.
  await closeEscrow(job, deps);
  return outcome;
}

/** Removes the worker's escrow entry unless a newer plan's job made it. */
async function closeEscrow(job: WorkerJob, deps: Deps, seen?: EscrowEntry): Promise<void> {
  await deps.escrow.change(
    job.workerId,
    (entry) => (entry && versionOf(entry.job) <= versionOf(job) ? REMOVE : KEEP),
    seen,
  );
}

/**
 * The ledger row after this job's outcome, decided on the row as stored now. When a newer plan
 * arrived meanwhile, the outcome is the newer job's to record; what this job wrote is still kept.
 */
function recordOutcome(
  job: WorkerJob,
  outcome: Outcome,
  current: LedgerEntry | null,
  now: Date,
  plan?: WritePlan,
): LedgerEntry | typeof KEEP {
  if (isSuperseded(job, current)) {
    if (!current || !plan || Object.keys(plan.writtenHashes).length === 0) return KEEP;
    return { ...current, writtenHashes: { ...(current.writtenHashes ?? {}), ...plan.writtenHashes } };
  }
  return ledgerEntry(job, outcome, current, now, plan);
}

function ledgerEntry(
  job: WorkerJob,
  outcome: Outcome,
  previous: LedgerEntry | null,
  now: Date,
  plan?: WritePlan,
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
  const changes = plan && plan.changes.length > 0 ? plan.changes : previous?.lastChanges;
  if (changes && changes.length > 0) entry.lastChanges = changes;
  return entry;
}

/**
 * The row after an outcome whose plan was not applied (decided without Graph, held, failed): it
 * keeps the last applied desired hash, so the worker's next plan still counts as a change.
 */
export function unappliedEntry(job: WorkerJob, outcome: Outcome, previous: LedgerEntry | null, now: Date): LedgerEntry {
  const entry = ledgerEntry({ ...job, desiredHash: previous?.desiredHash ?? '' }, outcome, previous, now);
  if (!previous?.desiredHash) delete entry.desiredHash;
  return entry;
}
