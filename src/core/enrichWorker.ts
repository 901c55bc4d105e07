/**
 * One worker's job (the queue function enrichWorker): match by employeeId, plan the one PATCH,
 * write it, record the outcome. Outcomes are returned, not thrown; only transient faults throw,
 * for the queue to retry.
 *
 * Every message may arrive twice and late, and other processes change the same rows: so a job
 * first checks that its plan is still the worker's latest (else it writes nothing and returns
 * null), and every record it makes is a conditional change decided on the row as stored now.
 */
import { duplicateEmployeeIdConflict } from './conflicts';
import { refusalDetail } from './graphRefusal';
import { assessDrift, driftOutcome } from './drift';
import { isExpired, nextEscrowEntry } from './escrowPolicy';
import { repairLateWrite, stillCurrent, withdrawPending, writeAhead } from './lateWrite';
import { claimedHashes, desiredStateOf, isEmptyPlan, planWrite, type WritePlan } from './mapping';
import { hasPendingWrite, ledgerEntry, retiredByMerge, withAdded } from './ledgerRows';
import type { Outcome } from './outcome';
import type { Dependencies } from './dependencies';
import { isSuperseded, versionOf } from './planVersion';
import { screenPrivilegedTarget } from './privilegedTarget';
import { markRepeated } from './repeatedOutcome';
import {
  KEEP,
  REMOVE,
  type DirectoryUser,
  type EscrowEntry,
  type EscrowReason,
  type LedgerEntry,
  type WorkerJob,
  type WriteGuard,
  type WriteResult,
} from './ports';

type Deps = Pick<
  Dependencies,
  'connector' | 'directory' | 'ledger' | 'escrow' | 'plans' | 'clock' | 'logger' | 'dryRun'
>;

