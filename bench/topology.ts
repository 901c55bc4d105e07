/**
 * The deployed topology (issue 23): the real queue handler in 1, 2 and 4 OS processes at once,
 * each built by the composition root and draining the shared Azure queue on Azurite, while this
 * process answers a resync every few seconds (an HTTP instance, an operator waiting) and, in the
 * last run, an operator's CLI cycle (`attribute-writer cycle --approve`) writes beside them. All
 * of them take their writes from the deployment's one shared budget. Graph is the simulator with
 * Graph's real windows (3,000 writes per 150 s, resource units per 10 s).
 *
 * Per instance count: ceilingPercent (admitted writes per second, first to last, over the
 * ceiling), throttledPercent (429s over requests), maxWritesInOneSecond (Graph's view, any 1-s
 * span), the resync answer times, and the storage operations the sharing cost per 1,000 writes.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { runCycle, runResync } from '../src/app/operations';
import { startConnector } from './connector';
import type { DeployedQueue } from './deployedQueue';
import { percentile, rateBetween } from './measure';
import { throttledShare } from './report';
import type { TenantSize } from '../sim/graph/identityBudgets';
import type { WriteTurnOperations } from '../src/state/sharedWriteBudget';

export interface TopologyOptions {
  seed: number;
  latencyMs: number;
  sampleWrites: number;
  tenantSize: TenantSize;
  /** The deployed host's queue settings: an instance runs up to batchSize + newBatchThreshold jobs. */
  queue: DeployedQueue;
  /** Seconds between two resyncs; 0: none. */
  resyncEverySeconds: number;
}

export interface TopologyRow {
  instances: number;
  /** An operator's CLI cycle wrote beside the instances. */
  withCliCycle: boolean;
  writes: number;
  ceilingPercent: number;
  throttledPercent: number;
  maxWritesInOneSecond: number;
  resyncs: number;
  resyncAnswerSecondsMax: number;
  resyncAnswerSecondsP95: number;
  /** Outcome codes of the resyncs (a resync of a worker the backfill has not reached writes). */
  resyncOutcomes: Record<string, number>;
  /** Reads and conditional writes of the write-turn row by the instances and the resyncing process. */
  storageOperations: number;
  storageOperationsPer1000Writes: number;
  turnsTaken: number;
  /** Places a holder lent to a resync (its write went out without moving the turn). */
  loansGiven: number;
  wallSeconds: number;
}

const ROOT = resolve(__dirname, '../..');
const CEILING = 20;

export async function runTopology(
  size: number,
  instanceCounts: readonly number[],
  options: TopologyOptions,
): Promise<TopologyRow[]> {
  const rows: TopologyRow[] = [];
  for (const [index, instances] of instanceCounts.entries()) {
    const withCliCycle = index === instanceCounts.length - 1;
    process.stderr.write(`  ${instances} instance(s)${withCliCycle ? ' and a CLI cycle' : ''}…\n`);
    rows.push(await runOnce(size, instances, withCliCycle, options));
  }
  return rows;
}

async function runOnce(
  size: number,
  instances: number,
  withCliCycle: boolean,
  options: TopologyOptions,
): Promise<TopologyRow> {
  const connector = await startConnector(size, {
    queue: 'azurite',
    seed: options.seed,
    latencyMs: options.latencyMs,
    sampleWrites: options.sampleWrites,
    windowScale: 1,
    writeWindowSeconds: 150,
    tenantSize: options.tenantSize,
  });
  const { services, sim, env } = connector;
  try {
    // The timer's cycle: plan and enqueue the backfill for the queue function.
    await runCycle(services, { approve: true });
    await sim.resetLog();
    const started = performance.now();
    const children = Array.from({ length: instances }, () =>
      runProcess([join(ROOT, 'dist/bench/queueInstance.js')], {
        ...env,
        BENCH_INSTANCE_CONCURRENCY: String(options.queue.concurrency),
      }),
    );
    let running = true;
    const cli = withCliCycle
      ? delay(5_000).then(() =>
          runProcess([join(ROOT, 'bin/attribute-writer.js'), 'cycle', '--approve', '--json'], env),
        )
      : Promise.resolve(null);
    const resyncs = resyncLoop(services, size, options.resyncEverySeconds, () => running);
    const finished = await Promise.all(children);
    const cliRun = await cli;
    running = false;
    const answers = await resyncs;
    const wallSeconds = (performance.now() - started) / 1000;
    for (const run of [...finished, ...(cliRun ? [cliRun] : [])]) {
      if (run.code !== 0)
        throw new Error(`a benchmark process failed (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
    }
    const [graph, writes, budgets] = await Promise.all([sim.counters(), sim.writeStats(), sim.budgetFigures()]);
    const spent = finished.map((run) => JSON.parse(run.stdout.trim().split('\n').at(-1)!) as InstanceReport);
    const mine = services.writeBudget.operations();
    const operations = spent.reduce((sum, { operations: o }) => sum + o.reads + o.writes, 0) + mine.reads + mine.writes;
    const seconds = answers.map((a) => a.seconds);
    return {
      instances,
      withCliCycle,
      writes: writes.admitted,
      ceilingPercent: round((rateBetween(writes.times) / CEILING) * 100, 1),
      throttledPercent: round(throttledShare(graph) * 100, 3),
      maxWritesInOneSecond: budgets.maxWritesPerSecond,
      resyncs: answers.length,
      resyncAnswerSecondsMax: round(Math.max(0, ...seconds), 2),
      resyncAnswerSecondsP95: round(percentile(seconds, 95), 2),
      resyncOutcomes: answers.reduce<Record<string, number>>((counts, { outcome }) => {
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        return counts;
      }, {}),
      storageOperations: operations,
      storageOperationsPer1000Writes: Math.round((operations / Math.max(1, writes.admitted)) * 1000),
      turnsTaken: spent.reduce((sum, { operations: o }) => sum + o.turnsTaken, 0) + mine.turnsTaken,
      loansGiven: spent.reduce((sum, { operations: o }) => sum + o.loansGiven, 0),
      wallSeconds: round(wallSeconds, 1),
    };
  } finally {
    await connector.close();
  }
}

interface InstanceReport {
  jobs: number;
  operations: WriteTurnOperations;
}

/**
 * A resync every few seconds while the backfill runs, of workers near the end of the report (the
 * backfill reaches them last, so the resync has a write to make): how long the operator waits.
 */
async function resyncLoop(
  services: Parameters<typeof runResync>[0],
  size: number,
  everySeconds: number,
  running: () => boolean,
): Promise<Array<{ seconds: number; outcome: string }>> {
  const answers: Array<{ seconds: number; outcome: string }> = [];
  if (everySeconds <= 0) return answers;
  for (let k = 0; running(); k++) {
    await delay(everySeconds * 1000);
    if (!running()) break;
    const workerId = String(100_000 + size - 1 - 7 * k);
    const started = performance.now();
    const { outcome } = await runResync(services, workerId);
    answers.push({ seconds: (performance.now() - started) / 1000, outcome: outcome.code });
  }
  return answers;
}

function runProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

const delay = (ms: number) => new Promise<void>((wake) => setTimeout(wake, ms));
const round = (value: number, digits: number) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : 0);
