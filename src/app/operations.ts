/**
 * The operator-facing operations, shared by the CLI and the Functions bindings: run a cycle,
 * sweep escrow, resync one worker. Each records one run (Table storage) and its telemetry.
 */
import { randomUUID } from 'node:crypto';
import { planCycle, type CyclePlan } from '../core/cycle';
import { ensureAppError } from '../core/errors';
import type { Outcome, OutcomeCounts } from '../core/outcome';
import type { Pipeline } from '../core/pipeline';
import type { DirectoryStats, Requester, RunKind, RunRecord } from '../core/ports';
import { resyncWorker } from '../core/resync';
import { backlogAfter, sweepEscrow } from '../core/sweep';
import { RunTally } from '../core/tally';
import { countingDirectory } from './countingDirectory';
import { drainQueue, type DrainOptions } from './drainQueue';
import { createLocalJobQueue } from './localJobQueue';
import type { JobQueueConsumer } from '../state/jobQueue';

export interface RunSummary {
  runId: string;
  kind: RunKind;
  dryRun: boolean;
  held: boolean;
  /** A dry run over the mass-change guard: a real cycle would have been held. */
  wouldBeHeld?: boolean;
  approvedBy: 'flag' | 'setting' | null;
  counts: OutcomeCounts;
  /** Workers that were given an outcome. */
  workers: number;
  enqueued: number;
  changes?: number;
  read?: 'full' | 'incremental';
  workersRead?: number;
  durationMs: number;
  workdayReadMs: number;
  /** Planned jobs that wrote nothing because another run recorded a newer plan for the worker. */
  superseded: number;
  /** Workers whose written value Entra replaced (drift.ts). */
  drift: number;
  heldReason?: string;
  approvedHeldRun?: string;
  graph: DirectoryStats;
  /** The escrow backlog as the cycle or sweep read it (a resync does not read the escrow table). */
  escrow?: { backlog: number; oldestAgeMinutes: number };
  /** A few outcomes per code, masked. */
  examples: Outcome[];
  requestedBy?: Requester;
}

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

export async function runCycle(deps: Pipeline, options: CycleCommandOptions = {}): Promise<RunSummary> {
  await deps.clock.sync?.();
  const runId = newRunId('cycle', deps.clock.now());
  const operationId = options.operationId ?? runId;
  const graphBefore = { ...deps.directory.stats() };
  const dryRun = (options.dryRun ?? false) || deps.dryRun;
  const local = localQueueFor(options.drain);
  const plan = await planCycle(local ? { ...deps, queue: local.queue } : deps, {
    runId,
    dryRun: options.dryRun ?? false,
    approve: options.approve ?? false,
    ...(options.approveRun ? { approveRun: options.approveRun } : {}),
    reverify: options.reverify ?? false,
    ...(options.fullRead ? { fullRead: true } : {}),
    operationId,
    onOutcome: planningTelemetry(deps, runId, 'cycle', dryRun, operationId),
    ...(local ? { drainsHere: true } : {}),
  });
  const drained = await drainPlanned(deps, local, options, plan.enqueued, plan.tally, 'cycle');
  await plan.commitRead();
  return finishRun(
    deps,
    'cycle',
    { ...plan, superseded: plan.superseded + drained.superseded, requestedBy: options.requestedBy },
    graphBefore,
  );
}

export async function runSweep(
  deps: Pipeline,
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
  const result = await sweepEscrow(local ? { ...deps, queue: local.queue } : deps, {
    runId,
    operationId,
    onOutcome: planningTelemetry(deps, runId, 'sweep', deps.dryRun, operationId),
  });
  const drained = await drainPlanned(deps, local, options, result.enqueued, result.tally, 'sweep');
  return finishRun(
    deps,
    'sweep',
    {
      runId,
      startedAt: result.startedAt,
      dryRun: deps.dryRun,
      tally: result.tally,
      enqueued: result.enqueued,
      held: false,
      approvedBy: null,
      workdayReadMs: 0,
      superseded: drained.superseded,
      escrowAtStart: result.escrowAtStart,
      requestedBy: options.requestedBy,
    },
    graphBefore,
  );
}

