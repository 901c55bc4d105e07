import { describe, expect, it } from 'vitest';
import { emptyCounts, OUTCOME_CODES } from '../../src/core/outcome';
import { TELEMETRY } from '../../src/core/telemetryNames';
import {
  runRecords,
  workerOutcomeRecords,
  type TelemetryEvent,
  type TelemetryMetric,
  type TelemetryRecord,
} from '../../src/telemetry/telemetryRecords';
import { cycleRun, TRACEPARENT, writtenOutcome } from './fixtures';

const events = (records: TelemetryRecord[]) => records.filter((r): r is TelemetryEvent => r.kind === 'event');
const metrics = (records: TelemetryRecord[]) => records.filter((r): r is TelemetryMetric => r.kind === 'metric');

describe('workerOutcomeRecords', () => {
  it('builds one WorkerOutcome event with the documented properties and measurements', () => {
    const records = workerOutcomeRecords(writtenOutcome({ code: 'escrowed', reason: 'notFound' }), {
      runId: 'cycle-1',
      durationMs: 84,
      graphRequests: 2,
      operationId: TRACEPARENT,
      runKind: 'cycle',
      dryRun: false,
    });
    expect(records).toEqual([
      {
        kind: 'event',
        name: TELEMETRY.workerOutcomeEvent,
        properties: {
          code: 'escrowed',
          reason: 'notFound',
          workerId: '21001',
          runId: 'cycle-1',
          runKind: 'cycle',
          dryRun: 'false',
          operationId: '0af7651916cd43dd8448eb211c80319c',
        },
        measurements: { durationMs: 84, graphRequests: 2 },
      },
    ]);
  });

  // Each event is a billed Log Analytics row: only outcomes a person may act on are sent (docs/cost.md).
  it.each(['unchanged', 'outOfScope', 'held'] as const)('sends no event for a %s worker', (code) => {
    expect(workerOutcomeRecords(writtenOutcome({ code }), { runId: 'r', durationMs: 1, graphRequests: 0 })).toEqual([]);
  });

  it('sends no event for any worker of a dry run', () => {
    const context = { runId: 'r', durationMs: 1, graphRequests: 0, dryRun: true };
    expect(workerOutcomeRecords(writtenOutcome({ code: 'denied' }), context)).toEqual([]);
  });

  it('sends no event for an outcome the worker already had (told before)', () => {
    const context = { runId: 'r', durationMs: 1, graphRequests: 0 };
    expect(workerOutcomeRecords(writtenOutcome({ code: 'rejected', repeated: true }), context)).toEqual([]);
    expect(events(workerOutcomeRecords(writtenOutcome({ code: 'rejected' }), context))).toHaveLength(1);
  });

  it('carries the detail of a conflict, which names what to fix', () => {
    const detail = '2 users share employeeId';
    const [event] = events(
      workerOutcomeRecords(writtenOutcome({ code: 'conflict', detail }), {
        runId: 'r',
        durationMs: 1,
        graphRequests: 0,
      }),
    );
    expect(event!.properties.detail).toBe(detail);
  });

  it('leaves out what the caller did not know instead of writing "undefined"', () => {
    const [event] = events(workerOutcomeRecords(writtenOutcome(), { runId: 'r', durationMs: 1, graphRequests: 0 }));
    expect(Object.keys(event!.properties).sort()).toEqual(['code', 'runId', 'workerId']);
  });

  it('masks a personal email wherever it appears', () => {
    const [event] = events(
      workerOutcomeRecords(
        writtenOutcome({ workerId: 'jane.doe@example.com', reason: 'duplicate of jane.doe@example.com' }),
        {
          runId: 'run for ann@contoso.com',
          durationMs: 1,
          graphRequests: 1,
          operationId: 'op ann@contoso.com',
        },
      ),
    );
    expect(JSON.stringify(event)).not.toMatch(/jane\.doe@|ann@/);
    expect(event!.properties.workerId).toBe('j***@example.com');
  });

  it('carries the diff of a written worker, personal emails masked', () => {
    const changes = [{ property: 'otherMails', before: [], after: ['jane.doe@example.com'] }];
    const [event] = events(
      workerOutcomeRecords(writtenOutcome({ changes }), { runId: 'r', durationMs: 1, graphRequests: 1 }),
    );
    expect(event!.properties.changes).toContain('j***@example.com');
    expect(event!.properties.changes).not.toContain('jane.doe@');
  });

  it('drops a measurement that is not a finite number', () => {
    const [event] = events(
      workerOutcomeRecords(writtenOutcome(), { runId: 'r', durationMs: Number.NaN, graphRequests: 3 }),
    );
    expect(event!.measurements).toEqual({ graphRequests: 3 });
  });
});

