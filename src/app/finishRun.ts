/**
 * How a run ends, for every kind alike: its record (planning's outcomes, its jobs settled so far,
 * why it stopped when it did), its telemetry event, and the summary the caller prints. One run's
 * figures keep this one shape from the run to its record, its summary and its telemetry.
 */
import type { ApprovalSource } from '../core/approval';
import type { CyclePlan } from '../core/cycle';
import { ensureAppError } from '../core/errors';
import { maskPersonalData } from '../core/mask';
import type { Outcome, OutcomeCounts } from '../core/outcome';
import type { Dependencies } from '../core/dependencies';
import type { DirectoryStats, Requester, RunKind, RunRecord } from '../core/ports';
import { backlogAfter } from '../core/sweep';
import { RunTally } from '../core/tally';

export interface RunSummary {
  runId: string;
  kind: RunKind;
  dryRun: boolean;
  held: boolean;
  /** A dry run over the mass-change guard: a real cycle would have been held. */
  wouldBeHeld?: boolean;
  approvedBy: ApprovalSource | null;
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

/**
 * Outcomes decided without a queue job (planning, sweep) get their telemetry event too; those a
 * person may act on are kept for the run's worker listing. Out-of-scope and unchanged workers are
 * left out: they are most of a steady cycle, and their counts say all there is.
 */
export function planningOutcomes(
  deps: Dependencies,
  runId: string,
  runKind: RunKind,
  dryRun: boolean,
  operationId: string,
): { listener: (outcome: Outcome) => void; outcomes: Outcome[] } {
  const outcomes: Outcome[] = [];
  const listener = (outcome: Outcome) => {
    if (outcome.workerId === '') return;
    if (!QUIET_OUTCOMES.has(outcome.code)) outcomes.push(outcome);
    // A dry or held run's per-worker outcomes are predictions or waits: its counts say them.
    if (dryRun || outcome.code === 'held') return;
    deps.telemetry.workerOutcome(outcome, { runId, runKind, dryRun, durationMs: 0, graphRequests: 0, operationId });
  };
  return { listener, outcomes };
}

const QUIET_OUTCOMES: ReadonlySet<Outcome['code']> = new Set(['outOfScope', 'unchanged']);

/**
 * A run whose planning failed is still recorded, with the outcomes it gave until then and why it
 * stopped; then the error goes on to the caller (its exit code).
 */
export async function recordStopped(
  deps: Dependencies,
  run: {
    runId: string;
    kind: RunKind;
    startedAt: Date;
    dryRun: boolean;
    decided: ReturnType<typeof planningOutcomes>;
    requestedBy?: Requester | undefined;
  },
  err: unknown,
): Promise<never> {
  const tally = new RunTally();
  for (const outcome of run.decided.outcomes) tally.add(outcome, { quiet: true });
  await finishRun(
    deps,
    run.kind,
    {
      runId: run.runId,
      startedAt: run.startedAt,
      dryRun: run.dryRun,
      tally,
      enqueued: 0,
      held: false,
      approvedBy: null,
      workdayReadMs: 0,
      requestedBy: run.requestedBy,
    },
    { ...deps.directory.stats() },
    { decided: run.decided.outcomes, stopped: err },
  ).catch(() => undefined);
  throw err;
}

export type PlanLike = Pick<
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
  > & {
    requestedBy?: Requester | undefined;
    /** The sweep's reading of the poison queue's depth (for the poison-depth alert). */
    poisonQueueDepth?: number | undefined;
    /** The outcomes planning gave without a job (default: the tally's); the jobs' are counted as they settle. */
    planned?: OutcomeCounts;
  };

export async function finishRun(
  deps: Dependencies,
  kind: RunKind,
  plan: PlanLike,
  graphBefore: DirectoryStats,
  ending: { decided?: readonly Outcome[]; stopped?: unknown } = {},
): Promise<RunSummary> {
  const durationMs = deps.clock.now().getTime() - plan.startedAt.getTime();
  const graph = diffStats(deps.directory.stats(), graphBefore);
  const escrow = plan.escrowAtStart ? backlogAfter(plan.escrowAtStart, plan.tally, deps.clock.now()) : undefined;
  const counts = plan.tally.counts();
  const stopped = ending.stopped === undefined ? undefined : ensureAppError(ending.stopped);
  const record: RunRecord = {
    runId: plan.runId,
    kind,
    startedAt: plan.startedAt,
    durationMs,
    dryRun: plan.dryRun,
    approved: plan.approvedBy !== null,
    held: plan.held,
    counts: plan.planned ?? counts,
    enqueued: plan.enqueued,
    graphRequests: graph.httpRequests,
    graphThrottled: graph.throttled,
    workdayReadMs: plan.workdayReadMs,
    ...(plan.changes !== undefined ? { changes: plan.changes } : {}),
    ...(plan.approvedHeldRun ? { approvedHeldRun: plan.approvedHeldRun } : {}),
    drift: plan.tally.drifted(),
    ...noteOf(plan),
    ...(plan.requestedBy ? { requestedBy: plan.requestedBy } : {}),
    ...(stopped ? { stopped: maskPersonalData(`${stopped.code}: ${stopped.message}`) } : {}),
  };
  let recorded = record;
  try {
    recorded = await deps.runs.record(record, ending.decided);
  } catch (err) {
    // A held plan that is not on record could not be approved as itself: the cycle fails instead.
    if (plan.held && !plan.dryRun) throw ensureAppError(err);
    deps.logger.log('error', `could not record run ${plan.runId}`, { error: ensureAppError(err).message });
  }
  deps.telemetry.runCompleted(recorded, {
    ...(escrow ? { escrowBacklog: escrow.backlog, escrowOldestAgeMinutes: escrow.oldestAgeMinutes } : {}),
    ...(plan.poisonQueueDepth === undefined ? {} : { poisonQueueDepth: plan.poisonQueueDepth }),
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

const APPROVED_BY: Record<ApprovalSource, string> = {
  flag: '--approve',
  setting: 'APPROVE_HELD_CYCLE',
  route: 'an operator through POST /api/cycles/{runId}/approve',
};

function noteOf(plan: PlanLike): { note?: string } {
  if (plan.held) return plan.heldReason ? { note: plan.heldReason } : {};
  if (!plan.approvedBy) return {};
  const by = APPROVED_BY[plan.approvedBy];
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
