/**
 * The Application Insights sink, on OpenTelemetry through `@azure/monitor-opentelemetry`:
 * events become `customEvents` (a log record carrying `microsoft.custom_event.name`), metrics
 * become `customMetrics`. Each event is emitted under the run's operation id, so it shares
 * `operation_Id` with the Functions host's request for the invocation that started the run.
 * Telemetry never breaks the pipeline: a record that cannot be emitted is logged and dropped.
 */
import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  TraceFlags,
  context as otelContext,
  metrics,
  trace,
  type Context,
  type Meter,
} from '@opentelemetry/api';
import { logs, type Logger as OtelLogger } from '@opentelemetry/api-logs';
import type { Logger, Telemetry } from '../core/ports';
import { parseOperationId } from './operationContext';
import {
  runRecords,
  workerOutcomeRecords,
  type MetricInstrument,
  type TelemetryMetric,
  type TelemetryRecord,
} from './telemetryRecords';

/** What the sink writes to; the real one comes from `startAzureMonitor`, tests pass fakes. */
export interface OtelSinks {
  logger: OtelLogger;
  meter: Meter;
  forceFlush(): Promise<void>;
}

/** The exporter's attribute names (Azure Monitor OpenTelemetry exporter, logUtils). */
const CUSTOM_EVENT_NAME = 'microsoft.custom_event.name';
const CUSTOM_MEASUREMENTS = 'microsoft.custom_measurements';
export const INSTRUMENTATION_SCOPE = 'entra-attribute-writer';

export function createOtelTelemetry(sinks: OtelSinks, logger: Logger): Telemetry {
  const instruments = new Instruments(sinks.meter);
  const emit = (records: readonly TelemetryRecord[], operationId: string | undefined): void => {
    const context = contextFor(operationId);
    for (const record of records) {
      try {
        if (record.kind === 'event') {
          sinks.logger.emit({
            body: record.name,
            attributes: {
              ...record.properties,
              [CUSTOM_EVENT_NAME]: record.name,
              [CUSTOM_MEASUREMENTS]: JSON.stringify(record.measurements),
            },
            context,
          });
        } else {
          instruments.record(record);
        }
      } catch (err) {
        logger.log('warn', 'telemetry record dropped', { name: record.name, error: (err as Error).message });
      }
    }
  };
  return {
    workerOutcome: (outcome, context) => emit(workerOutcomeRecords(outcome, context), context.operationId),
    runCompleted: (run, context) => emit(runRecords(run, context), context.operationId),
    flush: async () => {
      try {
        await sinks.forceFlush();
      } catch (err) {
        logger.log('warn', 'telemetry flush failed; records may arrive late or be lost', {
          error: (err as Error).message,
        });
      }
    },
  };
}

/**
 * The context an event is emitted under: the run's trace when its operation id names one, else
 * whatever is active. The sampled flag keeps trace-based log sampling from dropping the record.
 */
export function contextFor(operationId: string | undefined): Context {
  const operation = parseOperationId(operationId);
  if (!operation) return otelContext.active();
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: operation.traceId,
    // The exporter needs a valid span id; without the invocation's own, any fresh one will do.
    spanId: operation.spanId ?? randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

interface Recorder {
  record(value: number, dimensions: Record<string, string>): void;
}

/** One instrument per metric name, created on first use with the kind the record asks for. */
class Instruments {
  private readonly byName = new Map<string, Recorder>();

  constructor(private readonly meter: Meter) {}

  record(metric: TelemetryMetric): void {
    let recorder = this.byName.get(metric.name);
    if (!recorder) {
      recorder = this.create(metric.name, metric.instrument);
      this.byName.set(metric.name, recorder);
    }
    recorder.record(metric.value, metric.dimensions);
  }

  private create(name: string, instrument: MetricInstrument): Recorder {
    if (instrument === 'counter') {
      const counter = this.meter.createCounter(name);
      return { record: (value, dimensions) => counter.add(value, dimensions) };
    }
    if (instrument === 'gauge') {
      const gauge = this.meter.createGauge(name);
      return { record: (value, dimensions) => gauge.record(value, dimensions) };
    }
    const histogram = this.meter.createHistogram(name);
    return { record: (value, dimensions) => histogram.record(value, dimensions) };
  }
}

/** Flushes whatever providers are registered globally (the SDK's have `forceFlush`). */
export async function flushGlobalProviders(): Promise<void> {
  const providers = [logs.getLoggerProvider(), metrics.getMeterProvider()] as unknown as Array<{
    forceFlush?: () => Promise<void>;
  }>;
  await Promise.all(providers.map((provider) => provider.forceFlush?.()));
}
