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
  /**
   * At most this many jobs received ahead of those in flight (0: none, as the Functions host runs
   * them). Their users are looked up together as they arrive (`Directory.lookAhead`): one `$batch`
   * of 20 filters of 15 ids answers 300 jobs, however few run at once. The first wave is the whole
   * read-ahead; the next ones as many as started within READ_AHEAD_SPAN_MS in the last (a paced
   * backfill starts fewer jobs a second than a re-verification), so that answers rarely outlive
   * their freshness before their jobs start (those jobs look up again).
   */
  readAhead?: number;
}

/**
 * The CLI's read-ahead: two full `$batch`es of lookups (20 filters of 15 ids each). The workers
 * found without a user are looked up in deletedItems next, one more request per wave: a larger
 * wave shares it among more workers.
 */
export const FULL_READ_AHEAD = 600;
/** Half of how long a looked-ahead answer may serve its job (FRESH_MS in src/graph/employeeIdLookups.ts). */
const READ_AHEAD_SPAN_MS = 15_000;

export async function drainQueue(
  deps: Dependencies,
  consumer: JobQueueConsumer,
  options: DrainOptions = {},
): Promise<void> {
  const concurrency = options.concurrency ?? 64;
  const maxDequeue = options.maxDequeueCount ?? hostMaxDequeueCount();
  const retryDelay = options.retryDelaySeconds ?? ((n: number) => Math.min(2 ** n, 30));
  const inFlight = new Set<Promise<void>>();
  const readAhead = Math.max(0, Math.floor(options.readAhead ?? 0));
  /** Received, not started yet: their lookups left together. */
  const held: ReceivedJob[] = [];
  let wave = { size: 0, receivedAt: 0 };
  /** How many to receive ahead now: as many as the last wave started within the span. */
  const nextWave = (): number => {
    if (wave.size === 0) return readAhead;
    const perMs = wave.size / Math.max(1, Date.now() - wave.receivedAt);
    return Math.min(readAhead, Math.max(MAX_RECEIVE, Math.floor(perMs * READ_AHEAD_SPAN_MS)));
  };
  let idlePolls = 0;
  let succeeded = 0;
  /** Graph refused us (a permission, a bad request) or never answered: stop, leave the jobs queued. */
  let stop = null as AppError | null;
  /**
   * A job gave up on Graph before any job succeeded: Graph may be down, or only this worker's
   * user may fail. No job starts until those in flight end; if none of them succeeded either, stop.
   */
  let doubt = null as AppError | null;

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
      if (graphRefusedUs(error)) {
        stop ??= error;
        await consumer.release(message, 0);
        return;
      }
      if (error.code === 'GRAPH.UNAVAILABLE' && succeeded === 0) {
        doubt ??= error;
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

  const start = (message: ReceivedJob): void => {
    const task: Promise<void> = handle(message).finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  /** Jobs not started when the drain stops go back to the queue at once. */
  const giveBackHeld = async (): Promise<void> => {
    const unstarted = held.splice(0);
    await Promise.allSettled(unstarted.map((message) => consumer.release(message, 0)));
  };
  /** Up to `wanted` messages, one receive (at most 32) after another while the queue has them. */
  const receiveUpTo = async (wanted: number): Promise<ReceivedJob[]> => {
    const received: ReceivedJob[] = [];
    while (received.length < wanted) {
      const asked = Math.min(MAX_RECEIVE, wanted - received.length);
      const messages = await consumer.receive(asked, 300);
      received.push(...messages);
      if (messages.length < asked || readAhead === 0) break;
    }
    return received;
  };

  for (;;) {
    if (options.signal?.aborted) {
      await giveBackHeld();
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
      await giveBackHeld();
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
    if (doubt) {
      await Promise.allSettled(inFlight);
      if (succeeded === 0) stop = doubt;
      doubt = null;
      continue;
    }
    while (held.length > 0 && inFlight.size < concurrency) start(held.shift()!);
    if (held.length > 0) {
      await Promise.race(inFlight);
      continue;
    }
    // With a read-ahead, a full batch's worth is received at once and looked up together; without,
    // a receive's worth refills the free places (see below).
    const room = readAhead > 0 ? nextWave() : concurrency - inFlight.size;
    const messages = room > 0 ? await receiveUpTo(readAhead > 0 ? room : Math.min(MAX_RECEIVE, room)) : [];
    if (readAhead > 0 && messages.length > 0) {
      deps.directory.lookAhead?.(messages.map((message) => message.job.workerId));
      held.push(...messages);
      wave = { size: messages.length, receivedAt: Date.now() };
      idlePolls = 0;
      continue;
    }
    for (const message of messages) start(message);
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
 * Whether a job's error means Graph refuses this app, not this worker (401/403: a token or a
 * permission missing): no other job can do better.
 */
function graphRefusedUs(error: AppError): boolean {
  return error.code === 'GRAPH.REQUEST_REFUSED' && (error.status === 401 || error.status === 403);
}
