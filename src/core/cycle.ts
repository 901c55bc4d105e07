/**
 * One enrichment cycle's planning: read every worker, validate, scope, find conflicts, compare
 * with the ledger, apply the mass-change guard, and enqueue one job per worker that needs one.
 * Nothing is enqueued or recorded until the whole read has succeeded.
 */
import { ensureAppError } from './errors';
import { ledgerEntry } from './enrichWorker';
import { desiredHash, desiredStateOf, valueHash } from './mapping';
import { SETTLED_OUTCOMES, type Outcome, type OutcomeCode } from './outcome';
import type { Pipeline } from './pipeline';
import type { LedgerEntry, WorkerJob } from './ports';
import { scopeOf } from './scope';
import { RunTally } from './tally';
import { screenWorker } from './screenWorker';
import { parseWorker, type Worker } from './worker';

export interface CycleOptions {
  runId: string;
  dryRun: boolean;
  /** `--approve`: let this cycle's changes through the mass-change guard. */
  approve: boolean;
  /** `--reverify`: check every in-scope worker against Graph, whatever the ledger says. */
  reverify: boolean;
  /** Force a full read from an incremental-capable source. */
  fullRead?: boolean;
  operationId?: string;
  /** Every outcome decided while planning (rejected, out of scope, conflicts, held, settled denied). */
  onOutcome?: (outcome: Outcome) => void;
}

export interface CyclePlan {
  runId: string;
  startedAt: Date;
  dryRun: boolean;
  tally: RunTally;
  /** Jobs handed to the queue (0 when held). */
  enqueued: number;
  /** Changes against the ledger (what the guard counts). */
  changes: number;
  held: boolean;
  /** A dry run over the guard: planned in full, but a real cycle would be held. */
  wouldBeHeld: boolean;
  approvedBy: 'flag' | 'setting' | null;
  read: 'full' | 'incremental';
  workersRead: number;
  workdayReadMs: number;
}

interface Candidate {
  worker: Worker;
  hash: string;
  previous: LedgerSummary | undefined;
}

type LedgerSummary = Pick<LedgerEntry, 'lastOutcome' | 'reason' | 'desiredHash' | 'verifiedAt'> & { entry: LedgerEntry };

type Deps = Omit<Pipeline, 'directory'>;

export async function planCycle(deps: Deps, options: CycleOptions): Promise<CyclePlan> {
  const startedAt = deps.clock.now();
  const tally = new RunTally(5, options.onOutcome);
  const ledger = await loadLedger(deps);
  const readPlan = await chooseRead(deps, options, startedAt);

  const readStarted = Date.now();
  const { candidates, decided, workersRead } = await readAndClassify(deps, ledger, readPlan.updatedFrom, startedAt);
  const workdayReadMs = Date.now() - readStarted;

  const ledgerWrites: LedgerEntry[] = [];
  const escrowRemovals: string[] = [];
  const recordDecided = (outcome: Outcome, hash?: string, fields: Record<string, string | null> = {}): void => {
    tally.add(outcome, { keyed: outcome.workerId !== '' });
    const previous = ledger.get(outcome.workerId);
    // An escrowed worker decided otherwise must leave escrow, or the sweep would replay its old job.
    if (previous?.lastOutcome === 'escrowed' || previous?.lastOutcome === 'failed') escrowRemovals.push(outcome.workerId);
    if (outcome.workerId !== '' && (previous?.lastOutcome !== outcome.code || previous?.reason !== outcome.reason)) {
      const job = { workerId: outcome.workerId, cycleId: options.runId, fields, desiredHash: hash ?? '' };
      const entry = ledgerEntry(job, outcome, previous?.entry ?? null, startedAt);
      if (!hash) delete entry.desiredHash;
      ledgerWrites.push(entry);
    }
  };
  for (const { outcome, hash, fields } of decided) recordDecided(outcome, hash, fields);

  const reverifyBefore = startedAt.getTime() - deps.connector.guards.reverifyEveryHours * 3600_000;
  const jobs: WorkerJob[] = [];
  let changes = 0;
  let settled = 0;
  for (const candidate of candidates) {
    const previous = candidate.previous;
    const isChange = previous?.desiredHash !== candidate.hash;
    const verifyDue = !previous?.verifiedAt || previous.verifiedAt.getTime() <= reverifyBefore;
    // An escrowed worker whose data did not change belongs to the sweep, which peeks at every
    // escrowed worker each minute in batched lookups; a cycle job would only repeat that.
    const ownedBySweep = previous?.lastOutcome === 'escrowed' && !isChange && !options.reverify;
    const needsJob = !ownedBySweep && (isChange || options.reverify || verifyDue || !SETTLED_OUTCOMES.has(previous.lastOutcome));
    if (!needsJob) {
      if (previous.lastOutcome === 'written' || previous.lastOutcome === 'unchanged') settled += 1;
      else tally.add({ code: previous.lastOutcome, workerId: candidate.worker.workerId, ...(previous.reason ? { reason: previous.reason } : {}) });
      continue;
    }
    if (isChange) changes += 1;
    jobs.push(jobOf(candidate, options, deps.dryRun));
  }
  tally.addCount('unchanged', settled);

  const approvedBy = options.approve ? 'flag' : (await approvedBySetting(deps)) ? 'setting' : null;
  const dryRun = options.dryRun || deps.dryRun;
  const overGuard = changes > deps.connector.guards.maxWritesPerCycle && approvedBy === null;
  // A dry run writes nothing, so it plans in full and only reports that a real cycle would be held.
  const held = overGuard && !dryRun;
  if (held) {
    for (const job of jobs) {
      const previous = ledger.get(job.workerId);
      recordDecided(
        { code: 'held', workerId: job.workerId, reason: 'maxWritesPerCycle', detail: `the cycle planned ${changes} changes, over guards.maxWritesPerCycle (${deps.connector.guards.maxWritesPerCycle}); approve with cycle --approve` },
        // Keep the last approved state, so the held change still counts as a change next cycle.
        previous?.desiredHash,
        job.fields,
      );
    }
  }
  if (!dryRun) {
    await deps.ledger.putMany(ledgerWrites);
    for (const workerId of escrowRemovals) await deps.escrow.remove(workerId);
  }
  if (!held) await deps.queue.enqueue(jobs);
  // A held cycle keeps its read window: after approval the next incremental read sees the same changes.
  if (!dryRun && !held) await readPlan.commit();
  if (held) deps.logger.log('warn', `cycle ${options.runId} held: ${changes} planned changes exceed guards.maxWritesPerCycle (${deps.connector.guards.maxWritesPerCycle})`, { runId: options.runId, changes });

  return {
    runId: options.runId,
    startedAt,
    dryRun,
    tally,
    enqueued: held ? 0 : jobs.length,
    changes,
    held,
    wouldBeHeld: overGuard && dryRun,
    approvedBy: held ? null : approvedBy,
    read: readPlan.updatedFrom ? 'incremental' : 'full',
    workersRead,
    workdayReadMs,
  };
}

