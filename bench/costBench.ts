/**
 * What one deployment's day is made of, measured (docs/cost.md): the storage requests and the
 * telemetry records of a first cycle, a sweep, a steady cycle and an idle sweep, over the demo's
 * world. Storage is counted by a loopback proxy in front of Azurite (every HTTP request the
 * storage SDKs send, and the operations inside each table `$batch`), telemetry by a sink that
 * builds exactly the records Application Insights would receive and weighs them.
 *
 *   npm run build && node dist/bench/costBench.js [--size 1000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGraphSimulator } from '../sim/graph';
import { simulatorSettings } from '../sim/settings';
import { createTenant, startWorkdaySimulator } from '../sim/workday';
import { buildWorld, CORPORATE_DOMAIN } from '../sim/world';
import { createMemoryLogger } from '../src/app/logger';
import { runCycle, runSweep } from '../src/app/operations';
import { buildServices } from '../src/app/services';
import { loadSettings } from '../src/config/settings';
import type { Telemetry } from '../src/core/ports';
import { connectionStringFor, startAzurite } from '../sim/storage/azurite';
import { exampleConnector } from '../sim/exampleConnector';
import { runRecords, workerOutcomeRecords, type TelemetryRecord } from '../src/telemetry/telemetryRecords';

interface Tally {
  queue: number;
  table: number;
  /** Entity operations inside table `$batch` requests (each batch is one HTTP request above). */
  tableBatchOperations: number;
  blob: number;
  workerEvents: number;
  runEvents: number;
  metrics: number;
  /** JSON bytes of the events' names, properties and measurements. */
  eventBytes: number;
  /** Info, warn and error lines of the app's own log (traces in Application Insights). */
  logLines: number;
  logBytes: number;
}

const empty = (): Tally => ({
  queue: 0,
  table: 0,
  tableBatchOperations: 0,
  blob: 0,
  workerEvents: 0,
  runEvents: 0,
  metrics: 0,
  eventBytes: 0,
  logLines: 0,
  logBytes: 0,
});

let current = empty();

/** Forwards every request to Azurite's port and counts it. */
function countingProxy(service: 'queue' | 'table' | 'blob', targetPort: number): Promise<Server> {
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      current[service] += 1;
      if (service === 'table' && incoming.url?.includes('$batch'))
        current.tableBatchOperations += body.toString('latin1').split('application/http').length - 1;
      const forward = request(
        { host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      forward.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function weigh(records: readonly TelemetryRecord[]): void {
  for (const record of records) {
    if (record.kind === 'metric') {
      current.metrics += 1;
      continue;
    }
    if (record.name === 'WorkerOutcome') current.workerEvents += 1;
    else current.runEvents += 1;
    current.eventBytes += JSON.stringify({
      name: record.name,
      properties: record.properties,
      measurements: record.measurements,
    }).length;
  }
}

const weighingTelemetry: Telemetry = {
  workerOutcome: (outcome, context) => weigh(workerOutcomeRecords(outcome, context)),
  runCompleted: (run, context) => weigh(runRecords(run, context)),
  flush: async () => {},
};

function connectorFile(dir: string): string {
  const path = join(dir, 'connector.json');
  writeFileSync(
    path,
    JSON.stringify(
      exampleConnector({ guards: { maxWritesPerCycle: 1_000_000, blockedEmailDomains: [CORPORATE_DOMAIN] } }),
    ),
  );
  return path;
}

async function main(): Promise<void> {
  const sizeArg = process.argv.indexOf('--size');
  const size = sizeArg > 0 ? Number(process.argv[sizeArg + 1]) : 1000;
  const world = buildWorld({ size, seed: 7 });
  const dir = mkdtempSync(join(tmpdir(), 'cost-bench-'));
  const azurite = await startAzurite();
  const [graph, workday] = await Promise.all([
    startGraphSimulator({ deletedItemsFilter: 'supported' }),
    startWorkdaySimulator({ tenant: createTenant(world.workers) }),
  ]);
  graph.loadUsers(world.users);
  const proxies = await Promise.all([
    countingProxy('queue', azurite.queuePort),
    countingProxy('table', azurite.tablePort),
    countingProxy('blob', azurite.blobPort),
  ]);
  const [queuePort, tablePort, blobPort] = proxies.map((p) => (p.address() as AddressInfo).port);
  const connectionString = connectionStringFor({ Queue: queuePort!, Table: tablePort!, Blob: blobPort! });
  const logger = createMemoryLogger('info');
  let offset = 0;
  const services = buildServices(
    loadSettings(
      simulatorSettings({
        storageConnectionString: connectionString,
        workday,
        graph,
        connectorPath: connectorFile(dir),
        tablePrefix: 'cost',
      }),
    ),
    { logger, dependencies: { telemetry: weighingTelemetry, clock: { now: () => new Date(Date.now() + offset) } } },
  );
  const phases: Array<{ phase: string; workers: number; enqueued: number } & Tally> = [];
  const measure = async (phase: string, run: () => Promise<{ workers: number; enqueued: number }>) => {
    current = empty();
    const linesBefore = logger.lines.length;
    const summary = await run();
    for (const line of logger.lines.slice(linesBefore)) {
      current.logLines += 1;
      current.logBytes += line.length;
    }
    phases.push({ phase, workers: summary.workers, enqueued: summary.enqueued, ...current });
  };
  try {
    // The queue function's part is drained from the services' own queue, as the Functions host does.
    const drain = services.consumer;
    // Set up once (tables and queues created); not a daily cost.
    await measure('setup: first cycle (backfill)', () => runCycle(services, { drain }));
    for (const user of world.pendingUsers) graph.addUser(user);
    offset += 2 * 60_000;
    await measure('sweep after Cloud Sync', () => runSweep(services, { drain }));
    await measure('steady cycle', () => runCycle(services, { drain }));
    await measure('idle sweep', () => runSweep(services, { drain }));
    process.stdout.write(`${JSON.stringify({ size, phases }, null, 2)}\n`);
  } finally {
    await services.close().catch(() => undefined);
    await Promise.all([graph.close(), workday.close()]);
    for (const proxy of proxies) proxy.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`cost bench failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
