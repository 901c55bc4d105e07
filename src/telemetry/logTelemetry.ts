/**
 * The telemetry sink without Application Insights (local runs, the CLI, tests): the same records,
 * written to the one logger as readable lines, e.g.
 * `telemetry WorkerOutcome {code: "written", workerId: "21001", durationMs: 84, …}`.
 */
import type { Logger, Telemetry } from '../core/ports';
import { runRecords, workerOutcomeRecords, type TelemetryRecord } from './telemetryRecords';

export function createLogTelemetry(logger: Logger): Telemetry {
  return {
    workerOutcome: (outcome, context) => writeRecords(logger, workerOutcomeRecords(outcome, context)),
    runCompleted: (run, context) => writeRecords(logger, runRecords(run, context)),
    flush: async () => {},
  };
}

function writeRecords(logger: Logger, records: readonly TelemetryRecord[]): void {
  for (const record of records) {
    if (record.kind === 'event') {
      logger.log('info', `telemetry ${record.name}`, { ...record.properties, ...record.measurements });
    } else {
      // Metrics repeat what RunCompleted already says: keep them out of an operator's default view.
      logger.log('debug', `telemetry metric ${record.name}`, { value: record.value, ...record.dimensions });
    }
  }
}
