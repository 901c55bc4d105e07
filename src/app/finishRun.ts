/**
 * How a run ends, for every kind alike: its record (planning's outcomes, its jobs settled so far,
 * why it stopped when it did), its telemetry event, and the summary the caller prints. One run's
 * figures keep this one shape from the run to its record, its summary and its telemetry.
 */
import type { ApprovalSource } from '../core/approval';
import { ensureAppError } from '../core/errors';
import { maskPersonalData } from '../core/mask';
import type { Outcome, OutcomeCounts } from '../core/outcome';
import type { Dependencies } from '../core/dependencies';
import type { DirectoryStats, EscrowBacklog, Requester, RunKind, RunRecord } from '../core/ports';
import { type RunFigures, startFigures } from '../core/runFigures';
import { backlogAfter } from '../core/sweep';
import { RunTally } from '../core/tally';

/**
 * The summary a caller prints (the CLI's text and `--json`, the resync route's answer): the run's
 * figures under the names operators' scripts read.
 */
export interface RunSummary
  extends Pick<
      RunFigures,
      | 'runId'
      | 'kind'
      | 'dryRun'
      | 'held'
      | 'approvedBy'
      | 'enqueued'
      | 'changes'
      | 'read'
      | 'workersRead'
      | 'workdayReadMs'
      | 'heldReason'
      | 'approvedHeldRun'
      | 'superseded'
    >,
    RunMeasures {
  /** A dry run over the mass-change guard: a real cycle would have been held (absent when not). */
  wouldBeHeld?: true | undefined;
  counts: OutcomeCounts;
  /** Workers that were given an outcome. */
  workers: number;
  /** Workers whose written value Entra replaced (drift.ts). */
  drift: number;
  /** A few outcomes per code, masked. */
  examples: Outcome[];
  requestedBy?: Requester | undefined;
}

/** What is measured as a run ends, beside the figures its planning produced. */
export interface RunMeasures {
  durationMs: number;
  /** The Graph requests the run made (this process's counters, before and after). */
  graph: DirectoryStats;
  /** The escrow backlog as the run leaves it (a resync does not read the escrow table). */
  escrow?: EscrowBacklog | undefined;
}

/** What the operation knows of a run beside its figures. */
export interface RunEnding {
  /** Who ran it (a resync's caller, a CLI's operator); absent for the timers. */
  requestedBy?: Requester | undefined;
  /** The outcomes planning gave without a job (default: the tally's); the jobs' are counted as they settle. */
  planned?: OutcomeCounts | undefined;
  /** The sweep's reading of the poison queue's depth (for the poison-depth alert). */
  poisonQueueDepth?: number | undefined;
  /** The outcomes decided while planning, kept for the run's worker listing. */
  decided?: readonly Outcome[] | undefined;
  /** Why the run stopped before its end. */
  stopped?: unknown;
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
  run: Pick<RunFigures, 'runId' | 'kind' | 'startedAt' | 'dryRun'> & {
    decided: ReturnType<typeof planningOutcomes>;
    requestedBy?: Requester | undefined;
  },
  err: unknown,
): Promise<never> {
  const tally = new RunTally();
  for (const outcome of run.decided.outcomes) tally.add(outcome, { quiet: true });
  const { decided, requestedBy, ...started } = run;
  await finishRun(
    deps,
    startFigures(started, tally),
    { ...deps.directory.stats() },
    {
      requestedBy,
      decided: decided.outcomes,
      stopped: err,
    },
  ).catch(() => undefined);
  throw err;
}

export async function finishRun(
  deps: Dependencies,
  run: RunFigures,
  graphBefore: DirectoryStats,
  ending: RunEnding = {},
): Promise<RunSummary> {
  const now = deps.clock.now();
  const measures: RunMeasures = {
    durationMs: now.getTime() - run.startedAt.getTime(),
    graph: diffStats(deps.directory.stats(), graphBefore),
    escrow: run.escrowAtStart && backlogAfter(run.escrowAtStart, run.tally, now),
  };
  const record = recordOf(run, measures, ending);
  let recorded = record;
  try {
    recorded = await deps.runs.record(record, ending.decided);
  } catch (err) {
    // A held plan that is not on record could not be approved as itself: the cycle fails instead.
    if (run.held && !run.dryRun) throw ensureAppError(err);
    deps.logger.log('error', `could not record run ${run.runId}`, { error: ensureAppError(err).message });
  }
  deps.telemetry.runCompleted(recorded, {
    escrow: measures.escrow,
    poisonQueueDepth: ending.poisonQueueDepth,
    operationId: run.runId,
  });
  return summaryOf(run, measures, ending.requestedBy);
}

/** The run's row in the run history (its column names are what the workbook's queries read). */
function recordOf(run: RunFigures, measures: RunMeasures, ending: RunEnding): RunRecord {
  const stopped = ending.stopped === undefined ? undefined : ensureAppError(ending.stopped);
  return {
    runId: run.runId,
    kind: run.kind,
    startedAt: run.startedAt,
    durationMs: measures.durationMs,
    dryRun: run.dryRun,
    approved: run.approvedBy !== null,
    held: run.held,
    counts: ending.planned ?? run.tally.counts(),
    enqueued: run.enqueued,
    graphRequests: measures.graph.httpRequests,
    graphThrottled: measures.graph.throttled,
    workdayReadMs: run.workdayReadMs,
    changes: run.changes,
    approvedHeldRun: run.approvedHeldRun || undefined,
    drift: run.tally.drifted(),
    note: noteOf(run),
    requestedBy: ending.requestedBy,
    stopped: stopped && maskPersonalData(`${stopped.code}: ${stopped.message}`),
  };
}

/** The summary the caller prints; its field names are the `--json` output's. */
function summaryOf(run: RunFigures, measures: RunMeasures, requestedBy: Requester | undefined): RunSummary {
  const counts = run.tally.counts();
  return {
    runId: run.runId,
    kind: run.kind,
    dryRun: run.dryRun,
    held: run.held,
    wouldBeHeld: run.wouldBeHeld || undefined,
    approvedBy: run.approvedBy,
    counts,
    workers: Object.values(counts).reduce((a, b) => a + b, 0),
    enqueued: run.enqueued,
    changes: run.changes,
    read: run.read,
    workersRead: run.workersRead,
    durationMs: measures.durationMs,
    workdayReadMs: run.workdayReadMs,
    heldReason: run.heldReason || undefined,
    approvedHeldRun: run.approvedHeldRun || undefined,
    superseded: run.superseded,
    drift: run.tally.drifted(),
    graph: measures.graph,
    escrow: measures.escrow,
    examples: run.tally.exampleList(),
    requestedBy,
  };
}

const APPROVED_BY: Record<ApprovalSource, string> = {
  flag: '--approve',
  setting: 'APPROVE_HELD_CYCLE',
  route: 'an operator through POST /api/cycles/{runId}/approve',
};

function noteOf(run: RunFigures): string | undefined {
  if (run.held) return run.heldReason || undefined;
  if (!run.approvedBy) return undefined;
  const by = APPROVED_BY[run.approvedBy];
  return `approved by ${by}${run.approvedHeldRun ? ` as held cycle ${run.approvedHeldRun}` : ''}`;
}

function diffStats(after: DirectoryStats, before: DirectoryStats): DirectoryStats {
  return {
    httpRequests: after.httpRequests - before.httpRequests,
    subRequests: after.subRequests - before.subRequests,
    throttled: after.throttled - before.throttled,
    writes: after.writes - before.writes,
  };
}
