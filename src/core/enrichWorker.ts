/**
 * The per-worker pipeline: match by employeeId, plan the one PATCH, write it, record the outcome.
 * Outcomes are returned, not thrown; only transient faults throw, for the queue to retry.
 */
import { isExpired, nextEscrowEntry } from './escrowPolicy';
import { desiredStateOf, isEmptyPlan, planWrite, valueHash, type WritePlan } from './mapping';
import { SETTLED_OUTCOMES, type Outcome } from './outcome';
import type { Pipeline } from './pipeline';
import type { DirectoryUser, EscrowReason, LedgerEntry, WorkerJob, WriteResult } from './ports';

type Deps = Pick<Pipeline, 'connector' | 'directory' | 'ledger' | 'escrow' | 'clock' | 'logger' | 'dryRun'>;

export async function enrichWorker(job: WorkerJob, deps: Deps): Promise<Outcome> {
  const dryRun = deps.dryRun || job.dryRun === true;
  const previous = await deps.ledger.get(job.workerId);
  const matchValue = job.fields[deps.connector.match.source] ?? job.workerId;
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

async function writeUser(job: WorkerJob, deps: Deps, dryRun: boolean, user: DirectoryUser, previous: LedgerEntry | null): Promise<Outcome> {
  const { mappings } = deps.connector;
  const wantsAuthEmail = mappings.some((m) => m.target === 'authenticationEmail');
  const plan = planWrite({
    desired: desiredStateOf(job.fields, mappings),
    user,
    mappings,
    authenticationEmail: wantsAuthEmail ? await deps.directory.getAuthenticationEmail(user.id) : undefined,
    previouslyWritten: previous?.writtenHashes,
  });
  const base = { workerId: job.workerId, userId: user.id };
  if (isEmptyPlan(plan)) {
    // A redelivered job whose write already landed is still the cycle's one `written`.
    if (previous?.cycleId === job.cycleId && previous.lastOutcome === 'written' && previous.desiredHash === job.desiredHash) {
      return { code: 'written', ...base, reason: 'alreadyApplied', changes: previous.lastChanges ?? [] };
    }
    return settle(job, deps, dryRun, { code: 'unchanged', ...base }, previous);
  }
  if (dryRun) return { code: 'written', ...base, reason: 'dryRun', detail: 'dry run: planned, not written', changes: plan.changes };
  const applied = await applyPlan(user.id, plan, deps);
  if (applied.refusal) {
    // What the PATCH already wrote stays on record, so merge mode can still retire it later.
    return settle(job, deps, dryRun, { ...applied.refusal, ...base, changes: plan.changes }, previous, applied.landed ?? undefined);
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
    if (result.status !== 'ok') return { refusal: refusalOf(result, 'authentication email method: '), landed: patched ? withoutAuthenticationEmail(plan) : null };
  }
  return { refusal: null, landed: plan };
}

function refusalOf(result: Exclude<WriteResult, { status: 'ok' }>, prefix: string): Omit<Outcome, 'workerId'> {
  if (result.status === 'denied') return { code: 'denied', reason: result.code, detail: `${prefix}${result.message}` };
  return { code: 'rejected', reason: 'graphRefusedValue', detail: `${prefix}${result.code}: ${result.message}` };
}

function withoutAuthenticationEmail(plan: WritePlan): WritePlan {
  const { authenticationEmail: _omitted, ...writtenHashes } = plan.writtenHashes;
  return { ...plan, authenticationEmail: null, writtenHashes, changes: plan.changes.filter((c) => c.property !== 'authenticationEmail') };
}

async function escrowMiss(job: WorkerJob, deps: Deps, dryRun: boolean, previous: LedgerEntry | null): Promise<Outcome> {
  const matchValue = job.fields[deps.connector.match.source] ?? job.workerId;
  const deleted = await deps.directory.findDeletedUsersByEmployeeId(matchValue);
  const reason: EscrowReason = deleted.supported && deleted.users.length > 0 ? 'softDeleted' : 'notFound';
  const now = deps.clock.now();
  // Expiry sticks until the worker's data changes: a re-verification must not open a new entry.
  if (previous?.lastOutcome === 'expired' && previous.desiredHash === job.desiredHash) {
    return settle(job, deps, dryRun, { code: 'expired', workerId: job.workerId, reason, detail: previous.detail ?? 'escrow expired earlier' }, previous);
  }
  const existing = await deps.escrow.get(job.workerId);
  if (existing && isExpired(deps.connector.escrow, existing.firstSeen, now)) {
    const outcome: Outcome = {
      code: 'expired',
      workerId: job.workerId,
      reason,
      detail: `no synced user after ${deps.connector.escrow.expireAfterDays} days in escrow (first seen ${existing.firstSeen.toISOString()})`,
    };
    return settle(job, deps, dryRun, outcome, previous);
  }
  const entry = nextEscrowEntry(deps.connector.escrow, existing, job, reason, now);
  const detail =
    reason === 'softDeleted'
      ? 'only a soft-deleted user has this employeeId; the connector never restores users'
      : `no user with this employeeId yet; next attempt ${entry.nextAttempt.toISOString()}`;
  const outcome: Outcome = { code: 'escrowed', workerId: job.workerId, reason, detail };
  if (dryRun) return outcome;
  await deps.escrow.put(entry);
  await deps.ledger.put(ledgerEntry(job, outcome, previous, now));
  return outcome;
}

/** Records a final (non-escrow) outcome: ledger updated, any escrow entry closed. Dry runs record nothing. */
async function settle(job: WorkerJob, deps: Deps, dryRun: boolean, outcome: Outcome, previous: LedgerEntry | null, plan?: WritePlan): Promise<Outcome> {
  if (dryRun) return outcome;
  const now = deps.clock.now();
  await deps.ledger.put(ledgerEntry(job, outcome, previous, now, plan));
  // A settled worker has no escrow entry; any other may (escrowed, then failed, held or in conflict).
  if (!previous || !SETTLED_OUTCOMES.has(previous.lastOutcome) || outcome.code === 'expired') {
    await deps.escrow.remove(job.workerId);
  }
  return outcome;
}

export function ledgerEntry(job: WorkerJob, outcome: Outcome, previous: LedgerEntry | null, now: Date, plan?: WritePlan): LedgerEntry {
  const entry: LedgerEntry = {
    workerId: job.workerId,
    lastOutcome: outcome.code,
    desiredHash: job.desiredHash,
    cycleId: job.cycleId,
    updatedAt: now,
    verifiedAt: now,
  };
  const email = job.fields.personalEmail;
  if (email) entry.emailHash = valueHash(email);
  if (outcome.reason) entry.reason = outcome.reason;
  if (outcome.detail) entry.detail = outcome.detail;
  if (outcome.userId) entry.userId = outcome.userId;
  const written = { ...(previous?.writtenHashes ?? {}), ...(plan?.writtenHashes ?? {}) };
  if (Object.keys(written).length > 0) entry.writtenHashes = written;
  const changes = plan ? plan.changes : previous?.lastChanges;
  if (changes && changes.length > 0) entry.lastChanges = changes;
  return entry;
}