describe('runRecords', () => {
  it('counts drifted workers in RunCompleted (a written value Entra replaced)', () => {
    const [completed] = events(runRecords({ ...cycleRun(), drift: 2 }, {}));
    expect(completed!.measurements).toMatchObject({ drift: 2 });
  });

  it('builds RunCompleted with a count for every outcome code and the run metrics as measurements', () => {
    const [completed] = events(
      runRecords(cycleRun(), { escrow: { backlog: 3, oldestAgeMinutes: 95 }, operationId: TRACEPARENT }),
    );
    expect(completed!.name).toBe(TELEMETRY.runCompletedEvent);
    expect(completed!.properties).toEqual({
      runId: 'cycle-20250101T0000',
      kind: 'cycle',
      dryRun: 'false',
      held: 'false',
      approved: 'false',
      operationId: '0af7651916cd43dd8448eb211c80319c',
    });
    for (const code of OUTCOME_CODES) expect(completed!.measurements).toHaveProperty(`counts.${code}`);
    expect(completed!.measurements).toMatchObject({
      'counts.written': 12,
      'counts.failed': 0,
      enqueued: 16,
      graphRequests: 40,
      graphThrottled: 2,
      workdayReadMs: 9_000,
      durationMs: 42_000,
      escrowBacklog: 3,
      escrowOldestAgeMinutes: 95,
    });
  });

  it('adds CycleHeld, saying how to approve, only when the guard held the cycle', () => {
    const context = { escrow: { backlog: 0, oldestAgeMinutes: 0 } };
    expect(events(runRecords(cycleRun(), context)).map((e) => e.name)).not.toContain(TELEMETRY.cycleHeldEvent);
    const held = events(
      runRecords(cycleRun({ held: true, counts: { ...cycleRun().counts, held: 800 } }), context),
    ).find((e) => e.name === TELEMETRY.cycleHeldEvent);
    expect(held?.properties.approveWith).toBe(
      'POST /api/cycles/cycle-20250101T0000/approve (app role AttributeWriter.Approve), or attribute-writer cycle --approve cycle-20250101T0000',
    );
    expect(held?.measurements).toEqual({ heldWorkers: 800 });
  });

  it('emits one Outcomes counter per outcome code that occurred, tagged with the code', () => {
    const outcomes = metrics(runRecords(cycleRun(), { escrow: { backlog: 0, oldestAgeMinutes: 0 } })).filter(
      (m) => m.name === TELEMETRY.metrics.outcomes,
    );
    expect(outcomes.map((m) => [m.dimensions.code, m.value, m.instrument])).toEqual([
      ['written', 12, 'counter'],
      ['unchanged', 300, 'counter'],
      ['escrowed', 3, 'counter'],
      ['denied', 1, 'counter'],
    ]);
  });

  it('emits every per-run metric named in telemetryNames for a run that measured everything', () => {
    const context = { escrow: { backlog: 3, oldestAgeMinutes: 95 }, poisonQueueDepth: 0 };
    const names = new Set(metrics(runRecords(cycleRun(), context)).map((m) => m.name));
    expect([...names].sort()).toEqual(Object.values(TELEMETRY.metrics).sort());
  });

  it('records escrow backlog and oldest age as gauges and durations as histograms', () => {
    const byName = new Map(
      metrics(runRecords(cycleRun(), { escrow: { backlog: 3, oldestAgeMinutes: 95 } })).map((m) => [m.name, m]),
    );
    expect(byName.get(TELEMETRY.metrics.escrowBacklog)).toMatchObject({ instrument: 'gauge', value: 3 });
    expect(byName.get(TELEMETRY.metrics.escrowOldestAgeMinutes)).toMatchObject({ instrument: 'gauge', value: 95 });
    expect(byName.get(TELEMETRY.metrics.runDurationMs)).toMatchObject({ instrument: 'histogram', value: 42_000 });
    expect(byName.get(TELEMETRY.metrics.graphThrottled)).toMatchObject({ instrument: 'counter', value: 2 });
  });

  it('records the poison queue depth a sweep measured as a gauge, and on RunCompleted', () => {
    const records = runRecords(cycleRun({ kind: 'sweep' }), {
      escrow: { backlog: 0, oldestAgeMinutes: 0 },
      poisonQueueDepth: 4,
    });
    const depth = metrics(records).find((m) => m.name === TELEMETRY.metrics.poisonQueueDepth);
    expect(depth).toMatchObject({ instrument: 'gauge', value: 4 });
    expect(events(records)[0]!.measurements.poisonQueueDepth).toBe(4);
    const unmeasured = metrics(runRecords(cycleRun(), { escrow: { backlog: 0, oldestAgeMinutes: 0 } })).map(
      (m) => m.name,
    );
    expect(unmeasured).not.toContain(TELEMETRY.metrics.poisonQueueDepth);
  });

  it('leaves Workday read time out of a sweep, which reads nothing in bulk', () => {
    const sweep = metrics(
      runRecords(cycleRun({ kind: 'sweep', workdayReadMs: 0 }), { escrow: { backlog: 0, oldestAgeMinutes: 0 } }),
    );
    expect(sweep.map((m) => m.name)).not.toContain(TELEMETRY.metrics.workdayReadMs);
  });

  it('masks a personal email in the free-text note', () => {
    const records = runRecords(cycleRun({ note: 'skipped jane.doe@example.com' }), {
      escrow: { backlog: 0, oldestAgeMinutes: 0 },
    });
    expect(JSON.stringify(records)).not.toMatch(/jane\.doe@/);
    expect(events(records)[0]!.properties.note).toBe('skipped j***@example.com');
  });
});

