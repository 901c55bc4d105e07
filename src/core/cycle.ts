/**
 * One enrichment cycle's planning: read every worker, validate, scope, find conflicts, compare
 * with the ledger, apply the mass-change guard, record each worker's plan, and enqueue one job per
 * worker that needs one. Nothing is recorded or enqueued until the whole read has succeeded.
 *
 * A cycle also retries what waits: escrowed workers whose user has appeared (the sweep's batched
 * peek) and, on incremental reads, the workers whose last outcome asks for a retry, read by id.
 */
import { guardCycle } from './approval';
import { duplicateWorkerIdConflict, sharedEmailConflict } from './conflicts';
import { ensureAppError } from './errors';
import { escrowSince, listEscrow, peekEscrowed } from './escrowReads';
import { desiredHash, desiredStateOf, valueHash } from './mapping';
import { isLeftToEntra } from './drift';
import { SETTLED_OUTCOMES, type Outcome } from './outcome';
import type { Dependencies } from './dependencies';
import { recordPlans, type Decided } from './recordPlans';
import { markRepeated } from './repeatedOutcome';
import { idsToRetry } from './retries';
import { chooseRead, readRetries } from './workdayReads';
import { hasStalePendingWrite } from './ledgerRows';
import type { LedgerEntry, RawRecord, WorkerJob } from './ports';
import { scopeOf } from './scope';
import { outOfScopeOutcome, screenWorker } from './screenWorker';
import { RunTally } from './tally';
import { parseWorker, type Worker } from './worker';
import { reusablePredictions } from './predictions';
import type { RunFigures } from './runFigures';

export interface CycleOptions {
  runId: string;
  dryRun: boolean;
  /** `--approve`: approve the latest held plan (or, with none on record, this one). */
  approve: boolean;
  /** `--approve <runId>`: approve exactly that held run's plan. */
  approveRun?: string;
  /** `--reverify`: check every in-scope worker against Graph, whatever the ledger says. */
  reverify: boolean;
  /** Force a full read from an incremental-capable source. */
  fullRead?: boolean;
  operationId?: string;
  /** Every outcome decided while planning (rejected, out of scope, conflicts, held, settled denied). */
  onOutcome?: (outcome: Outcome) => void;
  /**
   * The jobs run in this process (the CLI): the read window is committed by `commitRead` once they
   * have settled, not when they are planned, so a run stopped mid-drain reads the same changes again.
   */
  drainsHere?: boolean;
}

/** A cycle's figures: every one a cycle has, and the read window it moves once its jobs are safe. */
export interface CyclePlan extends RunFigures {
  changes: number;
  read: 'full' | 'incremental';
  workersRead: number;
  escrowAtStart: ReadonlyMap<string, Date>;
  /** Moves the read watermark (a no-op when planning moved it already, or must not move it at all). */
  commitRead(): Promise<void>;
}

interface Candidate {
  worker: Worker;
  hash: string;
}

