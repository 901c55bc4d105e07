/**
 * HTTP resync within the platform's limit: "regardless of the function app timeout setting, 230
 * seconds is the maximum amount of time that an HTTP triggered function can take to respond"
 * (Azure Functions hosting options, Function app timeout duration:
 * https://learn.microsoft.com/azure/azure-functions/functions-scale#timeout),
 * while one Workday read may retry for minutes. Past the deadline the caller gets 202 and the
 * status location at once; the resync goes on, and once its plan is recorded its job goes to the
 * queue instead of running here, so the queue function (with its retries and poison handling)
 * finishes it. `GET /api/workers/{workerId}` shows the outcome when it lands.
 */
import type { Outcome } from '../core/outcome';
import type { Dependencies } from '../core/dependencies';
import type { Requester } from '../core/ports';
import { checkWorkerIdInput } from '../core/worker';
import { ensureAppError } from '../core/errors';
import { type RunSummary, runResync } from './operations';

/** Well below 230 s: room for the answer to travel and for a slow storage write after it. */
export const RESYNC_DEADLINE_MS = 180_000;

export type ResyncAnswer =
  | { kind: 'done'; outcome: Outcome; summary: RunSummary }
  /** Answered before the work finished: the caller follows `location`. */
  | { kind: 'accepted'; workerId: string; location: string };

export async function resyncWithin(
  deps: Dependencies,
  workerIdInput: string,
  options: { dryRun?: boolean; operationId?: string; requestedBy?: Requester; deadlineMs?: number } = {},
): Promise<ResyncAnswer> {
  // A bad id is a 400 now, not a 202 that leads nowhere.
  const workerId = checkWorkerIdInput(workerIdInput);
  let late = false;
  const work = runResync(deps, workerId, {
    dryRun: options.dryRun,
    operationId: options.operationId,
    requestedBy: options.requestedBy,
    handOff: () => late,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), options.deadlineMs ?? RESYNC_DEADLINE_MS);
  });
  const first = await Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  if (first !== 'late' && first.outcome !== null)
    return { kind: 'done', outcome: first.outcome, summary: first.summary };
  late = true;
  // Nobody awaits the rest: its failure is logged here, and the worker keeps its last outcome.
  work.catch((err: unknown) =>
    deps.logger.log('warn', `resync of worker ${workerId} failed after its 202 answer: ${ensureAppError(err).message}`),
  );
  return { kind: 'accepted', workerId, location: `/api/workers/${encodeURIComponent(workerId)}` };
}