function jobOf(candidate: Candidate, options: CycleOptions, dryRun: boolean): WorkerJob {
  const job: WorkerJob = {
    workerId: candidate.worker.workerId,
    cycleId: options.runId,
    fields: candidate.worker.fields,
    desiredHash: candidate.hash,
  };
  if (options.dryRun || dryRun) job.dryRun = true;
  if (options.operationId) job.operationId = options.operationId;
  return job;
}

async function loadLedger(deps: Deps): Promise<Map<string, LedgerSummary>> {
  const map = new Map<string, LedgerSummary>();
  for await (const entry of deps.ledger.list()) {
    map.set(entry.workerId, { lastOutcome: entry.lastOutcome, reason: entry.reason, desiredHash: entry.desiredHash, verifiedAt: entry.verifiedAt, entry });
  }
  return map;
}

interface Decided {
  outcome: Outcome;
  hash?: string;
  fields?: Record<string, string | null>;
}

/**
 * Streams the source once. Returns the in-scope candidates and the workers already decided
 * (rejected, out of scope, conflicts). Throws if the read fails at any point.
 */
async function readAndClassify(deps: Deps, ledger: Map<string, LedgerSummary>, updatedFrom: Date | undefined, asOf: Date) {
  const { connector } = deps;
  const fields = connector.source.fields;
  const candidates: Candidate[] = [];
  const decided: Decided[] = [];
  const idCounts = new Map<string, number>();
  const emailCounts = new Map<string, number>();
  let workersRead = 0;
  try {
    for await (const raw of deps.source.readWorkers({ asOf, ...(updatedFrom ? { updatedFrom } : {}) })) {
      workersRead += 1;
      const parsed = parseWorker(raw, fields);
      const id = parsed.ok ? parsed.worker.workerId : parsed.workerId;
      // Every record with an id counts, valid or not: two rows with one id are never guessed between.
      if (id) idCounts.set(id.toLowerCase(), (idCounts.get(id.toLowerCase()) ?? 0) + 1);
      const verdict = scopeOf(connector, parsed.ok ? parsed.worker.attributes : parsed.attributes);
      if (!parsed.ok) {
        const keyed = parsed.reason !== 'missingWorkerId' && parsed.reason !== 'invalidWorkerId';
        // Bad data on a worker this connector does not own is not this connector's business.
        decided.push({ outcome: keyed && verdict === 'outOfScope'
          ? { code: 'outOfScope', workerId: id ?? '', reason: 'notInScope' }
          : { code: 'rejected', workerId: id ?? '', reason: parsed.reason, detail: parsed.detail } });
        continue;
      }
      const { worker } = parsed;
      const refusal = screenWorker(connector, worker, verdict);
      if (refusal) {
        decided.push({ outcome: refusal });
        continue;
      }
      const email = worker.fields.personalEmail;
      const hash = desiredHash(desiredStateOf(worker.fields, connector.mappings), connector.mappings);
      if (email) emailCounts.set(valueHash(email), (emailCounts.get(valueHash(email)) ?? 0) + 1);
      candidates.push({ worker, hash, previous: ledger.get(worker.workerId) });
    }
  } catch (err) {
    throw ensureAppError(err, 'WORKDAY.BAD_RESPONSE');
  }
  if (updatedFrom) countUnreadEmails(ledger, candidates, emailCounts);
  return { ...separateConflicts(candidates, idCounts, emailCounts, decided), workersRead };
}

