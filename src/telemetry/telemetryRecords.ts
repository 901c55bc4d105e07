/**
 * The shape of every telemetry record, built once from an outcome or a run and handed to
 * whichever sink is configured (Application Insights, or the log). Pure: no SDK, no clock.
 * Every string passes through the one masking function, so no personal email leaves in full.
 */
import { maskPersonalData } from '../core/mask';
import { emptyCounts, OUTCOME_CODES, type Outcome, type OutcomeCounts } from '../core/outcome';
import type { RunCompletedContext, RunKind, RunRecord } from '../core/ports';
import { TELEMETRY } from '../core/telemetryNames';
import { parseOperationId } from './operationContext';
import { needsWorkerEvent } from './workerEvents';

export interface TelemetryEvent {
  kind: 'event';
  name: string;
  properties: Record<string, string>;
  measurements: Record<string, number>;
}

export type MetricInstrument = 'counter' | 'gauge' | 'histogram';

export interface TelemetryMetric {
  kind: 'metric';
  name: string;
  instrument: MetricInstrument;
  value: number;
  dimensions: Record<string, string>;
}

export type TelemetryRecord = TelemetryEvent | TelemetryMetric;

/** What the port passes with a worker outcome, plus what a caller may know about the run. */
export interface WorkerOutcomeContext {
  runId: string;
  durationMs: number;
  graphRequests: number;
  operationId?: string;
  /** The kind of run the outcome belongs to, when the caller knows it. */
  runKind?: RunKind;
  dryRun?: boolean;
}

/** What a run's event carries beside its record (the port's type). */
export type RunContext = RunCompletedContext;

/** Outcomes whose detail says what to fix (who shares the id, why Graph refused, what is wrong with a value). */
const DETAILED_OUTCOMES = new Set<Outcome['code']>(['denied', 'failed', 'rejected', 'conflict', 'expired']);

/** One `WorkerOutcome` event, or none where no person needs one (workerEvents.ts). */
export function workerOutcomeRecords(outcome: Outcome, context: WorkerOutcomeContext): TelemetryRecord[] {
  if (!needsWorkerEvent(outcome, context)) return [];
  const properties = cleanProperties({
    code: outcome.code,
    reason: outcome.reason,
    workerId: outcome.workerId,
    runId: context.runId,
    runKind: context.runKind,
    dryRun: context.dryRun,
    operationId: operationProperty(context.operationId),
    // The diff is masked at source (outcome.changes) and again here, like every property.
    changes: outcome.changes && outcome.changes.length > 0 ? JSON.stringify(outcome.changes) : undefined,
    // Graph's refusals and failures carry its request-id and client-request-id, which support asks for.
    detail: DETAILED_OUTCOMES.has(outcome.code) ? outcome.detail : undefined,
  });
  const measurements = cleanMeasurements({ durationMs: context.durationMs, graphRequests: context.graphRequests });
  return [{ kind: 'event', name: TELEMETRY.workerOutcomeEvent, properties, measurements }];
}

/** `RunCompleted`, `CycleHeld` when the guard held the run, and the per-run metrics. */
export function runRecords(run: RunRecord, context: RunContext): TelemetryRecord[] {
  const common = {
    runId: run.runId,
    kind: run.kind,
    dryRun: run.dryRun,
    operationId: operationProperty(context.operationId),
  };
  const completed: TelemetryEvent = {
    kind: 'event',
    name: TELEMETRY.runCompletedEvent,
    properties: cleanProperties({
      ...common,
      held: run.held,
      approved: run.approved,
      note: run.note,
      requestedById: run.requestedBy?.objectId,
      requestedByName: run.requestedBy?.name,
      stopped: run.stopped,
      // In Azure a timer cycle is reported when planning ends (its jobs pending) and again by the
      // job that settles last: the run's latest event per runId holds everything.
      jobsPending: run.settled ? run.settled.jobs < run.enqueued : undefined,
    }),
    measurements: cleanMeasurements({
      ...countMeasurements(run),
      ...settledMeasurements(run),
      enqueued: run.enqueued,
      graphRequests: run.graphRequests,
      graphThrottled: run.graphThrottled,
      workdayReadMs: run.workdayReadMs,
      durationMs: run.durationMs,
      drift: run.drift,
      escrowBacklog: context.escrow?.backlog,
      escrowOldestAgeMinutes: context.escrow?.oldestAgeMinutes,
      poisonQueueDepth: context.poisonQueueDepth,
    }),
  };
  const held: TelemetryEvent[] = run.held
    ? [
        {
          kind: 'event',
          name: TELEMETRY.cycleHeldEvent,
          // The portal shows this next to the alert: how to let the held changes through.
          properties: cleanProperties({ ...common, approveWith: approveWith(run.runId) }),
          measurements: cleanMeasurements({ heldWorkers: run.counts.held }),
        },
      ]
    : [];
  if (context.lastJobSettled) return [completed, ...outcomeMetrics(run.settled?.counts ?? emptyCounts(), run)];
  const settledNow = run.settled && run.settled.jobs >= run.enqueued ? run.settled.counts : emptyCounts();
  return [completed, ...held, ...outcomeMetrics(sumOf(run.counts, settledNow), run), ...runMetrics(run, context)];
}

