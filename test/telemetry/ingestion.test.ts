/**
 * The real exporter end to end, against the local HTTPS stand-in for the ingestion endpoint: the
 * envelopes Application Insights would receive, with the Entra token local auth-disabled
 * resources require. This file starts the process-wide distro; vitest runs each file in its own
 * process, so it touches no other test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry } from '../../src/telemetry/createTelemetry';
import { captureLogger, cycleRun, TRACEPARENT, writtenOutcome } from './fixtures';
import {
  fakeCredential,
  flushUntil,
  hasOpenssl,
  startIngestionStandIn,
  type IngestionStandIn,
} from './ingestionStandIn';

let standIn: IngestionStandIn | undefined;

beforeAll(async () => {
  if (hasOpenssl) standIn = await startIngestionStandIn();
});

afterAll(async () => {
  await standIn?.close();
});

describe.skipIf(!hasOpenssl)('createTelemetry with a connection string', () => {
  it('delivers WorkerOutcome, RunCompleted, CycleHeld and the run metrics with an Entra token, under the operation id', async () => {
    const { connectionString, envelopes, authorizations } = standIn!;
    const telemetry = createTelemetry({ connectionString, logger: captureLogger(), credential: fakeCredential });
    telemetry.workerOutcome(writtenOutcome(), {
      runId: 'cycle-1',
      durationMs: 84,
      graphRequests: 2,
      operationId: TRACEPARENT,
    });
    telemetry.runCompleted(cycleRun({ held: true }), {
      escrow: { backlog: 3, oldestAgeMinutes: 95 },
      operationId: TRACEPARENT,
    });
    await flushUntil(
      () => telemetry.flush(),
      () => envelopes.length > 0,
    );

    const events = envelopes.filter((e) => e.data.baseType === 'EventData');
    const outcome = events.find((e) => e.data.baseData.name === 'WorkerOutcome');
    expect(outcome?.data.baseData.properties).toMatchObject({ code: 'written', workerId: '21001', runId: 'cycle-1' });
    expect(outcome?.data.baseData.measurements).toEqual({ durationMs: 84, graphRequests: 2 });
    expect(outcome?.tags['ai.operation.id']).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(outcome?.tags['ai.operation.parentId']).toBe('b7ad6b7169203331');
    expect(events.map((e) => e.data.baseData.name)).toEqual(expect.arrayContaining(['RunCompleted', 'CycleHeld']));

    const metricNames = envelopes
      .filter((e) => e.data.baseType === 'MetricData')
      .flatMap((e) => e.data.baseData.metrics!.map((m) => m.name));
    expect(metricNames).toEqual(
      expect.arrayContaining([
        'AttributeWriter.Outcomes',
        'AttributeWriter.EscrowBacklog',
        'AttributeWriter.RunDurationMs',
      ]),
    );

    expect([...authorizations]).toEqual(['Bearer token-for https://monitor.azure.com/.default']);
  }, 30_000);
});
