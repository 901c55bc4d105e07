/**
 * Resync one worker now: read it from Workday, validate and scope it as a cycle would, apply the
 * population guards from current data, record its plan, and enrich the worker inline (enrichWorker,
 * as the queue function does). Used by the HTTP function and `attribute-writer resync`. The
 * escrow table is not read: a resync costs the same whatever the backlog.
 */
import { duplicateWorkerIdConflict, sharedEmailConflict } from './conflicts';
import { otherWorkersOnMailbox } from './mailboxSharers';
import { desiredHash, desiredStateOf } from './mapping';
import type { Outcome } from './outcome';
import type { Dependencies } from './dependencies';
import { recordPlans } from './recordPlans';
import type { LedgerEntry, WorkerJob } from './ports';
import { screenWorker } from './screenWorker';
import { checkWorkerIdInput, parseWorker } from './worker';
import { readRecordsOf } from './workdayReads';

export interface ResyncOptions {
  runId: string;
  dryRun: boolean;
  operationId?: string;
  /**
   * True once the caller can no longer wait (HTTP resync past its deadline): the planned job is
   * then enqueued for the queue function instead of running here, and the result is null.
   */
  handOff?: () => boolean;
  /**
   * How the planned job is enriched (the queue function's own, handed in by the
   * app layer, so that one use case does not import another).
   */
  enrichWorker: (job: WorkerJob) => Promise<Outcome | null>;
}

/** The worker's outcome, or null when its job was handed to the queue (`handOff`). */
export async function resyncWorker(
  deps: Dependencies,
  workerIdInput: string,
  options: ResyncOptions,
): Promise<Outcome | null> {
  const workerId = checkWorkerIdInput(workerIdInput);
  const version = deps.clock.now().getTime();
  const records = await readRecordsOf(deps.source, workerId);
  if (records.length === 0)
    return { code: 'rejected', workerId, reason: 'notInWorkday', detail: 'Workday has no worker with this id' };
  const parsed = records.map((raw) => parseWorker(raw, deps.connector.source.fields));
  const matching = parsed.filter(
    (p) => (p.ok ? p.worker.workerId : p.workerId)?.toLowerCase() === workerId.toLowerCase(),
  );
  if (matching.length === 0)
    return {
      code: 'rejected',
      workerId,
      reason: 'notInWorkday',
      detail: 'Workday answered with another worker; nothing written',
    };
  // Two records under one id: the cycle refuses to guess between them, and so does resync.
  if (matching.length > 1) return record(deps, options, version, duplicateWorkerIdConflict(workerId));
  const first = matching[0]!;
  // A decision is a plan too ("write nothing"): a job queued before it, with older data, writes nothing.
  if (!first.ok)
    return record(deps, options, version, { code: 'rejected', workerId, reason: first.reason, detail: first.detail });
  const { worker } = first;
  const refusal = screenWorker(deps.connector, worker);
  if (refusal) return record(deps, options, version, { ...refusal, workerId }, worker.fields);
  const ownRow = await deps.ledger.get(worker.workerId);
  const sharers = await otherWorkersOnMailbox(deps, worker, ownRow);
  if (sharers > 0)
    return record(deps, options, version, sharedEmailConflict(worker.workerId, sharers + 1), worker.fields);

  const { mappings } = deps.connector;
  const job: WorkerJob = {
    workerId: worker.workerId,
    runId: options.runId,
    fields: worker.fields,
    desiredHash: desiredHash(desiredStateOf(worker.fields, mappings), mappings),
    version,
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.operationId ? { operationId: options.operationId } : {}),
  };
  const current =
    options.dryRun || deps.dryRun
      ? [job]
      : // The row read for the mailbox check: a conditional write re-reads it if it changed since.
        await recordPlans(deps, planOf(deps, options, version, rowMap(worker.workerId, ownRow), [], [job]));
  const planned = current[0];
  if (planned && options.handOff?.()) {
    await deps.queue.enqueue([planned]);
    return null;
  }
  const outcome = planned ? await options.enrichWorker(planned) : null;
  return outcome ?? superseded(worker.workerId);
}

async function record(
  deps: Dependencies,
  options: { runId: string; dryRun: boolean },
  version: number,
  outcome: Outcome,
  fields: Record<string, string | null> = {},
): Promise<Outcome> {
  if (!options.dryRun && !deps.dryRun) {
    // The worker's escrow entry is read too: a worker settled by a decision leaves escrow.
    const entry = await deps.escrow.get(outcome.workerId);
    await recordPlans(deps, {
      ...planOf(deps, options, version, await ledgerRow(deps, outcome.workerId), [{ outcome, fields }], []),
      escrow: entry ? new Map([[entry.workerId, entry]]) : new Map(),
    });
  }
  return outcome;
}

async function ledgerRow(deps: Dependencies, workerId: string): Promise<Map<string, LedgerEntry>> {
  return rowMap(workerId, await deps.ledger.get(workerId));
}

function rowMap(workerId: string, row: LedgerEntry | null): Map<string, LedgerEntry> {
  return row ? new Map([[workerId, row]]) : new Map();
}

function planOf(
  deps: Dependencies,
  options: { runId: string },
  version: number,
  ledger: Map<string, LedgerEntry>,
  decided: Parameters<typeof recordPlans>[1]['decided'],
  jobs: WorkerJob[],
) {
  return { runId: options.runId, version, now: deps.clock.now(), ledger, escrow: new Map(), decided, held: [], jobs };
}

function superseded(workerId: string): Outcome {
  return {
    code: 'conflict',
    workerId,
    reason: 'newerPlan',
    detail: 'another run recorded a newer plan for this worker while the resync ran; nothing was written by the resync',
  };
}