export async function planCycle(deps: Dependencies, options: CycleOptions): Promise<CyclePlan> {
  const startedAt = deps.clock.now();
  // The plan's version is the moment its Workday data is read: a later read always wins.
  const version = startedAt.getTime();
  const tally = new RunTally(5, options.onOutcome);
  const ledger = await loadLedger(deps);
  const escrowEntries = await listEscrow(deps);
  const escrow = new Map(escrowEntries.map((entry) => [entry.workerId, entry]));
  const appeared = await peekEscrowed(deps, escrowEntries);
  const readPlan = await chooseRead(deps, options, startedAt);

  const readStarted = Date.now();
  const retries = readPlan.updatedFrom ? idsToRetry(ledger, escrowEntries, appeared, startedAt) : [];
  const { candidates, decided, workersRead } = await readAndClassify(
    deps,
    ledger,
    readPlan.updatedFrom,
    startedAt,
    retries,
  );
  const workdayReadMs = Date.now() - readStarted;
  if (!readPlan.updatedFrom && workersRead === 0 && ledger.size > 0) {
    // Nothing is lost (the writer never deletes), but an emptied report is almost always a broken
    // prompt or a lost security group on the integration user, not a company with no staff.
    deps.logger.log(
      'warn',
      `Workday returned no workers on a full read, while the ledger knows ${ledger.size}: check the report's prompts and the integration user's security groups`,
      { runId: options.runId },
    );
  }

  const dryRun = options.dryRun || deps.dryRun;
  // A repeated dry run re-checks only what changed since the last one's predictions.
  const predicted =
    dryRun && !options.reverify
      ? await reusablePredictions(
          deps,
          candidates.map((c) => ({ workerId: c.worker.workerId, desiredHash: c.hash })),
          ledger,
          { now: startedAt, reverifyEveryHours: deps.connector.guards.reverifyEveryHours },
        )
      : new Map<string, Outcome>();
  const reverifyBefore = startedAt.getTime() - deps.connector.guards.reverifyEveryHours * 3600_000;
  const jobs: WorkerJob[] = [];
  let changes = 0;
  let settled = 0;
  for (const candidate of candidates) {
    const previous = ledger.get(candidate.worker.workerId);
    const isChange = previous?.desiredHash !== candidate.hash;
    const verifyDue = !previous?.verifiedAt || previous.verifiedAt.getTime() <= reverifyBefore;
    const userAppeared = escrow.has(candidate.worker.workerId) && appeared.has(candidate.worker.workerId.toLowerCase());
    // An escrowed worker whose data did not change and whose user is still missing belongs to the
    // sweep, which peeks at it every few minutes; a cycle job would only repeat that.
    const ownedBySweep = previous?.lastOutcome === 'escrowed' && !isChange && !options.reverify && !userAppeared;
    const lastOutcome = previous?.lastOutcome;
    // A write-ahead record left by a job that died: Graph may hold that write; check the worker.
    const writeInDoubt = previous !== undefined && hasStalePendingWrite(previous, startedAt);
    const needsJob =
      writeInDoubt ||
      (!ownedBySweep &&
        (isChange ||
          options.reverify ||
          verifyDue ||
          userAppeared ||
          lastOutcome === undefined ||
          !(SETTLED_OUTCOMES.has(lastOutcome) || isLeftToEntra(previous))));
    if (!needsJob) {
      if (lastOutcome === 'written' || lastOutcome === 'unchanged') settled += 1;
      // Counted from the ledger: nothing happened to this worker in this run, so no one is told again.
      else if (lastOutcome)
        tally.add({
          code: lastOutcome,
          workerId: candidate.worker.workerId,
          reason: previous?.reason || undefined,
          repeated: true,
        });
      continue;
    }
    if (isChange) changes += 1;
    const prediction = predicted.get(candidate.worker.workerId);
    if (prediction) tally.add(prediction);
    else jobs.push(jobOf(candidate, options, deps.dryRun, version));
  }
  tally.addCount('unchanged', settled);

  const guard = await guardCycle(deps, {
    runId: options.runId,
    changes,
    approve: options.approve,
    approveRun: options.approveRun,
    dryRun,
  });
  const { held } = guard;
  const heldOutcomes: Decided[] = held
    ? jobs.map((job) => ({
        outcome: { code: 'held', workerId: job.workerId, reason: 'maxWritesPerCycle', detail: guard.heldReason ?? '' },
        job,
      }))
    : [];
  for (const { outcome } of [...decided, ...heldOutcomes])
    tally.add(markRepeated(outcome, ledger.get(outcome.workerId)), { keyed: outcome.workerId !== '' });

  let toEnqueue = held ? [] : jobs;
  let superseded = 0;
  if (!dryRun) {
    const recorded = await recordPlans(deps, {
      runId: options.runId,
      version,
      now: startedAt,
      ledger,
      escrow,
      decided,
      held: heldOutcomes,
      jobs: toEnqueue,
    });
    superseded = toEnqueue.length - recorded.length;
    toEnqueue = recorded;
  }
  if (!held) await deps.queue.enqueue(toEnqueue);
  // A held cycle keeps its read window: after approval the next incremental read sees the same changes.
  // The window moves once its jobs are safe: on the shared queue now, or settled by this process's drain.
  const commitRead = !dryRun && !held ? readPlan.commit : async () => {};
  if (!options.drainsHere) await commitRead();
  if (held)
    deps.logger.log('warn', `cycle ${options.runId} held: ${guard.heldReason}`, { runId: options.runId, changes });

  return {
    ...guard,
    runId: options.runId,
    kind: 'cycle',
    startedAt,
    dryRun,
    tally,
    enqueued: toEnqueue.length,
    changes,
    read: readPlan.updatedFrom ? 'incremental' : 'full',
    workersRead,
    workdayReadMs,
    superseded,
    escrowAtStart: escrowSince(escrowEntries),
    commitRead: options.drainsHere ? commitRead : async () => {},
  };
}

