/**
 * Everything a fault round runs against, on loopback: Azurite, the Workday and Graph simulators,
 * a fault proxy in front of each (Azurite's queue and table endpoints each get one), the connector
 * files, the settings the pipeline's child process is given, and a way to run that child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { startGraphSimulator, type GraphSimulator } from '../sim/graph';
import { createTenant, startWorkdaySimulator, type WorkdaySimulator } from '../sim/workday';
import { exampleConnector } from '../sim/exampleConnector';
import { CORPORATE_DOMAIN, seededRandom } from '../sim/world';
import { createLogger } from '../src/app/logger';
import { runCycle, runSweep } from '../src/app/operations';
import { exitCodeOf } from '../src/cli/main';
import { ensureAppError } from '../src/core/errors';
import { packageRoot } from '../src/app/packageRoot';
import { buildServices, type AppServices } from '../src/app/services';
import { JOB_QUEUE, loadSettings } from '../src/config/settings';
import { connectionStringFor, startAzurite, type AzuriteInstance } from '../sim/storage/azurite';
import type { ChildReport } from './child';
import { EvolvingWorld } from './evolvingWorld';
import { FaultCounter } from './faultCounter';
import { graphFaultPolicy, type GraphFaultControl } from './graphFaults';
import { startFaultProxy, type FaultProxy } from './proxy';
import { storageFaultPolicy, type StorageFaultControl } from './storageFaults';

/**
 * The Workday idle deadline the pipeline is expected to honour (its smallest allowed value); the
 * slow report answers later than it allows, so a clean failed read is expected.
 */
export const WORKDAY_TIMEOUT_SETTING = 'WORKDAY_TIMEOUT_SECONDS';
const WORKDAY_TIMEOUT_SECONDS = 5;
/** The warning a job logs when it learns its write reached Graph after a newer plan (src/core/lateWrite.ts). */
const LATE_WRITE_WARNING = /reached Graph after a newer plan/;

export interface FaultWorldOptions {
  seed: number;
  workers: number;
  /** How long the slow report waits before its first byte (longer than the Workday timeout). */
  slowReportMs: number;
  /** A child that runs longer than this is killed and counted as hung. */
  childDeadlineMs: number;
}

export type ChildMode = 'cycle' | 'full-cycle' | 'sweep' | 'plan' | 'cli' | 'queue-host' | 'resync';

export interface ChildOptions {
  connectorPath?: string;
  deadlineMs?: number;
  onStart?: () => void;
  /** The spawned process, for the suite to signal (a queue host is told to stop once idle). */
  onSpawn?: (child: ChildProcess) => void;
  /** Arguments after the mode (the worker ids of a resync). */
  args?: string[];
  /** Settings added to the child's environment (a skewed clock's preload). */
  env?: Record<string, string>;
  /** The child gets a stdin pipe that closes when the suite's process ends (a queue host then exits). */
  exitWithSuite?: boolean;
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  report: ChildReport | null;
  ms: number;
  hung: boolean;
  stderr: string;
  /** Warnings of the process's jobs that their write reached Graph after a newer plan (and was repaired). */
  lateWritesSeen: number;
}

export interface FaultWorld {
  options: FaultWorldOptions;
  random: () => number;
  evolving: EvolvingWorld;
  graph: GraphSimulator;
  workday: WorkdaySimulator;
  azurite: AzuriteInstance;
  counter: FaultCounter;
  graphControl: GraphFaultControl;
  storageControl: StorageFaultControl;
  workdayControl: { delayMs: number };
  storageProxies: FaultProxy[];
  /** Settings of the pipeline under test: every endpoint behind a fault proxy. */
  env: Record<string, string>;
  /** Reads storage directly, around the proxies (for the checks). */
  direct: AppServices;
  /** The pipeline in this process, through the proxies (the Functions handlers run on it). */
  proxied: AppServices;
  raasConnectorPath: string;
  runChild(mode: ChildMode, options?: ChildOptions): Promise<ChildRun>;
  /** One clean cycle or sweep in this process (no kill needed): spares a process start per pass. */
  runHere(mode: 'cycle' | 'sweep'): Promise<ChildRun>;
  queueLength(queueName: string): Promise<number>;
  close(): Promise<void>;
}

