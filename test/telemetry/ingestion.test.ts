/**
 * The real exporter end to end, against a local HTTPS stand-in for the ingestion endpoint: the
 * envelopes Application Insights would receive, with the Entra token local auth-disabled
 * resources require. The exporter only speaks HTTPS, so the stand-in uses a throw-away
 * self-signed certificate made with openssl. This file starts the process-wide distro; vitest
 * runs each file in its own process, so it touches no other test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry } from '../../src/telemetry/createTelemetry';
import { captureLogger, cycleRun, TRACEPARENT, writtenOutcome } from './fixtures';

interface Envelope {
  tags: Record<string, string>;
  data: {
    baseType: string;
    baseData: { name?: string; properties?: Record<string, string>; measurements?: Record<string, number>; metrics?: Array<{ name: string; value: number }> };
  };
}

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const envelopes: Envelope[] = [];
const authorizations = new Set<string>();
let server: Server | undefined;
let connectionString = '';

const fakeCredential: TokenCredential = {
  getToken: async (scopes) => ({ token: `token-for ${[scopes].flat().join(' ')}`, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

beforeAll(async () => {
  if (!hasOpenssl) return;
  process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the stand-in's self-signed certificate
  const dir = mkdtempSync(join(tmpdir(), 'ingestion-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  rmSync(dir, { recursive: true, force: true });
  server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url?.includes('/track')) {
        const raw = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8').trim();
        envelopes.push(...((text.startsWith('[') ? JSON.parse(text) : text.split('\n').map((line) => JSON.parse(line))) as Envelope[]));
        authorizations.add(String(req.headers.authorization));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  connectionString = `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/`;
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
});

describe.skipIf(!hasOpenssl)('createTelemetry with a connection string', () => {
  it('delivers WorkerOutcome, RunCompleted, CycleHeld and the run metrics with an Entra token, under the operation id', async () => {
    const telemetry = createTelemetry({ connectionString, logger: captureLogger(), credential: fakeCredential });
    telemetry.workerOutcome(writtenOutcome(), { runId: 'cycle-1', durationMs: 84, graphRequests: 2, operationId: TRACEPARENT });
    telemetry.runCompleted(cycleRun({ held: true }), { escrowBacklog: 3, escrowOldestAgeMinutes: 95, operationId: TRACEPARENT });
    await telemetry.flush();
    // The first export may wait for the resource detectors (the Azure VM one probes IMDS).
    for (let waited = 0; envelopes.length === 0 && waited < 15_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await telemetry.flush();
    }

    const events = envelopes.filter((e) => e.data.baseType === 'EventData');
    const outcome = events.find((e) => e.data.baseData.name === 'WorkerOutcome');
    expect(outcome?.data.baseData.properties).toMatchObject({ code: 'written', workerId: '21001', runId: 'cycle-1' });
    expect(outcome?.data.baseData.measurements).toEqual({ durationMs: 84, graphRequests: 2 });
    expect(outcome?.tags['ai.operation.id']).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(outcome?.tags['ai.operation.parentId']).toBe('b7ad6b7169203331');
    expect(events.map((e) => e.data.baseData.name)).toEqual(expect.arrayContaining(['RunCompleted', 'CycleHeld']));

    const metricNames = envelopes.filter((e) => e.data.baseType === 'MetricData').flatMap((e) => e.data.baseData.metrics!.map((m) => m.name));
    expect(metricNames).toEqual(expect.arrayContaining(['AttributeWriter.Outcomes', 'AttributeWriter.EscrowBacklog', 'AttributeWriter.RunDurationMs']));

    expect([...authorizations]).toEqual(['Bearer token-for https://monitor.azure.com/.default']);
  }, 30_000);
});
