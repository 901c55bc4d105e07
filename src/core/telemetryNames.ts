/**
 * Names of the telemetry records the app emits. The workbook and alert rules in infra/ query
 * exactly these names; a test checks that they agree.
 */
export const TELEMETRY = {
  /** Custom event per worker outcome a person may act on, when new (src/telemetry/workerEvents.ts). Properties: code, reason, workerId, runId, runKind, detail; measurements: durationMs, graphRequests. */
  workerOutcomeEvent: 'WorkerOutcome',
  /** Custom event, one per cycle, sweep or resync. Properties: runId, kind, dryRun, held, approved; measurements: counts.* and the metrics below. */
  runCompletedEvent: 'RunCompleted',
  /** Custom event when the mass-change guard holds a cycle. */
  cycleHeldEvent: 'CycleHeld',
  metrics: {
    outcomes: 'AttributeWriter.Outcomes',
    escrowBacklog: 'AttributeWriter.EscrowBacklog',
    escrowOldestAgeMinutes: 'AttributeWriter.EscrowOldestAgeMinutes',
    graphThrottled: 'AttributeWriter.GraphThrottled',
    graphRequests: 'AttributeWriter.GraphRequests',
    workdayReadMs: 'AttributeWriter.WorkdayReadMs',
    runDurationMs: 'AttributeWriter.RunDurationMs',
    /** Gauge, measured by each sweep: jobs waiting in the poison queue (the poison-depth alert). */
    poisonQueueDepth: 'AttributeWriter.PoisonQueueDepth',
  },
} as const;
