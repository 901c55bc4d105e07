/**
 * Resync one worker now: read it from Workday, validate and scope it as a cycle would, and run
 * the worker pipeline inline. Used by the HTTP function and `attribute-writer resync`.
 */
import { AppError } from './errors';
import { enrichWorker } from './enrichWorker';
import { desiredHash, desiredStateOf } from './mapping';
import type { Outcome } from './outcome';
import type { Pipeline } from './pipeline';
import { screenWorker } from './screenWorker';
import { parseWorker, validateWorkerId } from './worker';

const POPULATION_CONFLICTS: ReadonlySet<string> = new Set(['sharedPersonalEmail', 'duplicateWorkerId']);

/** Validates a worker id taken from a URL path or a command line: 400 material, never a Graph filter. */
export function checkWorkerIdInput(workerId: string): string {
  const trimmed = workerId.trim();
  if (trimmed === '') throw new AppError('INPUT.INVALID', 'worker id is empty');
  const problem = validateWorkerId(trimmed);
  if (problem) throw new AppError('INPUT.INVALID', problem);
  return trimmed;
}

export async function resyncWorker(deps: Pipeline, workerIdInput: string, options: { runId: string; dryRun: boolean; operationId?: string }): Promise<Outcome> {
  const workerId = checkWorkerIdInput(workerIdInput);
  const raw = await deps.source.readWorker(workerId);
  if (raw === null) return { code: 'rejected', workerId, reason: 'notInWorkday', detail: 'Workday has no worker with this id' };
  const parsed = parseWorker(raw, deps.connector.source.fields);
  if (!parsed.ok) return { code: 'rejected', workerId, reason: parsed.reason, detail: parsed.detail };
  const { worker } = parsed;
  if (worker.workerId.toLowerCase() !== workerId.toLowerCase()) {
    return { code: 'rejected', workerId, reason: 'notInWorkday', detail: `Workday answered with another worker (${worker.workerId}); nothing written` };
  }
  const refusal = screenWorker(deps.connector, worker);
  if (refusal) return { ...refusal, workerId };
  const { mappings } = deps.connector;
  const hash = desiredHash(desiredStateOf(worker.fields, mappings), mappings);
  // One worker cannot see the population: a conflict the last cycle found across workers stands.
  const previous = await deps.ledger.get(worker.workerId);
  if (previous?.lastOutcome === 'conflict' && POPULATION_CONFLICTS.has(previous.reason ?? '') && previous.desiredHash === hash) {
    return { code: 'conflict', workerId, reason: previous.reason!, detail: `${previous.detail ?? ''} (found by cycle ${previous.cycleId}; resolve it in Workday)`.trim() };
  }
  return enrichWorker(
    {
      workerId: worker.workerId,
      cycleId: options.runId,
      fields: worker.fields,
      desiredHash: hash,
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.operationId ? { operationId: options.operationId } : {}),
    },
    deps,
  );
}
