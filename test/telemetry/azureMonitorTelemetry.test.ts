import { trace } from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api-logs';
import { describe, expect, it } from 'vitest';
import { contextFor, createOtelTelemetry, type OtelSinks } from '../../src/telemetry/azureMonitorTelemetry';
import { captureLogger, cycleRun, TRACEPARENT, writtenOutcome } from './fixtures';

interface Recorded {
  kind: string;
  name: string;
  value: number;
  attributes: unknown;
}

function fakeSinks(options: { failEmit?: boolean; failFlush?: boolean } = {}) {
  const logs: LogRecord[] = [];
  const measurements: Recorded[] = [];
  const created: string[] = [];
  const instrument = (kind: string, name: string) => {
    created.push(`${kind}:${name}`);
    const record = (value: number, attributes: unknown) => measurements.push({ kind, name, value, attributes });
    return { add: record, record };
  };
  const sinks = {
    logger: {
      emit: (record: LogRecord) => {
        if (options.failEmit) throw new Error('exporter gone');
        logs.push(record);
      },
    },
    meter: {
      createCounter: (name: string) => instrument('counter', name),
      createGauge: (name: string) => instrument('gauge', name),
      createHistogram: (name: string) => instrument('histogram', name),
    },
    forceFlush: async () => {
      if (options.failFlush) throw new Error('ingestion unreachable');
    },
  } as unknown as OtelSinks;
  return { sinks, logs, measurements, created };
}

describe('createOtelTelemetry', () => {
  it('emits a WorkerOutcome as a custom event with its properties and measurements', () => {
    const fake = fakeSinks();
    createOtelTelemetry(fake.sinks, captureLogger()).workerOutcome(writtenOutcome(), {
      runId: 'cycle-1',
      durationMs: 84,
      graphRequests: 2,
      operationId: TRACEPARENT,
    });
    expect(fake.logs).toHaveLength(1);
    expect(fake.logs[0]!.attributes).toEqual({
      'microsoft.custom_event.name': 'WorkerOutcome',
      'microsoft.custom_measurements': JSON.stringify({ durationMs: 84, graphRequests: 2 }),
      code: 'written',
      workerId: '21001',
      runId: 'cycle-1',
      operationId: '0af7651916cd43dd8448eb211c80319c',
    });
  });

  it("emits under the run's trace so the event joins the host's operation", () => {
    const fake = fakeSinks();
    createOtelTelemetry(fake.sinks, captureLogger()).workerOutcome(writtenOutcome(), {
      runId: 'r',
      durationMs: 1,
      graphRequests: 0,
      operationId: TRACEPARENT,
    });
    const span = trace.getSpanContext(fake.logs[0]!.context!);
    expect(span).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    });
  });

  it('records run metrics on instruments of the right kind, created once each', () => {
    const fake = fakeSinks();
    const telemetry = createOtelTelemetry(fake.sinks, captureLogger());
    telemetry.runCompleted(cycleRun(), { escrow: { backlog: 3, oldestAgeMinutes: 95 } });
    telemetry.runCompleted(cycleRun(), { escrow: { backlog: 2, oldestAgeMinutes: 5 } });
    expect(fake.created.filter((c) => c.endsWith('AttributeWriter.Outcomes'))).toEqual([
      'counter:AttributeWriter.Outcomes',
    ]);
    expect(fake.created).toContain('gauge:AttributeWriter.EscrowBacklog');
    expect(fake.created).toContain('histogram:AttributeWriter.RunDurationMs');
    const backlog = fake.measurements.filter((m) => m.name === 'AttributeWriter.EscrowBacklog').map((m) => m.value);
    expect(backlog).toEqual([3, 2]);
  });

  it('logs and drops a record the exporter refuses, without throwing into the pipeline', () => {
    const fake = fakeSinks({ failEmit: true });
    const logger = captureLogger();
    expect(() =>
      createOtelTelemetry(fake.sinks, logger).workerOutcome(writtenOutcome(), {
        runId: 'r',
        durationMs: 1,
        graphRequests: 0,
      }),
    ).not.toThrow();
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: 'telemetry record dropped',
        properties: { name: 'WorkerOutcome', error: 'exporter gone' },
      },
    ]);
  });

  it('reports a failed flush as a warning instead of failing the run', async () => {
    const logger = captureLogger();
    await createOtelTelemetry(fakeSinks({ failFlush: true }).sinks, logger).flush();
    expect(logger.lines[0]).toMatchObject({ level: 'warn', properties: { error: 'ingestion unreachable' } });
  });
});

describe('contextFor', () => {
  it('invents a valid span id when the operation id carried none', () => {
    const span = trace.getSpanContext(contextFor('5b6f3a2e-1d4c-4e8a-9f00-0123456789ab'));
    expect(span?.traceId).toBe('5b6f3a2e1d4c4e8a9f000123456789ab');
    expect(span?.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('uses the active context for an id that names no trace', () => {
    expect(trace.getSpanContext(contextFor('cli-run-7'))).toBeUndefined();
  });
});