export async function runResync(
  deps: Pipeline,
  workerId: string,
  options?: { dryRun?: boolean; operationId?: string; requestedBy?: Requester },
): Promise<{ outcome: Outcome; summary: RunSummary }>;
/** With `handOff`: a null outcome when the job went to the queue (see resyncWithin.ts). */
export async function runResync(
  deps: Pipeline,
  workerId: string,
  options: { dryRun?: boolean; operationId?: string; requestedBy?: Requester; handOff: () => boolean },
): Promise<{ outcome: Outcome | null; summary: RunSummary }>;
export async function runResync(
  deps: Pipeline,
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
  const outcome = await resyncWorker({ ...deps, directory: counting.directory }, workerId, {
    runId,
    dryRun,
    operationId: options.operationId ?? runId,
    ...(options.handOff ? { handOff: options.handOff } : {}),
  });
  const tally = new RunTally();
  if (outcome === null) {
    const summary = await finishRun(
      deps,
      'resync',
      { runId, startedAt, dryRun, tally, enqueued: 1, held: false, approvedBy: null, workdayReadMs: 0 },
      graphBefore,
    );
    return { outcome, summary };
  }
  deps.telemetry.workerOutcome(outcome, {
    runId,
    runKind: 'resync',
    dryRun,
    durationMs: Date.now() - started,
    graphRequests: counting.calls(),
    ...(options.operationId ? { operationId: options.operationId } : {}),
  });
  tally.add(outcome);
  const summary = await finishRun(
    deps,
    'resync',
    {
      runId,
      startedAt,
      dryRun,
      tally,
      enqueued: 0,
      held: false,
      approvedBy: null,
      workdayReadMs: 0,
      requestedBy: options.requestedBy,
    },
    graphBefore,
  );
  return { outcome, summary };
}

function localQueueFor(drain: true | JobQueueConsumer | undefined) {
  return drain === true ? createLocalJobQueue() : null;
}

/** Runs the planned jobs here when asked: from the run's own queue, or as the host from the shared one. */
async function drainPlanned(
  deps: Pipeline,
  local: ReturnType<typeof localQueueFor>,
  options: { drain?: true | JobQueueConsumer; drainOptions?: DrainOptions; onEnqueued?: (count: number) => void },
  enqueued: number,
  tally: RunTally,
  kind: RunKind,
): Promise<{ superseded: number }> {
  options.onEnqueued?.(enqueued);
  const consumer = local?.consumer ?? (options.drain === true ? undefined : options.drain);
  if (!consumer || enqueued === 0) return { superseded: 0 };
  // The CLI's own queue lives in this process: what it did not run, the next run plans again.
  const leftOver = local ? { leftOver: 'the jobs not run here are planned again by the next run' } : {};
  return drainInto(deps, consumer, tally, kind, { ...leftOver, ...options.drainOptions });
}

/** Outcomes decided without a queue job (planning, sweep) get their telemetry event too. */
function planningTelemetry(
  deps: Pipeline,
  runId: string,
  runKind: RunKind,
  dryRun: boolean,
  operationId: string,
): (outcome: Outcome) => void {
  return (outcome) => {
    // A dry or held run's per-worker outcomes are predictions or waits: its counts say them.
    if (outcome.workerId === '' || dryRun || outcome.code === 'held') return;
    deps.telemetry.workerOutcome(outcome, { runId, runKind, dryRun, durationMs: 0, graphRequests: 0, operationId });
  };
}