export async function startFaultWorld(options: FaultWorldOptions): Promise<FaultWorld> {
  const random = seededRandom(options.seed ^ 0x5eed);
  const evolving = new EvolvingWorld(options.workers, options.seed);
  const azurite = await startAzurite();
  const [graph, workday] = await Promise.all([
    startGraphSimulator({ deletedItemsFilter: 'supported' }),
    startWorkdaySimulator({ tenant: createTenant(evolving.world.workers) }),
  ]);
  graph.loadUsers(evolving.world.users);

  let current: ChildProcess | null = null;
  const kill = (): void => void current?.kill('SIGKILL');
  const counter = new FaultCounter();
  const graphControl: GraphFaultControl = {
    rate: 0,
    killAfterPatches: null,
    failingUsers: new Set(),
    latePatchRate: 0,
    overtakable: new Set(),
    onKill: kill,
  };
  const tablePrefix = 'faults';
  const storageControl: StorageFaultControl = {
    tablePrefix,
    queueName: JOB_QUEUE,
    killOnWatermarkWrite: false,
    killAfterEscrowWrites: null,
    duplicateRate: 0,
    onKill: kill,
    leases: new Map(),
  };
  const workdayControl = { delayMs: 0 };

  const graphProxy = await startFaultProxy(graph.url, graphFaultPolicy(random, graphControl, counter));
  const workdayProxy = await startFaultProxy(workday.url, () => {
    if (workdayControl.delayMs <= 0) return { kind: 'forward' };
    // Every attempt meets the slow host: retries must not get round it.
    counter.add('workday: request slow to start answering');
    // biome-ignore lint/suspicious/noThenProperty: `then` names the step after the delay in a fault plan, not a thenable.
    return { kind: 'delay', delayMs: workdayControl.delayMs, then: { kind: 'forward' } };
  });
  const storagePolicy = storageFaultPolicy(random, storageControl, counter);
  const queueProxy = await startFaultProxy(`http://127.0.0.1:${azurite.queuePort}`, storagePolicy);
  const tableProxy = await startFaultProxy(`http://127.0.0.1:${azurite.tablePort}`, storagePolicy);

  const dir = mkdtempSync(join(tmpdir(), 'aw-faults-'));
  const raasConnectorPath = join(dir, 'connector.raas.json');
  const soapConnectorPath = join(dir, 'connector.soap.json');
  writeFileSync(raasConnectorPath, JSON.stringify(connector({ kind: 'raas' })));
  writeFileSync(
    soapConnectorPath,
    JSON.stringify(
      connector({ kind: 'soap', pageSize: Math.min(999, Math.ceil(options.workers / 10)), country: 'businessSite' }),
    ),
  );

  const viaProxy = (url: string) => url.replace(workday.url, workdayProxy.url);
  const env: Record<string, string> = {
    AzureWebJobsStorage: connectionStringFor({
      Blob: azurite.blobPort,
      Queue: queueProxy.port,
      Table: tableProxy.port,
    }),
    CONNECTOR_CONFIG: soapConnectorPath,
    WORKDAY_RAAS_URL: viaProxy(workday.raasUrl),
    WORKDAY_SOAP_URL: viaProxy(workday.soapUrl),
    WORKDAY_USERNAME: workday.tenant.username,
    WORKDAY_PASSWORD: workday.tenant.password,
    [WORKDAY_TIMEOUT_SETTING]: String(WORKDAY_TIMEOUT_SECONDS),
    GRAPH_BASE_URL: graphProxy.url,
    GRAPH_AUTH: 'none',
    GRAPH_MAX_WRITES_PER_SECOND: '20',
    TABLE_PREFIX: tablePrefix,
  };
  const quiet = createLogger({ level: 'error', sink: () => undefined });
  const direct = buildServices(loadSettings({ ...env, AzureWebJobsStorage: azurite.connectionString }), {
    logger: quiet,
  });
  const proxied = buildServices(loadSettings(env), { logger: quiet });
  const childScript = join(packageRoot(), 'dist', 'faults', 'child.js');

  /** The killed process's received jobs become visible again, as its visibility timeout would make them. */
  const expireLeases = async (): Promise<void> => {
    const queue = new QueueClient(azurite.connectionString, JOB_QUEUE);
    for (const [messageId, popReceipt] of storageControl.leases) {
      await queue.updateMessage(messageId, popReceipt, undefined, 0).catch(() => undefined);
    }
    storageControl.leases.clear();
  };

  const runChild: FaultWorld['runChild'] = (mode, runOptions = {}) =>
    new Promise((resolve) => {
      const started = Date.now();
      const child = spawn(process.execPath, [childScript, mode, ...(runOptions.args ?? [])], {
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          FAULT_SEED: String(options.seed),
          ...(runOptions.connectorPath ? { CONNECTOR_CONFIG: runOptions.connectorPath } : {}),
          ...runOptions.env,
        },
        stdio: [runOptions.exitWithSuite ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      current = child;
      runOptions.onSpawn?.(child);
      let stdout = '';
      let stderr = '';
      let partial = '';
      let lateWritesSeen = 0;
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        lateWritesSeen += lines.filter((line) => LATE_WRITE_WARNING.test(line)).length;
      });
      let hung = false;
      const timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, runOptions.deadlineMs ?? options.childDeadlineMs);
      runOptions.onStart?.();
      // A process that could not even start counts as a failed run, not as a crash of the suite.
      child.once('error', (err) => {
        clearTimeout(timer);
        resolve({
          code: 1,
          signal: null,
          report: null,
          ms: Date.now() - started,
          hung: false,
          stderr: err.message,
          lateWritesSeen,
        });
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (current === child) current = null;
        const report = parseReport(stdout);
        if (LATE_WRITE_WARNING.test(partial)) lateWritesSeen += 1;
        const result = { code, signal, report, ms: Date.now() - started, hung, stderr, lateWritesSeen };
        if (signal === 'SIGKILL') void expireLeases().then(() => resolve(result));
        else resolve(result);
      });
    });

  return {
    options,
    random,
    evolving,
    graph,
    workday,
    azurite,
    counter,
    graphControl,
    storageControl,
    workdayControl,
    storageProxies: [queueProxy, tableProxy],
    env,
    direct,
    proxied,
    raasConnectorPath,
    runChild,
    async runHere(mode) {
      const started = Date.now();
      const drainOptions = { retryDelaySeconds: (deliveries: number) => deliveries };
      try {
        const summary =
          mode === 'sweep'
            ? await runSweep(proxied, { drain: proxied.consumer, drainOptions })
            : await runCycle(proxied, { drain: proxied.consumer, drainOptions });
        const report: ChildReport = { mode, counts: summary.counts, enqueued: summary.enqueued };
        return { code: 0, signal: null, report, ms: Date.now() - started, hung: false, stderr: '', lateWritesSeen: 0 };
      } catch (err) {
        const error = ensureAppError(err);
        return {
          code: exitCodeOf(error),
          signal: null,
          report: null,
          ms: Date.now() - started,
          hung: false,
          stderr: error.message,
          lateWritesSeen: 0,
        };
      }
    },
    async queueLength(queueName) {
      const queue = new QueueClient(azurite.connectionString, queueName);
      await queue.createIfNotExists();
      return (await queue.getProperties()).approximateMessagesCount ?? 0;
    },
    async close() {
      kill();
      await Promise.allSettled([direct.close(), proxied.close()]);
      await Promise.allSettled([graphProxy, workdayProxy, queueProxy, tableProxy].map((proxy) => proxy.close()));
      await Promise.allSettled([graph.close(), workday.close()]);
      await azurite.stop();
    },
  };
}

/** The example connector, with escrow retries due at once so every sweep retries. */
function connector(source: Record<string, unknown>): Record<string, unknown> {
  return exampleConnector({
    source,
    guards: { maxWritesPerCycle: 1_000_000, blockedEmailDomains: [CORPORATE_DOMAIN] },
    escrow: { retryAfterMinutes: [0.01], expireAfterDays: 28 },
  });
}

/** The child's one JSON line, or the CLI's one pretty-printed JSON object. */
function parseReport(stdout: string): ChildReport | null {
  for (const text of [stdout.trim().split('\n').pop() ?? '', stdout]) {
    try {
      const parsed = JSON.parse(text) as ChildReport;
      if (parsed && typeof parsed === 'object' && parsed.counts) return parsed;
    } catch {
      // not this shape; try the next
    }
  }
  return null;
}
