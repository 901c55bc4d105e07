/**
 * Starts Azurite (the Azure Storage emulator) as a child process for tests, the demo and the
 * benchmark: in memory, on ports the OS picks, stopped with the process that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { AppError } from '../../src/core/errors';

export interface AzuriteInstance {
  /** A full connection string (blob, queue and table endpoints) for the devstoreaccount1 account. */
  connectionString: string;
  queuePort: number;
  tablePort: number;
  blobPort: number;
  pid: number;
  /** Stops the process; safe to call more than once. */
  stop(): Promise<void>;
}

/** Azurite's well-known development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const SERVICES = ['Blob', 'Queue', 'Table'] as const;
type Service = (typeof SERVICES)[number];

/**
 * Ends Azurite when our end of its stdin closes, i.e. when this process dies in any way
 * (even SIGKILL, when no exit handler runs), so a crashed test run leaves no stray emulator.
 */
const WATCHDOG =
  'process.stdin.on("end",()=>process.exit(0));process.stdin.on("error",()=>process.exit(0));process.stdin.resume();';

/**
 * How often Azurite's queue service sweeps its message store for unused extents. Its default is
 * every 60 s, and each sweep blocks the emulator: 1.5 s with a 2,000-worker backfill queued
 * (measured with a timer inside Azurite's process, twice per 62-s benchmark run, on a quiet
 * machine), during which every queue and table call of every process waits. Azure Storage has no
 * such pause, and one landing in a measured run cost it 2–3 % of the write ceiling. Every 10
 * minutes, as Azurite's blob service sweeps, it stays out of tests and benchmark runs; memory
 * stays bounded by `--extentMemoryLimit`.
 */
const QUEUE_SWEEP_EVERY_MS = 10 * 60 * 1000;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export async function startAzurite(): Promise<AzuriteInstance> {
  const child = spawnAzurite();
  try {
    const ports = await waitUntilListening(child);
    await Promise.all(Object.values(ports).map((port) => probe(port)));
    return instanceOf(child, ports);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

function spawnAzurite(): ChildProcess {
  const { command, args } = azuriteCommand();
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  // Closing stdin of a process that already died reports EPIPE; that is not our failure.
  child.stdin?.on('error', () => undefined);
  running.add(child);
  child.once('exit', () => running.delete(child));
  installExitHook();
  return child;
}

/**
 * How Azurite is run: with the Node that runs us, in memory, ports 0 (the OS picks free ones and
 * Azurite prints them, so parallel starts never race for a port). Its stdin must be a pipe we hold.
 */
export function azuriteCommand(): { command: string; args: string[] } {
  const args = [
    '--import',
    `data:text/javascript,${encodeURIComponent(WATCHDOG + queueSweepInterval())}`,
    azuriteEntryPoint(),
    '--inMemoryPersistence',
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--loose',
    '--silent',
    '--extentMemoryLimit',
    '256',
    '--blobHost',
    HOST,
    '--blobPort',
    '0',
    '--queueHost',
    HOST,
    '--queuePort',
    '0',
    '--tableHost',
    HOST,
    '--tablePort',
    '0',
  ];
  return { command: process.execPath, args };
}

/**
 * Sets the queue service's sweep interval before Azurite loads: the constant its sweeper reads
 * when the queue server starts (Azurite 3.x has no option for it).
 */
function queueSweepInterval(): string {
  const constants = JSON.stringify(resolveAzurite('azurite/dist/src/queue/utils/constants.js'));
  return `process.getBuiltinModule("node:module").createRequire(${constants})(${constants}).DEFAULT_GC_INTERVAL_MS=${QUEUE_SWEEP_EVERY_MS};`;
}

/** The package's own entry point, resolved from this module, so it works from src/, dist/ and via npx. */
function azuriteEntryPoint(): string {
  return resolveAzurite('azurite/dist/src/azurite.js');
}

function resolveAzurite(file: string): string {
  try {
    return require.resolve(file);
  } catch (err) {
    throw new AppError(
      'INTERNAL',
      "Azurite is not installed: run 'npm install' in the repository (it is a devDependency)",
      { cause: err },
    );
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function waitUntilListening(child: ChildProcess): Promise<Record<Service, number>> {
  return new Promise((resolve, reject) => {
    const ports: Partial<Record<Service, number>> = {};
    let output = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(
        new AppError(
          'STORAGE.UNAVAILABLE',
          `Azurite did not start: ${why}\n--- Azurite output ---\n${output.slice(-4000)}`,
        ),
      );
    };
    const timer = setTimeout(() => fail(`no listening ports after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const match of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:\s]+:(\d+)/g,
      )) {
        ports[match[1] as Service] = Number(match[2]);
      }
      if (SERVICES.every((service) => ports[service] !== undefined)) {
        clearTimeout(timer);
        resolve(ports as Record<Service, number>);
      }
    });
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`the process exited (${signal ?? `code ${code}`})`));
  });
}

/** Resolves once the port accepts a TCP connection. */
function probe(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    socket.setTimeout(5_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    const refuse = (why: string) => {
      socket.destroy();
      reject(
        new AppError('STORAGE.UNAVAILABLE', `Azurite reported port ${port} but it does not accept connections: ${why}`),
      );
    };
    socket.once('timeout', () => refuse('timed out'));
    socket.once('error', (err) => refuse(err.message));
  });
}

function instanceOf(child: ChildProcess, ports: Record<Service, number>): AzuriteInstance {
  // Nothing of ours should keep the event loop alive for Azurite; the watchdog ends it when we exit.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr])
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  let stopping: Promise<void> | undefined;
  return {
    connectionString: connectionStringFor(ports),
    queuePort: ports.Queue,
    tablePort: ports.Table,
    blobPort: ports.Blob,
    pid: child.pid ?? -1,
    stop: () => (stopping ??= stopChild(child)),
  };
}

export function connectionStringFor(ports: { Blob: number; Queue: number; Table: number }): string {
  const endpoint = (port: number) => `http://${HOST}:${port}/${AZURITE_ACCOUNT}`;
  return `${[
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoint(ports.Blob)}`,
    `QueueEndpoint=${endpoint(ports.Queue)}`,
    `TableEndpoint=${endpoint(ports.Table)}`,
  ].join(';')};`;
}

/**
 * Closing stdin ends it through the watchdog (Azurite's own SIGTERM handling would wait on that
 * pipe); SIGKILL if it has not gone within a few seconds.
 */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
  });
}
