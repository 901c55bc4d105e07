/**
 * The operator-facing operations, shared by the CLI and the Functions bindings: run a cycle,
 * sweep escrow, resync one worker. Each records one run (Table storage) and its telemetry.
 */
import { randomUUID } from 'node:crypto';
import { planCycle } from '../core/cycle';
import { ensureAppError } from '../core/errors';
import { emptyCounts, type Outcome } from '../core/outcome';
import type { Dependencies } from '../core/dependencies';
import type { Requester, RunKind } from '../core/ports';
import { enrichWorker } from '../core/enrichWorker';
import { resyncWorker } from '../core/resync';
import { sweepEscrow } from '../core/sweep';
import { startFigures } from '../core/runFigures';
import { RunTally } from '../core/tally';
import { countingDirectory } from './countingDirectory';
import { FULL_READ_AHEAD, drainQueue, type DrainOptions } from './drainQueue';
import { finishRun, planningOutcomes, recordStopped, type RunSummary } from './finishRun';
import { createLocalJobQueue } from './localJobQueue';
import type { JobQueueConsumer } from '../state/jobQueue';

export type { RunSummary } from './finishRun';

export function newRunId(kind: RunKind, now = new Date()): string {
  return `${kind}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
}

export interface CycleCommandOptions {
  dryRun?: boolean;
  approve?: boolean;
  /** `--approve <runId>`: approve exactly that held run's plan. */
  approveRun?: string;
  reverify?: boolean;
  fullRead?: boolean;
  /**
   * Run the jobs here instead of leaving them to the queue function (Azure timer). `true` (the
   * CLI): a queue of this run's own, so the run executes exactly the jobs it planned. A consumer
   * of the services' queue: act as the Functions host does (the benchmark and host-like tests).
   */
  drain?: true | JobQueueConsumer;
  drainOptions?: DrainOptions;
  /** Called once planning has enqueued the jobs, before the drain (the CLI's progress needs the total). */
  onEnqueued?: (count: number) => void;
  operationId?: string;
  /** Who ran the cycle (the CLI's operator); recorded with the run, its approval included. */
  requestedBy?: Requester;
}

export async function runCycle(deps: Dependencies, options: CycleCommandOptions = {}): Promise<RunSummary> {
  await deps.clock.sync?.();
  const runId = newRunId('cycle', deps.clock.now());
  const operationId = options.operationId ?? runId;
  const graphBefore = { ...deps.directory.stats() };
  const dryRun = (options.dryRun ?? false) || deps.dryRun;
  const local = localQueueFor(options.drain);
  const decided = planningOutcomes(deps, runId, 'cycle', dryRun, operationId);
  const startedAt = deps.clock.now();
  const plan = await planCycle(local ? { ...deps, queue: local.queue } : deps, {
    runId,
    dryRun: options.dryRun ?? false,
    approve: options.approve ?? false,
    approveRun: options.approveRun,
    reverify: options.reverify ?? false,
    fullRead: options.fullRead,
    operationId,
    onOutcome: decided.listener,
    drainsHere: local !== null,
  }).catch((err: unknown) =>
    recordStopped(deps, { runId, kind: 'cycle', startedAt, dryRun, decided, requestedBy: options.requestedBy }, err),
  );
  const planned = plan.tally.counts();
  const finish = (superseded: number, stopped?: unknown) =>
    finishRun(deps, { ...plan, superseded: plan.superseded + superseded }, graphBefore, {
      requestedBy: options.requestedBy,
      planned,
      decided: decided.outcomes,
      stopped,
    });
  const drained = await drainPlanned(deps, local, options, plan.enqueued, plan.tally, 'cycle').catch(
    async (err: unknown) => {
      await finish(0, err);
      throw err;
    },
  );
  await plan.commitRead();
  return finish(drained.superseded);
}

export async function runSweep(
  deps: Dependencies,
  options: {
    drain?: true | JobQueueConsumer;
    drainOptions?: DrainOptions;
    onEnqueued?: (count: number) => void;
    operationId?: string;
    requestedBy?: Requester;
  } = {},
): Promise<RunSummary> {
  await deps.clock.sync?.();
  const runId = newRunId('sweep', deps.clock.now());
  const graphBefore = { ...deps.directory.stats() };
  const operationId = options.operationId ?? runId;
  const local = localQueueFor(options.drain);
  const decided = planningOutcomes(deps, runId, 'sweep', deps.dryRun, operationId);
  const startedAt = deps.clock.now();
  const result = await sweepEscrow(local ? { ...deps, queue: local.queue } : deps, {
    runId,
    operationId,
    onOutcome: decided.listener,
  }).catch((err: unknown) =>
    recordStopped(
      deps,
      { runId, kind: 'sweep', startedAt, dryRun: deps.dryRun, decided, requestedBy: options.requestedBy },
      err,
    ),
  );
  const planned = result.tally.counts();
  const finish = async (superseded: number, stopped?: unknown) =>
    finishRun(deps, { ...result, superseded }, graphBefore, {
      requestedBy: options.requestedBy,
      planned,
      poisonQueueDepth: await measurePoisonDepth(deps),
      decided: decided.outcomes,
      stopped,
    });
  const drained = await drainPlanned(deps, local, options, result.enqueued, result.tally, 'sweep').catch(
    async (err: unknown) => {
      await finish(0, err);
      throw err;
    },
  );
  return finish(drained.superseded);
}

/** The sweep runs every few minutes: it measures the poison queue for the poison-depth alert. Never fails the sweep. */
async function measurePoisonDepth(deps: Dependencies): Promise<number | undefined> {
  try {
    return await deps.queue.poisonDepth?.();
  } catch (err) {
    deps.logger.log('warn', 'could not read the poison queue depth', { error: ensureAppError(err).message });
    return undefined;
  }
}

export async function runResync(
  deps: Dependencies,
  workerId: string,
  options?: { dryRun?: boolean; operationId?: string; requestedBy?: Requester },
): Promise<{ outcome: Outcome; summary: RunSummary }>;
/** With `handOff`: a null outcome when the job went to the queue (see resyncWithin.ts). */
export async function runResync(
  deps: Dependencies,
  workerId: string,
  options: { dryRun?: boolean; operationId?: string; requestedBy?: Requester; handOff: () => boolean },
): Promise<{ outcome: Outcome | null; summary: RunSummary }>;
export async function runResync(
  deps: Dependencies,
  workerId: string,
  options: { dryRun?: boolean; operationId?: string; requestedBy?: Requester; handOff?: () => boolean } = {},
): Promise<{ outcome: Outcome | null; summary: RunSummary }> {
  await deps.clock.sync?.();
  const runId = newRunId('resync', deps.clock.now());
  const graphBefore = { ...deps.directory.stats() };
  const startedAt = deps.clock.now();
  const dryRun = (options.dryRun ?? false) || deps.dryRun;
  const started = Date.now();
  const counting = countingDirectory(deps.directory);
  // One worker, an operator waiting: its write takes the deployment's write turn before the backfill's.
  const releasePriority = deps.writePriority?.();
  const resyncDeps = { ...deps, directory: counting.directory };
  const outcome = await resyncWorker(resyncDeps, workerId, {
    runId,
    dryRun,
    enrichWorker: (job) => enrichWorker(job, resyncDeps),
    operationId: options.operationId ?? runId,
    handOff: options.handOff,
  }).finally(() => releasePriority?.());
  const run = { runId, kind: 'resync', startedAt, dryRun } as const;
  if (outcome === null) {
    const summary = await finishRun(deps, { ...startFigures(run, new RunTally()), enqueued: 1 }, graphBefore);
    return { outcome, summary };
  }
  deps.telemetry.workerOutcome(outcome, {
    runId,
    runKind: 'resync',
    dryRun,
    durationMs: Date.now() - started,
    graphRequests: counting.calls(),
    operationId: options.operationId,
  });
  const figures = startFigures(run, new RunTally());
  figures.tally.add(outcome);
  // The inline job settles like a queued one, so `runs <runId>` names its worker.
  await deps.runs.settle(runId, { workerId: outcome.workerId, outcome, at: deps.clock.now() });
  const summary = await finishRun(deps, figures, graphBefore, {
    requestedBy: options.requestedBy,
    planned: emptyCounts(),
  });
  return { outcome, summary };
}

function localQueueFor(drain: true | JobQueueConsumer | undefined) {
  return drain === true ? createLocalJobQueue() : null;
}

/** Runs the planned jobs here when asked: from the run's own queue, or as the host from the shared one. */
async function drainPlanned(
  deps: Dependencies,
  local: ReturnType<typeof localQueueFor>,
  options: { drain?: true | JobQueueConsumer; drainOptions?: DrainOptions; onEnqueued?: (count: number) => void },
  enqueued: number,
  tally: RunTally,
  kind: RunKind,
): Promise<{ superseded: number }> {
  options.onEnqueued?.(enqueued);
  const consumer = local?.consumer ?? (options.drain === true ? undefined : options.drain);
  if (!consumer || enqueued === 0) return { superseded: 0 };
  return drainInto(deps, consumer, tally, kind, { ...options.drainOptions, inMemory: local !== null });
}

async function drainInto(
  deps: Dependencies,
  consumer: JobQueueConsumer,
  tally: RunTally,
  runKind: RunKind,
  options: DrainOptions = {},
): Promise<{ superseded: number }> {
  let superseded = 0;
  await drainQueue(deps, consumer, {
    runKind,
    // The CLI's runs receive a full batch of lookups ahead of the jobs they run (drainQueue.ts).
    readAhead: FULL_READ_AHEAD,
    ...options,
    onSuperseded: (job) => {
      superseded += 1;
      options.onSuperseded?.(job);
    },
    onOutcome: (outcome, job) => {
      // The job runner sent the outcome's telemetry event; the tally only counts it.
      tally.add(outcome, { quiet: true });
      options.onOutcome?.(outcome, job);
    },
  });
  return { superseded };
}
