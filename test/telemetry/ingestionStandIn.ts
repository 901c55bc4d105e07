/**
 * A local HTTPS stand-in for the Application Insights ingestion endpoint: it records the
 * envelopes the real exporter sends, as Azure would receive them. The exporter only speaks
 * HTTPS, so the stand-in uses a throw-away self-signed certificate made with openssl.
 * Starting the exporter against it starts the process-wide distro: use it in a test file of its
 * own (vitest runs each file in its own process).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TokenCredential } from '@azure/identity';

export interface Envelope {
  tags: Record<string, string>;
  data: {
    baseType: string;
    baseData: {
      name?: string;
      properties?: Record<string, string>;
      measurements?: Record<string, number>;
      metrics?: Array<{ name: string; value: number; count?: number }>;
    };
  };
}

export interface IngestionStandIn {
  connectionString: string;
  envelopes: Envelope[];
  /** Every Authorization header the exporter sent. */
  authorizations: Set<string>;
  close(): Promise<void>;
}

export const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Hands out a token naming its scopes, so a test can see what the exporter asked for. */
export const fakeCredential: TokenCredential = {
  getToken: async (scopes) => ({
    token: `token-for ${[scopes].flat().join(' ')}`,
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

export async function startIngestionStandIn(): Promise<IngestionStandIn> {
  process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the stand-in's self-signed certificate
  const dir = mkdtempSync(join(tmpdir(), 'ingestion-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  rmSync(dir, { recursive: true, force: true });
  const envelopes: Envelope[] = [];
  const authorizations = new Set<string>();
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url?.includes('/track')) {
        const raw = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8').trim();
        envelopes.push(
          ...((text.startsWith('[')
            ? JSON.parse(text)
            : text.split('\n').map((line) => JSON.parse(line))) as Envelope[]),
        );
        authorizations.add(String(req.headers.authorization));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/`,
    envelopes,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Flushes until `done` holds: the first export may wait for the resource detectors (the Azure
 * VM one probes IMDS), and metrics leave on the reader's flush.
 */
export async function flushUntil(flush: () => Promise<void>, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  await flush();
  for (let waited = 0; !done() && waited < timeoutMs; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await flush();
  }
}