async function drainInto(
  deps: Pipeline,
  consumer: JobQueueConsumer,
  tally: RunTally,
  runKind: RunKind,
  options: DrainOptions = {},
): Promise<{ superseded: number }> {
  let superseded = 0;
  await drainQueue(deps, consumer, {
    runKind,
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

type PlanLike = Pick<
  CyclePlan,
  'runId' | 'startedAt' | 'dryRun' | 'tally' | 'enqueued' | 'held' | 'approvedBy' | 'workdayReadMs'
> &
  Partial<
    Pick<
      CyclePlan,
      | 'changes'
      | 'read'
      | 'workersRead'
      | 'wouldBeHeld'
      | 'heldReason'
      | 'approvedHeldRun'
      | 'superseded'
      | 'escrowAtStart'
    >
  > & { requestedBy?: Requester | undefined };

async function finishRun(
  deps: Pipeline,
  kind: RunKind,
  plan: PlanLike,
  graphBefore: DirectoryStats,
): Promise<RunSummary> {
  const durationMs = deps.clock.now().getTime() - plan.startedAt.getTime();
  const graph = diffStats(deps.directory.stats(), graphBefore);
  const escrow = plan.escrowAtStart ? backlogAfter(plan.escrowAtStart, plan.tally, deps.clock.now()) : undefined;
  const counts = plan.tally.counts();
  const record: RunRecord = {
    runId: plan.runId,
    kind,
    startedAt: plan.startedAt,
    durationMs,
    dryRun: plan.dryRun,
    approved: plan.approvedBy !== null,
    held: plan.held,
    counts,
    enqueued: plan.enqueued,
    graphRequests: graph.httpRequests,
    graphThrottled: graph.throttled,
    workdayReadMs: plan.workdayReadMs,
    ...(plan.changes !== undefined ? { changes: plan.changes } : {}),
    ...(plan.approvedHeldRun ? { approvedHeldRun: plan.approvedHeldRun } : {}),
    drift: plan.tally.drifted(),
    ...noteOf(plan),
    ...(plan.requestedBy ? { requestedBy: plan.requestedBy } : {}),
  };
  try {
    await deps.runs.record(record);
  } catch (err) {
    // A held plan that is not on record could not be approved as itself: the cycle fails instead.
    if (plan.held && !plan.dryRun) throw ensureAppError(err);
    deps.logger.log('error', `could not record run ${plan.runId}`, { error: ensureAppError(err).message });
  }
  deps.telemetry.runCompleted(record, {
    ...(escrow ? { escrowBacklog: escrow.backlog, escrowOldestAgeMinutes: escrow.oldestAgeMinutes } : {}),
    operationId: plan.runId,
  });
  return {
    runId: plan.runId,
    kind,
    dryRun: plan.dryRun,
    held: plan.held,
    ...(plan.wouldBeHeld ? { wouldBeHeld: true } : {}),
    approvedBy: plan.approvedBy,
    counts,
    workers: Object.values(counts).reduce((a, b) => a + b, 0),
    enqueued: plan.enqueued,
    ...(plan.changes !== undefined ? { changes: plan.changes } : {}),
    ...(plan.read ? { read: plan.read } : {}),
    ...(plan.workersRead !== undefined ? { workersRead: plan.workersRead } : {}),
    durationMs,
    workdayReadMs: plan.workdayReadMs,
    ...(plan.heldReason ? { heldReason: plan.heldReason } : {}),
    ...(plan.approvedHeldRun ? { approvedHeldRun: plan.approvedHeldRun } : {}),
    superseded: plan.superseded ?? 0,
    drift: record.drift ?? 0,
    graph,
    ...(escrow ? { escrow } : {}),
    examples: plan.tally.exampleList(),
    ...(plan.requestedBy ? { requestedBy: plan.requestedBy } : {}),
  };
}

function noteOf(plan: PlanLike): { note?: string } {
  if (plan.held) return plan.heldReason ? { note: plan.heldReason } : {};
  if (!plan.approvedBy) return {};
  const by = plan.approvedBy === 'flag' ? '--approve' : 'APPROVE_HELD_CYCLE';
  return { note: `approved by ${by}${plan.approvedHeldRun ? ` as held cycle ${plan.approvedHeldRun}` : ''}` };
}

function diffStats(after: DirectoryStats, before: DirectoryStats): DirectoryStats {
  return {
    httpRequests: after.httpRequests - before.httpRequests,
    subRequests: after.subRequests - before.subRequests,
    throttled: after.throttled - before.throttled,
    writes: after.writes - before.writes,
  };
}