/**
 * An incremental read sees only changed workers; the ledger remembers the others' mailboxes
 * (hashed), so a worker who takes another's personal email is still caught.
 */
function countUnreadEmails(ledger: Map<string, LedgerSummary>, candidates: Candidate[], emailCounts: Map<string, number>): void {
  const read = new Set(candidates.map((c) => c.worker.workerId));
  for (const [workerId, summary] of ledger) {
    const hash = summary.entry.emailHash;
    if (!hash || read.has(workerId) || summary.lastOutcome === 'outOfScope' || summary.lastOutcome === 'rejected') continue;
    emailCounts.set(hash, (emailCounts.get(hash) ?? 0) + 1);
  }
}

/** Two workers on one Entra user, or two workers on one reset mailbox: conflicts for all of them. */
function separateConflicts(candidates: Candidate[], idCounts: Map<string, number>, emailCounts: Map<string, number>, decided: Decided[]) {
  const kept: Candidate[] = [];
  for (const candidate of candidates) {
    const { worker, hash } = candidate;
    const email = worker.fields.personalEmail;
    if ((idCounts.get(worker.workerId.toLowerCase()) ?? 0) > 1) {
      decided.push({ outcome: { code: 'conflict', workerId: worker.workerId, reason: 'duplicateWorkerId', detail: 'several workers share this id (employeeId matching ignores case); none is written' }, hash, fields: worker.fields });
    } else if (email && (emailCounts.get(valueHash(email)) ?? 0) > 1) {
      decided.push({ outcome: { code: 'conflict', workerId: worker.workerId, reason: 'sharedPersonalEmail', detail: `${emailCounts.get(valueHash(email))} in-scope workers share this personal email; two accounts resetting to one mailbox is an account-takeover path` }, hash, fields: worker.fields });
    } else {
      kept.push(candidate);
    }
  }
  return { candidates: kept, decided };
}

/** Full or incremental read; the watermark moves only through `commit`, after the whole read succeeded. */
async function chooseRead(deps: Deps, options: CycleOptions, asOf: Date): Promise<{ updatedFrom?: Date; commit: () => Promise<void> }> {
  // The watermark is the moment the read is pinned to, so nothing entered meanwhile is skipped.
  const { source, watermarks, connector } = deps;
  if (!source.supportsIncremental || connector.source.kind !== 'soap') return { commit: async () => {} };
  const lastRead = await watermarks.get(`${source.kind}:lastRead`);
  const lastFull = await watermarks.get(`${source.kind}:lastFullRead`);
  const fullDue = !lastFull || asOf.getTime() - lastFull.getTime() >= connector.source.fullReadEveryHours * 3600_000;
  const full = options.fullRead || options.reverify || fullDue || !lastRead;
  return {
    ...(full ? {} : { updatedFrom: lastRead }),
    commit: async () => {
      await watermarks.set(`${source.kind}:lastRead`, asOf);
      if (full) await watermarks.set(`${source.kind}:lastFullRead`, asOf);
    },
  };
}

/**
 * APPROVE_HELD_CYCLE names a held cycle. It approves the next cycle once: it matches while the
 * cycles since the last cycle that went through (sweeps, resyncs and dry runs aside) were all
 * held, so a second held timer cycle does not spoil the id an operator copied.
 */
async function approvedBySetting(deps: Deps): Promise<boolean> {
  if (!deps.approveHeldCycle) return false;
  const recent = await deps.runs.latest(APPROVAL_LOOKBACK_RUNS);
  for (const run of recent) {
    if (run.kind !== 'cycle' || run.dryRun) continue;
    if (!run.held) return false;
    if (run.runId === deps.approveHeldCycle) return true;
  }
  return false;
}

/** Runs looked at to find the held cycle: a day of one-minute sweeps and half-hourly cycles. */
const APPROVAL_LOOKBACK_RUNS = 2000;

export const PLANNING_OUTCOMES: readonly OutcomeCode[] = ['rejected', 'outOfScope', 'conflict', 'held'];