function jobOf(candidate: Candidate, options: CycleOptions, dryRun: boolean, version: number): WorkerJob {
  const job: WorkerJob = {
    workerId: candidate.worker.workerId,
    runId: options.runId,
    fields: candidate.worker.fields,
    desiredHash: candidate.hash,
    version,
  };
  if (options.dryRun || dryRun) job.dryRun = true;
  if (options.operationId) job.operationId = options.operationId;
  return job;
}

async function loadLedger(deps: Pick<Dependencies, 'ledger'>): Promise<Map<string, LedgerEntry>> {
  const map = new Map<string, LedgerEntry>();
  for await (const entry of deps.ledger.list()) map.set(entry.workerId, entry);
  return map;
}

/**
 * Streams the source once (then, on an incremental read, the retried workers by id). Returns the
 * in-scope candidates and the workers already decided (rejected, out of scope, conflicts).
 * Throws if the read fails at any point.
 */
async function readAndClassify(
  deps: Dependencies,
  ledger: Map<string, LedgerEntry>,
  updatedFrom: Date | undefined,
  asOf: Date,
  retries: readonly string[],
) {
  const { connector } = deps;
  const fields = connector.source.fields;
  const candidates: Candidate[] = [];
  const decided: Decided[] = [];
  const idCounts = new Map<string, number>();
  const emailCounts = new Map<string, number>();
  let workersRead = 0;
  const classify = (raw: RawRecord): void => {
    workersRead += 1;
    const parsed = parseWorker(raw, fields);
    const id = parsed.ok ? parsed.worker.workerId : parsed.workerId;
    // Every record with an id counts, valid or not: two rows with one id are never guessed between.
    if (id) idCounts.set(id.toLowerCase(), (idCounts.get(id.toLowerCase()) ?? 0) + 1);
    const verdict = scopeOf(connector, parsed.ok ? parsed.worker.attributes : parsed.attributes);
    if (!parsed.ok) {
      // Scope decides only for a record whose id was read: without one there is no worker to own.
      const keyed = Boolean(id) && parsed.reason !== 'missingWorkerId' && parsed.reason !== 'invalidWorkerId';
      // Bad data on a worker this connector does not own is not this connector's business.
      decided.push({
        outcome:
          keyed && verdict === 'outOfScope'
            ? outOfScopeOutcome(connector, id ?? '', parsed.attributes)
            : { code: 'rejected', workerId: id ?? '', reason: parsed.reason, detail: parsed.detail },
      });
      return;
    }
    const { worker } = parsed;
    const refusal = screenWorker(connector, worker, verdict);
    if (refusal) {
      decided.push({ outcome: refusal, fields: worker.fields });
      return;
    }
    const email = worker.fields.personalEmail;
    const hash = desiredHash(desiredStateOf(worker.fields, connector.mappings), connector.mappings);
    if (email) emailCounts.set(valueHash(email), (emailCounts.get(valueHash(email)) ?? 0) + 1);
    candidates.push({ worker, hash });
  };
  try {
    for await (const raw of deps.source.readWorkers({ asOf, updatedFrom })) classify(raw);
    const unread = retries.filter((workerId) => !idCounts.has(workerId.toLowerCase()));
    for await (const raw of readRetries(deps, unread, asOf)) classify(raw);
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
function countUnreadEmails(
  ledger: Map<string, LedgerEntry>,
  candidates: Candidate[],
  emailCounts: Map<string, number>,
): void {
  const read = new Set(candidates.map((c) => c.worker.workerId));
  for (const [workerId, entry] of ledger) {
    const hash = entry.emailHash;
    if (!hash || read.has(workerId) || entry.lastOutcome === 'outOfScope' || entry.lastOutcome === 'rejected') continue;
    emailCounts.set(hash, (emailCounts.get(hash) ?? 0) + 1);
  }
}

/** Two workers on one Entra user, or two workers on one reset mailbox: conflicts for all of them. */
function separateConflicts(
  candidates: Candidate[],
  idCounts: Map<string, number>,
  emailCounts: Map<string, number>,
  decided: Decided[],
) {
  const kept: Candidate[] = [];
  for (const candidate of candidates) {
    const { worker } = candidate;
    const email = worker.fields.personalEmail;
    if ((idCounts.get(worker.workerId.toLowerCase()) ?? 0) > 1) {
      decided.push({ outcome: duplicateWorkerIdConflict(worker.workerId), fields: worker.fields });
    } else if (email && (emailCounts.get(valueHash(email)) ?? 0) > 1) {
      decided.push({
        outcome: sharedEmailConflict(worker.workerId, emailCounts.get(valueHash(email)) ?? 2),
        fields: worker.fields,
      });
    } else {
      kept.push(candidate);
    }
  }
  return { candidates: kept, decided };
}
