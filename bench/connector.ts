/**
 * One connector for one benchmark size, wired as the CLI wires it: settings from the
 * environment, `buildServices` (the composition root), Azurite for the tables, the simulated
 * Workday and Graph in the world process, a quiet logger, and a clock the benchmark can move.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '../src/app/logger';
import { buildServices, type AppServices } from '../src/app/services';
import { loadSettings } from '../src/config/settings';
import type { JobQueue } from '../src/core/ports';
import { startAzurite, type AzuriteInstance } from '../sim/storage/azurite';
import { createJobQueue, type JobQueueConsumer } from '../src/state/jobQueue';
import { createStorageClients } from '../src/state/storageClients';
import { exampleConnector } from '../sim/exampleConnector';
import { CORPORATE_DOMAIN } from '../sim/world';
import { MemorySampler } from './measure';
import { startSimWorld, type SimWorldProcess } from './simClient';
import type { HostOptions } from './simHost';

export const TABLE_PREFIX = 'bench';

export interface ConnectorOptions extends Omit<HostOptions, 'size'> {
  /**
   * Where jobs go: `memory`, the world process's stand-in for the Azure queue (memoryQueue.ts);
   * `azurite`, the app's own queue adapter on Azurite; `discard`, counted and dropped (plan only).
   */
  queue: 'memory' | 'azurite' | 'discard';
}

export interface Connector {
  services: AppServices;
  /** The consumer the cycles and sweeps drain (the services' queue). */
  drain: JobQueueConsumer;
  sim: SimWorldProcess;
  azurite: AzuriteInstance;
  /** The settings the services were built from: other processes of the same deployment take these. */
  env: Record<string, string>;
  memory: MemorySampler;
  /** Moves the services' clock forward (the simulators keep real time). */
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function startConnector(size: number, options: ConnectorOptions): Promise<Connector> {
  const dir = mkdtempSync(join(tmpdir(), 'graph-bench-'));
  const { queue, ...host } = options;
  const [azurite, sim] = await Promise.all([startAzurite(), startSimWorld({ size, ...host })]);
  const memory = new MemorySampler();
  let offset = 0;
  const env = {
    AzureWebJobsStorage: azurite.connectionString,
    CONNECTOR_CONFIG: writeConnector(dir),
    WORKDAY_RAAS_URL: sim.info.raasUrl,
    WORKDAY_USERNAME: sim.info.username,
    WORKDAY_PASSWORD: sim.info.password,
    GRAPH_BASE_URL: sim.info.graphUrl,
    GRAPH_AUTH: 'none',
    TABLE_PREFIX,
  };
  const settings = loadSettings(env);
  // The cycle's queue port, wrapped to measure; `azurite` is the adapter buildServices would make.
  const target = {
    memory: sim.jobQueue,
    azurite: createJobQueue(createStorageClients(settings.storage), settings.queueName),
    discard: null,
  }[queue];
  const services = buildServices(settings, {
    logger: createMemoryLogger('warn'),
    dependencies: { clock: { now: () => new Date(Date.now() + offset) }, queue: measuredQueue(target, memory) },
  });
  return {
    services,
    drain: queue === 'memory' ? sim.jobConsumer : services.consumer,
    sim,
    azurite,
    env,
    memory,
    advance: (ms) => {
      offset += ms;
    },
    async close() {
      memory.stop();
      await services.close();
      await Promise.all([sim.close(), azurite.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A cycle enqueues once, after its whole read, while it holds everything it plans with: the heap
 * still in use after a full collection at that moment is what a cycle needs at its peak.
 */
function measuredQueue(target: JobQueue | null, memory: MemorySampler): JobQueue {
  return {
    async enqueue(jobs) {
      if (jobs.length >= 1000) memory.measureLive();
      await target?.enqueue(jobs);
    },
  };
}

/** The product's example connector, with the organisation's own domain blocked as an alternate channel. */
function writeConnector(dir: string): string {
  const connector = exampleConnector({
    guards: { maxWritesPerCycle: 500, blockedEmailDomains: [CORPORATE_DOMAIN], reverifyEveryHours: 24 },
  });
  const path = join(dir, 'connector.json');
  writeFileSync(path, JSON.stringify(connector, null, 2));
  return path;
}
