export { createTelemetry, type TelemetryOptions } from './createTelemetry';
export { operationIdOf, parseOperationId, type OperationContext } from './operationContext';
export { runRecords, workerOutcomeRecords, type TelemetryEvent, type TelemetryMetric, type TelemetryRecord } from './telemetryRecords';