function outcomeMetrics(counts: OutcomeCounts, run: RunRecord): TelemetryMetric[] {
  const byRun = { runKind: run.kind, dryRun: String(run.dryRun) };
  return OUTCOME_CODES.filter((code) => counts[code] > 0).map((code) =>
    metric(TELEMETRY.metrics.outcomes, 'counter', counts[code], { code, ...byRun }),
  );
}

function sumOf(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  return Object.fromEntries(OUTCOME_CODES.map((code) => [code, (a[code] ?? 0) + (b[code] ?? 0)])) as OutcomeCounts;
}

/** The approve route first (no app-setting edit), then the CLI. */
function approveWith(runId: string): string {
  return `POST /api/cycles/${runId}/approve (app role AttributeWriter.Approve), or attribute-writer cycle --approve ${runId}`;
}

function runMetrics(run: RunRecord, context: RunContext): TelemetryMetric[] {
  const m = TELEMETRY.metrics;
  const byRun = { runKind: run.kind, dryRun: String(run.dryRun) };
  return [
    ...(context.escrow === undefined
      ? []
      : [
          metric(m.escrowBacklog, 'gauge', context.escrow.backlog, {}),
          metric(m.escrowOldestAgeMinutes, 'gauge', context.escrow.oldestAgeMinutes, {}),
        ]),
    ...(context.poisonQueueDepth === undefined
      ? []
      : [metric(m.poisonQueueDepth, 'gauge', context.poisonQueueDepth, {})]),
    metric(m.graphRequests, 'counter', run.graphRequests, byRun),
    metric(m.graphThrottled, 'counter', run.graphThrottled, byRun),
    // Only a cycle reads Workday in bulk; a sweep's zero would drag the average down.
    ...(run.kind === 'sweep' ? [] : [metric(m.workdayReadMs, 'histogram', run.workdayReadMs, byRun)]),
    metric(m.runDurationMs, 'histogram', run.durationMs, { ...byRun, held: String(run.held) }),
  ].filter((record) => Number.isFinite(record.value));
}

function metric(
  name: string,
  instrument: MetricInstrument,
  value: number,
  dimensions: Record<string, string>,
): TelemetryMetric {
  return { kind: 'metric', name, instrument, value, dimensions: cleanProperties(dimensions) };
}

/** `settled_<code>` for every outcome code, `settled_superseded` and `settledJobs`: the run's jobs as they ended. */
function settledMeasurements(run: RunRecord): Record<string, number> {
  if (!run.settled) return {};
  const { counts, superseded, jobs } = run.settled;
  return {
    ...Object.fromEntries(OUTCOME_CODES.map((code) => [`settled_${code}`, counts[code] ?? 0])),
    settled_superseded: superseded,
    settledJobs: jobs,
  };
}

function countMeasurements(run: RunRecord): Record<string, number> {
  return Object.fromEntries(OUTCOME_CODES.map((code) => [`counts.${code}`, run.counts[code] ?? 0]));
}

/** The trace id when the operation id is a W3C trace context or invocation id; else the masked text. */
function operationProperty(operationId: string | undefined): string | undefined {
  if (!operationId) return undefined;
  return parseOperationId(operationId)?.traceId ?? operationId;
}

/** Strings only, masked; absent values left out so a query sees "missing", not "undefined". */
function cleanProperties(values: Record<string, string | boolean | undefined>): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === '') continue;
    properties[key] = maskPersonalData(String(value));
  }
  return properties;
}

/** Finite numbers only; absent values left out, like properties. */
function cleanMeasurements(values: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, number] => Number.isFinite(entry[1])),
  );
}
