/**
 * Drains the job queue here, as the Functions host would: bounded concurrency, a failed job made
 * visible again with backoff, and after `maxDequeueCount` deliveries the poison queue and a
 * `failed` outcome. The CLI and the benchmark use it; in Azure the host does the same.
 */
import { AppError, ensureAppError } from '../core/errors';
import type { Outcome } from '../core/outcome';
import type { Dependencies } from '../core/dependencies';
import type { RunKind } from '../core/ports';
import { sleep } from '../core/retry';
import type { JobQueueConsumer, ReceivedJob } from '../state/jobQueue';
import { hostMaxDequeueCount, recordPoisonedJob, runEnrichWorker } from './jobRunner';
/** The queue service's cap on messages per receive. */
const MAX_RECEIVE = 32;

export interface DrainOptions {
  /** Jobs in flight at once; the Graph adapter coalesces their lookups into `$batch` requests. */
  concurrency?: number;
  maxDequeueCount?: number;
  /** Seconds before a failed job is visible again, by delivery count. */
  retryDelaySeconds?: (dequeueCount: number) => number;
  /** Called with every worker outcome as it happens (its telemetry event is already sent). */
  onOutcome?: (outcome: Outcome, job: ReceivedJob['job']) => void;
  /** The run the drained jobs belong to, for their telemetry events. */
  runKind?: RunKind;
  /** Called for a job that wrote nothing because a newer plan for its worker exists. */
  onSuperseded?: (job: ReceivedJob['job']) => void;
  /**
   * The queue lives in this process's memory (the CLI's own run): when the drain stops, its jobs
   * end with the process. Nothing is lost: each worker's plan is in the ledger without an outcome,
   * so the next cycle plans it again (test/scenario/graphRefusals.test.ts shows it).
   */
  inMemory?: boolean;
  /** Aborted (the CLI's Ctrl-C): no new job starts, the ones in flight finish, and the drain stops. */
  signal?: AbortSignal;
}

export async function drainQueue(
  deps: Dependencies,
  consumer: JobQueueConsumer,
  options: DrainOptions = {},
): Promise<void> {
  const concurrency = options.concurrency ?? 64;
  const maxDequeue = options.maxDequeueCount ?? hostMaxDequeueCount();
  const retryDelay = options.retryDelaySeconds ?? ((n: number) => Math.min(2 ** n, 30));
  const inFlight = new Set<Promise<void>>();
  let idlePolls = 0;
  let succeeded = 0;
  /** Graph refused us (a permission, a bad request) or never answered: stop, leave the jobs queued. */
  let stop = null as AppError | null;

  const context = options.runKind ? { runKind: options.runKind } : {};
  const handle = async (message: ReceivedJob): Promise<void> => {
    try {
      const outcome = await runEnrichWorker(deps, message.job, context);
      await consumer.complete(message);
      succeeded += 1;
      if (outcome) options.onOutcome?.(outcome, message.job);
      else options.onSuperseded?.(message.job);
    } catch (err) {
      const error = ensureAppError(err);
      if (graphUnusable(error, succeeded)) {
        stop ??= error;
        await consumer.release(message, 0);
        return;
      }
      if (message.dequeueCount >= maxDequeue) {
        const outcome = await recordPoisonedJob(deps, message.job, `${error.code}: ${error.message}`, context);
        await consumer.moveToPoison(message);
        deps.logger.log(
          'error',
          `job for worker ${message.job.workerId} moved to the poison queue after ${message.dequeueCount} deliveries`,
          { code: error.code, error: error.message },
        );
        options.onOutcome?.(outcome, message.job);
      } else {
        deps.logger.log(
          'warn',
          `job for worker ${message.job.workerId} failed (delivery ${message.dequeueCount}); retrying`,
          { code: error.code, error: error.message },
        );
        await consumer.release(message, retryDelay(message.dequeueCount));
      }
    }
  };

  for (;;) {
    if (options.signal?.aborted) {
      await Promise.allSettled(inFlight);
      throw new AppError(
        'RUN.INTERRUPTED',
        `Interrupted: the ${succeeded} jobs done are recorded; ${
          options.inMemory
            ? "the others were this run's own and end with it: the next cycle plans their workers again"
            : 'the others stay in the queue'
        }`,
      );
    }
    if (stop) {
      await Promise.allSettled(inFlight);
      throw new AppError(
        stop.code.startsWith('GRAPH.') ? stop.code : 'GRAPH.UNAVAILABLE',
        `Graph could not be used, so the drain stopped; ${
          options.inMemory
            ? "the remaining jobs were this run's own and end with it: the next cycle plans their workers again"
            : 'the remaining jobs stay in the queue for the next delivery'
        }: ${stop.message}`,
      );
    }
    const room = concurrency - inFlight.size;
    const messages = room > 0 ? await consumer.receive(Math.min(MAX_RECEIVE, room), 300) : [];
    for (const message of messages) {
      const task: Promise<void> = handle(message).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (messages.length > 0) {
      idlePolls = 0;
      // Refill a receive's worth at a time, not one job per finished job: jobs that start together
      // look their users up together, and the Graph adapter turns that into one `$batch`.
      while (concurrency - inFlight.size < Math.min(MAX_RECEIVE, concurrency)) await Promise.race(inFlight);
      continue;
    }
    if (inFlight.size > 0) {
      await Promise.race(inFlight);
      continue;
    }
    // Nothing visible and nothing in flight: done unless released jobs are waiting to reappear.
    if ((await consumer.approximateCount()) === 0) return;
    idlePolls += 1;
    await sleep(Math.min(1000, 100 * idlePolls));
  }
}

/**
 * Whether a job's error means Graph as a whole is not usable from here: a refusal that is not
 * about this worker (401/403: a token or a permission missing), or no answer before any job
 * succeeded.
 */
function graphUnusable(error: AppError, succeeded: number): boolean {
  if (error.code === 'GRAPH.REQUEST_REFUSED' && (error.status === 401 || error.status === 403)) return true;
  return error.code === 'GRAPH.UNAVAILABLE' && succeeded === 0;
}