describe('runRecords of a run whose jobs settle after planning', () => {
  const planned = { ...emptyCounts(), outOfScope: 32, rejected: 12 };
  const settled = (jobs: number) => ({
    counts: { ...emptyCounts(), written: jobs > 0 ? 200 : 0, escrowed: jobs > 0 ? 56 : 0 },
    superseded: 0,
    jobs,
  });
  const outcomeMetric = (records: TelemetryRecord[]) =>
    Object.fromEntries(
      metrics(records)
        .filter((m) => m.name === TELEMETRY.metrics.outcomes)
        .map((m) => [m.dimensions.code, m.value]),
    );

  it('carries settled_<code> for every code and says the jobs are pending while planning reports', () => {
    const records = runRecords(cycleRun({ counts: planned, enqueued: 256, settled: settled(0) }), {});
    const [completed] = events(records);
    expect(completed?.properties.jobsPending).toBe('true');
    for (const code of OUTCOME_CODES) expect(completed?.measurements[`settled_${code}`]).toBe(0);
    expect(completed?.measurements.settledJobs).toBe(0);
    expect(outcomeMetric(records)).toEqual({ outOfScope: 32, rejected: 12 });
  });

  it('counts each outcome once in the metric: the last job reports the jobs only', () => {
    const run = cycleRun({ counts: planned, enqueued: 256, settled: settled(256) });
    const records = runRecords(run, { lastJobSettled: true });
    const [completed] = events(records);
    expect(completed?.properties.jobsPending).toBe('false');
    expect(completed?.measurements).toMatchObject({ settled_written: 200, settled_escrowed: 56, settledJobs: 256 });
    expect(outcomeMetric(records)).toEqual({ written: 200, escrowed: 56 });
    expect(metrics(records).filter((m) => m.name !== TELEMETRY.metrics.outcomes)).toEqual([]);
  });

  it('counts planning and jobs together when every job settled before the run was reported (the CLI)', () => {
    const records = runRecords(cycleRun({ counts: planned, enqueued: 256, settled: settled(256) }), {});
    expect(outcomeMetric(records)).toEqual({ written: 200, outOfScope: 32, rejected: 12, escrowed: 56 });
  });
});