/** The worker's outcome, or null when a newer plan superseded the job (it wrote nothing). */
export async function enrichWorker(job: WorkerJob, deps: Deps): Promise<Outcome | null> {
  const dryRun = deps.dryRun || job.dryRun === true;
  const previous = await deps.ledger.get(job.workerId);
  // A dry run writes nothing, so an older plan cannot do harm there; a real job must be current.
  if (!dryRun && isSuperseded(job, previous)) {
    // Its own write-ahead record on the row: an earlier delivery died between its PATCH and its
    // record, so that write may have landed after the newer plan's. Write the newest plan again.
    if (hasPendingWrite(previous, job)) await repairLateWrite(job, deps, enrichWorker);
    return null;
  }
  const matchValue = job.workerId;
  const users = await deps.directory.findUsersByEmployeeId(matchValue);

  if (users.length === 0) return escrowMiss(job, deps, dryRun, previous);
  if (users.length > 1) {
    return settle(job, deps, dryRun, duplicateEmployeeIdConflict(job.workerId, matchValue, users), previous);
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
): Promise<Outcome | null> {
  const { mappings } = deps.connector;
  // Before any read of the email method and any write, dry runs included (they predict `denied`).
  const privileged = await screenPrivilegedTarget(user.id, mappings, deps.directory, previous?.writtenHashes);
  if (privileged)
    return settle(job, deps, dryRun, { ...privileged, workerId: job.workerId, userId: user.id }, previous);
  const wantsAuthEmail = mappings.some((m) => m.target === 'authenticationEmail');
  const desired = desiredStateOf(job.fields, mappings);
  // A value this connector wrote and Entra replaced is rewritten once, then left to Entra (drift.ts).
  const drift = assessDrift(
    planWrite({
      desired,
      user,
      mappings,
      authenticationEmail: wantsAuthEmail ? await deps.directory.getAuthenticationEmail(user.id) : undefined,
      previouslyWritten: previous?.writtenHashes,
      retired: retiredByMerge(previous),
    }),
    desired,
    job,
    previous,
  );
  const { plan } = drift;
  const base = { workerId: job.workerId, userId: user.id };
  if (isEmptyPlan(plan) && drift.givenUp.length > 0)
    return settle(
      job,
      deps,
      dryRun,
      driftOutcome(drift, { code: 'unchanged', ...base }),
      previous,
      undefined,
      drift.counts,
    );
  if (isEmptyPlan(plan)) {
    // The values are there: maybe our own write whose record was lost. Claim them, so that `merge`
    // can still retire them when the worker's email changes.
    const claimed = { ...plan, writtenHashes: claimedHashes(desired, mappings) };
    if (
      previous?.runId === job.runId &&
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
  // Write-ahead: the plan is checked once more and what it adds is on record before anything leaves.
  const ahead = await writeAhead(job, plan, deps, previous);
  if (ahead === null) return null;
  // The guard is asked before every attempt: once it said yes, an attempt left, and when its
  // answer was lost (a reset, a timeout) that write may still have landed.
  const current = stillCurrent(job, deps);
  let attemptsLeft = 0;
  const guard: WriteGuard = async () => {
    const yes = await current();
    if (yes) attemptsLeft += 1;
    return yes;
  };
  const applied = await applyPlan(user.id, plan, deps, guard);
  if (applied.notSent) {
    // Stopped before a retry: the attempt that left may have landed after the newer plan's write,
    // so the newest plan is written again (a no-op when it is in place). Else nothing left at all.
    if (attemptsLeft > 0) await repairLateWrite(job, deps, enrichWorker);
    else await withdrawPending(job, deps);
    return null;
  }
  const outcome: Outcome = applied.refusal
    ? { ...applied.refusal, ...base, changes: plan.changes }
    : driftOutcome(drift, { code: 'written', ...base, changes: plan.changes });
  // What a refused call still wrote (the PATCH before a refused email method) stays on record. A
  // full write leaves every desired value in place, also those the PATCH did not need to carry (an
  // older job's late write, say, put them there): the row claims those, never an older value.
  const landed = applied.refusal
    ? (applied.landed ?? undefined)
    : { ...plan, writtenHashes: { ...claimedHashes(desired, mappings), ...plan.writtenHashes } };
  const late = await recordApplied(job, deps, outcome, ahead, landed, drift.counts);
  if (!late) return outcome;
  // Superseded while Graph refused it: nothing of it reached the user, and the outcome is the newer job's.
  if (landed === undefined) {
    await withdrawPending(job, deps);
    return null;
  }
  // Learned afterwards: a newer plan was recorded while this write was on its way, so this write
  // may have replaced the newer one's. It is not this worker's outcome; the newest plan is written again.
  await repairLateWrite(job, deps, enrichWorker);
  return null;
}

/**
 * Records what a job's calls to Graph did. Returns true when a newer plan was recorded meanwhile
 * (the write was late, or refused too late to matter): then nothing of this job is claimed as the
 * worker's state, beyond the values it added, which `merge` must be able to retire.
 */
async function recordApplied(
  job: WorkerJob,
  deps: Deps,
  outcome: Outcome,
  seen: LedgerEntry,
  landed: WritePlan | undefined,
  drift?: Record<string, number>,
): Promise<boolean> {
  const now = deps.clock.now();
  let late = false;
  await deps.ledger.change(
    job.workerId,
    (current) => {
      late = isSuperseded(job, current);
      if (!late) return recordOutcome(job, outcome, current, now, landed, drift);
      return current && landed ? lateEntry(current, landed) : KEEP;
    },
    seen,
  );
  if (!late) await closeEscrow(job, deps);
  return late;
}

/** The newer plan's record stays; this late write's values join the ones the connector added. */
function lateEntry(current: LedgerEntry, landed: WritePlan): LedgerEntry | typeof KEEP {
  const added = landed.writtenHashes.otherMails;
  if (!added) return KEEP;
  return { ...current, addedHashes: withAdded(current.addedHashes, added) };
}

interface Applied {
  refusal: Omit<Outcome, 'workerId'> | null;
  /** The part of the plan that Graph accepted before a refusal, if any. */
  landed: WritePlan | null;
  /** The guard stopped the first call: nothing reached Graph. */
  notSent?: boolean;
}

/**
 * One PATCH carries every changed user property, so a refused PATCH changes nothing. The SSPR
 * email method is a second call, made only after the PATCH was accepted.
 */
async function applyPlan(userId: string, plan: WritePlan, deps: Deps, guard: WriteGuard): Promise<Applied> {
  const patched = Object.keys(plan.patch).length > 0;
  if (patched) {
    const result = await deps.directory.updateUser(userId, plan.patch, guard);
    if (result.status === 'notSent') return { refusal: null, landed: null, notSent: true };
    if (result.status !== 'ok') return { refusal: refusalOf(result, 'user'), landed: null };
  }
  if (plan.authenticationEmail) {
    const { existingId, emailAddress } = plan.authenticationEmail;
    const result = await deps.directory.setAuthenticationEmail(userId, existingId, emailAddress, guard);
    const landed = patched ? withoutAuthenticationEmail(plan) : null;
    // The PATCH went out, so its part is recorded even though the email method was stopped.
    if (result.status === 'notSent') return { refusal: null, landed, notSent: !patched };
    if (result.status !== 'ok') return { refusal: refusalOf(result, 'authenticationEmail'), landed };
  }
  return { refusal: null, landed: plan };
}

function refusalOf(
  result: Exclude<WriteResult, { status: 'ok' } | { status: 'notSent' }>,
  what: 'user' | 'authenticationEmail',
): Omit<Outcome, 'workerId'> {
  if (result.status === 'denied') return { code: 'denied', reason: result.code, detail: refusalDetail(result, what) };
  const prefix = what === 'user' ? '' : 'authentication email method: ';
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
  return markRepeated(outcome, previous);
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
  drift?: Record<string, number>,
): Promise<Outcome> {
  if (dryRun) return outcome;
  const now = deps.clock.now();
  await deps.ledger.change(job.workerId, (current) => recordOutcome(job, outcome, current, now, plan, drift), previous);
  // A settled worker has no escrow entry, whichever route it came by.
  await closeEscrow(job, deps);
  return markRepeated(outcome, previous);
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
  drift?: Record<string, number>,
): LedgerEntry | typeof KEEP {
  // Never merge a superseded job's hashes over the newer plan's: they would claim its values.
  if (isSuperseded(job, current)) return current && plan ? lateEntry(current, plan) : KEEP;
  return ledgerEntry(job, outcome, current, now, plan, drift);
}
