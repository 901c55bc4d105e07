/**
 * The real exporter end to end, against a local stand-in for the ingestion endpoint: what
 * Application Insights would receive, as envelopes. No credential (the stand-in speaks plain
 * HTTP, and Entra tokens are only sent over TLS); the credential path is covered by
 * ingestionCredential.test.ts. This file starts the process-wide distro, so it runs alone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry } from '../../src/telemetry/createTelemetry';
import { captureLogger, cycleRun, TRACEPARENT, writtenOutcome } from './fixtures';

interface Envelope {
  name: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: { name?: string; properties?: Record<string, string>; measurements?: Record<string, number>; metrics?: Array<{ name: string; value: number }> } };
}

const envelopes: Envelope[] = [];
let server: Server;
let connectionString: string;

beforeAll(async () => {
  process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      if (req.url?.includes('/track')) {
        const parsed: unknown = text.trim().startsWith('[') ? JSON.parse(text) : text.trim().split('\n').map((line) => JSON.parse(line));
        envelopes.push(...(parsed as Envelope[]));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  connectionString = `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:${port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('createTelemetry with a connection string', () => {
  it('delivers WorkerOutcome, RunCompleted and the run metrics to Application Insights under the operation id', async () => {
    const telemetry = createTelemetry({ connectionString, logger: captureLogger(), authenticationString: '' });
    telemetry.workerOutcome(writtenOutcome(), { runId: 'cycle-1', durationMs: 84, graphRequests: 2, operationId: TRACEPARENT });
    telemetry.runCompleted(cycleRun({ held: true }), { escrowBacklog: 3, escrowOldestAgeMinutes: 95, operationId: TRACEPARENT });
    await telemetry.flush();

    console.error(JSON.stringify(envelopes.map((e) => [e.name, e.data.baseType, e.data.baseData.name])));
    const events = envelopes.filter((e) => e.data.baseType === 'EventData');
    const outcome = events.find((e) => e.data.baseData.name === 'WorkerOutcome');
    expect(outcome?.data.baseData.properties).toMatchObject({ code: 'written', workerId: '21001', runId: 'cycle-1' });
    expect(outcome?.data.baseData.measurements).toEqual({ durationMs: 84, graphRequests: 2 });
    expect(outcome?.tags['ai.operation.id']).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(outcome?.tags['ai.operation.parentId']).toBe('b7ad6b7169203331');
    expect(events.map((e) => e.data.baseData.name)).toEqual(expect.arrayContaining(['RunCompleted', 'CycleHeld']));

    const metricNames = envelopes.filter((e) => e.data.baseType === 'MetricData').flatMap((e) => e.data.baseData.metrics!.map((m) => m.name));
    expect(metricNames).toEqual(expect.arrayContaining(['AttributeWriter.Outcomes', 'AttributeWriter.EscrowBacklog', 'AttributeWriter.RunDurationMs']));
  }, 30_000);
});
