/**
 * The one way a queue job runs, for the Functions queue trigger and the CLI's drain alike: the
 * per-worker lock (a message delivered twice in one process waits for the first copy), a
 * counting directory (the Graph operations the job made), the core's enrichWorker, and one telemetry
 * event for the outcome, then the job's settlement in its run's counts (a run is done when its
 * jobs are). A job that outlasted its deliveries is recorded `failed` here too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enrichWorker } from '../core/enrichWorker';
import { AppError, isAppError } from '../core/errors';
import type { Outcome } from '../core/outcome';
import type { Dependencies } from '../core/dependencies';
import type { RunKind, WorkerJob } from '../core/ports';
import { recordFailure } from '../core/recordFailure';
import { screenJob } from '../core/screenJob';
import { countingDirectory } from './countingDirectory';
import { packageRoot } from './packageRoot';
import { predicting } from './recordPrediction';
import { oneAtATimePerWorker } from './workerLock';

export interface JobContext {
  /** Correlates the event with the trigger's or the run's trace. */
  operationId?: string;
  runKind?: RunKind;
}

/**
 * The job's outcome (null: superseded by a newer plan, nothing written), reported once. The
 * message is screened again first (src/core/screenJob.ts): a queue message is not trusted as planned.
 */
export async function runEnrichWorker(
  deps: Dependencies,
  job: WorkerJob,
  context: JobContext = {},
): Promise<Outcome | null> {
  await deps.clock.sync?.();
  const started = Date.now();
  const refused = screenJob(deps.connector, job);
  if (refused) {
    deps.logger.log('warn', `job for worker ${job.workerId} refused: ${refused.reason}`, { detail: refused.detail });
    report(deps, job, refused, context, Date.now() - started, 0);
    await settleInRun(deps, job, refused);
    return refused;
  }
  await honourWriteGate(deps, job);
  const counting = countingDirectory(deps.directory);
  const outcome = await oneAtATimePerWorker(job.workerId, () =>
    predicting(deps, job, () => enrichWorker(job, { ...deps, directory: counting.directory })),
  ).catch((err: unknown) => closeWriteGate(deps, err));
  if (outcome) report(deps, job, outcome, context, Date.now() - started, counting.calls());
  await settleInRun(deps, job, outcome);
  return outcome;
}

/** How long every instance leaves Graph alone after it refused the app as a whole. */
export const WRITES_REFUSED_FOR_MS = 5 * 60_000;

/**
 * While the shared row says Graph refuses the app, a job fails without calling Graph: the queue
 * retries it, the poison path records it `failed`, and the next cycle retries it. A dry run writes
 * nothing and goes ahead.
 */
async function honourWriteGate(deps: Dependencies, job: WorkerJob): Promise<void> {
  if (!deps.writeGate || deps.dryRun || job.dryRun) return;
  const refused = await deps.writeGate.refusedNow(deps.clock.now());
  if (!refused) return;
  throw new AppError(
    'GRAPH.REQUEST_REFUSED',
    `Graph refuses this app's writes as a whole; every instance waits until ${refused.until.toISOString()} before asking again (${refused.reason})`,
    { status: 403 },
  );
}

/** A refusal of the app as a whole stops every instance: one shared row, said once. */
async function closeWriteGate(deps: Dependencies, err: unknown): Promise<never> {
  if (deps.writeGate && isAppError(err) && err.code === 'GRAPH.REQUEST_REFUSED' && err.status === 403) {
    const now = deps.clock.now();
    const first = await deps.writeGate.refuse(new Date(now.getTime() + WRITES_REFUSED_FOR_MS), err.message, now);
    if (first)
      deps.logger.log(
        'error',
        `Graph refused this app's writes as a whole: every instance stops writing for ${WRITES_REFUSED_FOR_MS / 60_000} min, then asks again. ${err.message}`,
        { event: 'writesRefused' },
      );
  }
  throw err;
}

/** A job whose transient errors outlasted its deliveries: recorded `failed`, never lost. */
export async function recordPoisonedJob(
  deps: Dependencies,
  job: WorkerJob,
  cause: string,
  context: JobContext = {},
): Promise<Outcome> {
  const outcome = await recordFailure(deps, job, cause);
  report(deps, job, outcome, context, 0, 0);
  await settleInRun(deps, job, outcome);
  return outcome;
}

/**
 * Counts the job's end in its run, awaited before the message is deleted: a crash in between
 * brings the message back, and the run counts the worker once (src/state/runWorkers.ts). The
 * job whose settlement completes a run that planning already recorded reports the run again,
 * now with every job's outcome: in Azure that is when a timer cycle is done.
 */
async function settleInRun(deps: Dependencies, job: WorkerJob, outcome: Outcome | null): Promise<void> {
  const done = await deps.runs.settle(job.runId, { workerId: job.workerId, outcome, at: deps.clock.now() });
  if (done) deps.telemetry.runCompleted(done, { operationId: done.runId, lastJobSettled: true });
}

function report(
  deps: Dependencies,
  job: WorkerJob,
  outcome: Outcome,
  context: JobContext,
  durationMs: number,
  graphRequests: number,
): void {
  // A dry run's outcomes are predictions: the run's counts say them, not an event per worker.
  if (job.dryRun || deps.dryRun) return;
  deps.telemetry.workerOutcome(outcome, {
    runId: job.runId,
    runKind: context.runKind,
    dryRun: job.dryRun,
    durationMs,
    graphRequests,
    operationId: job.operationId ?? context.operationId,
  });
}

/** host.json's `extensions.queues.maxDequeueCount`: the CLI's drain gives up where the host does. */
export function hostMaxDequeueCount(): number {
  const host = JSON.parse(readFileSync(join(packageRoot(), 'host.json'), 'utf8')) as {
    extensions?: { queues?: { maxDequeueCount?: unknown } };
  };
  const value = host.extensions?.queues?.maxDequeueCount;
  // The host's own default when host.json leaves it out.
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 5;
}
