/**
 * Graph performance benchmark (issues 6 and 12): the real pipeline — the use cases the CLI runs, built by
 * the composition root, with Azurite — against the Graph simulator with Graph's identity budgets
 * enforced (sliding windows, per-sub-request charging in `$batch`, 429 + Retry-After, the
 * throttle headers) and 30 ms of latency per HTTP response. For each size it prints the backfill
 * write rate against the 20 writes/s ceiling, the 429 share, Graph requests per worker for
 * backfill / steady state / reverify / escrow sweep, the appearance-to-write latency of the
 * sweep, wall times and peak memory; against Graph's budgets, the most writes within any 1-s span,
 * the writes per 5 s of the start, and the resource units per 10 s of every phase; then a verdict
 * per target.
 *
 *   npm run build && npm run bench [-- --sizes 2000,20000 --plan-sizes 100000 --sample-writes 3000 --write-window 15 --read-budget 8000 --queue memory]
 *   npm run build && npm run bench -- --sizes 2000 --plan-sizes "" --instances 1,2,4 --json
 *
 * `--instances` runs the deployed topology instead (topology.ts): the queue handler in that many
 * OS processes sharing the deployment's write budget, resyncs and a CLI cycle beside them.
 *
 * `--write-window` is the length in seconds of the simulator's write window (its limit stays 20
 * writes a second of it: Graph's is 150 s); a client that bursts above 20/s is punished by a short
 * window and let off by a long one. `--read-budget` is the tenant's resource-unit budget per 10 s
 * (3500, 5000 or 8000: tenants under 50, 50–500, over 500 users).
 *
 * The simulated world (Workday + Graph, and a stand-in for the jobs queue: see memoryQueue.ts)
 * runs in a child process, Azurite in another, so the memory figures are the connector's own.
 * A world needing more writes than --sample-writes starts with the rest already written, so a
 * 20k backfill's write rate is measured over a bounded sample in a few minutes; --plan-sizes
 * only plans a cycle (no Graph work) to show what 100k workers hold in memory.
 * See docs/performance.md for the method and the figures.
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { runCycle } from '../src/app/operations';
import { startConnector, TABLE_PREFIX } from './connector';
import { backfill, reverify, steadyState, sweepAfterBurst, sweepLatency, type BenchContext } from './phases';
import { deployedQueue } from './deployedQueue';
import { runTopology } from './topology';
import { int, printPlan, printSize, printVerdicts, type PlanResult, type SizeResult } from './report';
import { RESOURCE_UNITS_PER_10S, type TenantSize } from '../sim/graph/identityBudgets';

export interface BenchOptions {
  sizes: number[];
  /** Sizes whose cycle is only planned, for its memory (see planSize). */
  planSizes: number[];
  /** Users that start without their values when a world needs more writes than this (a bounded sample). */
  sampleWrites: number;
  /** Shortens the resource-unit and tenant write windows (1: Graph's 10 s and 5 min). */
  windowScale: number;
  writeWindowSeconds: number;
  readBudget: ReadBudget;
  latencyMs: number;
  latencyPeriodMinutes: number;
  seed: number;
  /** `memory`: the world process holds the jobs queue (memoryQueue.ts); `azurite`: the app's Azure queue adapter. */
  queue: 'memory' | 'azurite';
  /** Jobs in flight while draining: the CLI's 64, or e.g. 16 as one Azure instance (host.json batchSize). */
  drainConcurrency: number;
  /** `--instances 1,2,4`: run the deployed topology instead (topology.ts), for the first size. */
  instances: number[];
  /** With --instances: print one JSON object on stdout. */
  /** `--instances`: seconds between two resyncs during the backfill; 0: none. */
  resyncEverySeconds: number;
  json: boolean;
}

type ReadBudget = (typeof RESOURCE_UNITS_PER_10S)[TenantSize];
const TENANT_SIZE_BY_BUDGET = new Map(
  Object.entries(RESOURCE_UNITS_PER_10S).map(([size, budget]) => [budget as number, size as TenantSize]),
);

const DEFAULTS: BenchOptions = {
  sizes: [2_000, 20_000],
  planSizes: [100_000],
  sampleWrites: 3_000,
  windowScale: 1,
  writeWindowSeconds: 15,
  readBudget: 8_000,
  latencyMs: 30,
  latencyPeriodMinutes: 10,
  seed: 42,
  queue: 'memory',
  drainConcurrency: 64,
  instances: [],
  resyncEverySeconds: 4,
  json: false,
};

function parseArgs(argv: string[]): BenchOptions {
  const options = { ...DEFAULTS };
  const number = (flag: string, value: string | undefined): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag} takes a number, got '${value}'.`);
    return parsed;
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i]!, argv[i + 1]];
    if (flag === '--json') {
      options.json = true;
      i -= 1;
      continue;
    }
    const sizes = () =>
      (value ?? '')
        .split(',')
        .filter(Boolean)
        .map((size) =>
          number(
            flag,
            size.replace(/[_k]/g, (c) => (c === 'k' ? '000' : '')),
          ),
        );
    if (flag === '--sizes') options.sizes = sizes();
    else if (flag === '--plan-sizes') options.planSizes = sizes();
    else if (flag === '--sample-writes') options.sampleWrites = number(flag, value);
    else if (flag === '--window-scale') options.windowScale = number(flag, value);
    else if (flag === '--write-window') options.writeWindowSeconds = number(flag, value);
    else if (flag === '--read-budget' && TENANT_SIZE_BY_BUDGET.has(Number(value)))
      options.readBudget = Number(value) as ReadBudget;
    else if (flag === '--latency-ms') options.latencyMs = number(flag, value);
    else if (flag === '--latency-period') options.latencyPeriodMinutes = number(flag, value);
    else if (flag === '--seed') options.seed = number(flag, value);
    else if (flag === '--queue' && (value === 'memory' || value === 'azurite')) options.queue = value;
    else if (flag === '--drain-concurrency') options.drainConcurrency = Math.max(1, number(flag, value));
    else if (flag === '--resync-every') options.resyncEverySeconds = number(flag, value);
    else if (flag === '--instances') options.instances = sizes().map((n) => Math.max(1, Math.round(n)));
    else
      throw new Error(
        `Unknown option ${flag} ${value ?? ''}. Options: --sizes 2000,20000 --plan-sizes 100000 --sample-writes N --write-window SECONDS --read-budget 3500|5000|8000 --window-scale S --latency-ms MS --latency-period MINUTES --seed N --queue memory|azurite --drain-concurrency N --instances 1,2,4 --json`,
      );
  }
  if (!(options.windowScale > 0)) throw new Error('--window-scale must be above 0.');
  if (!(options.writeWindowSeconds >= 1)) throw new Error('--write-window must be at least 1 (seconds).');
  return options;
}

async function benchSize(size: number, options: BenchOptions): Promise<SizeResult> {
  const { queue, seed, latencyMs, sampleWrites } = options;
  const connector = await startConnector(size, { queue, seed, latencyMs, sampleWrites, ...budgetShape(options) });
  const { services, drain, sim, memory, advance } = connector;
  const ctx: BenchContext = {
    services,
    drain,
    drainOptions: { concurrency: options.drainConcurrency },
    sim,
    seed,
    advance,
  };
  try {
    const begun = Date.now();
    const progress = (phase: string, what: string) => {
      memory.phase(phase);
      process.stderr.write(
        `  ${size.toLocaleString('en-US')} workers, ${Math.round((Date.now() - begun) / 1000)} s: ${what}…\n`,
      );
    };
    progress('backfill', 'backfill (cycle --approve)');
    const backfillFigures = await backfill(ctx);
    progress('steady', 'steady state (cycle)');
    const steady = await steadyState(ctx);
    progress('reverify', 'reverify (cycle --reverify)');
    const reverified = await reverify(ctx);
    const pending = sim.info.pendingIds;
    const half = Math.ceil(pending.length / 2);
    progress('sweeps', `escrow sweep after ${half} users appear at once`);
    const sweep = await sweepAfterBurst(ctx, pending.slice(0, half));
    progress(
      'sweeps',
      `sweep latency: ${pending.length - half} users appear over ${options.latencyPeriodMinutes} simulated minutes`,
    );
    const latency = await sweepLatency(ctx, pending.slice(half), options.latencyPeriodMinutes);
    progress('steady', 'steady state once Cloud Sync has caught up (cycle)');
    const settled = await steadyState(ctx);
    return {
      size,
      readBudget: options.readBudget,
      info: sim.info,
      backfill: backfillFigures,
      steady,
      reverify: reverified,
      sweep,
      latency,
      settled,
      memory: memory.stop(),
    };
  } finally {
    await connector.close();
  }
}

/**
 * The memory of one large cycle, without its Graph work: a full ledger (every worker `written`,
 * with a stale hash), then `cycle --dry-run --approve`, whose jobs are counted and dropped. That
 * plans a change for every in-scope worker: the most a cycle ever holds.
 */
async function planSize(size: number, options: BenchOptions): Promise<PlanResult> {
  const connector = await startConnector(size, {
    queue: 'discard',
    seed: options.seed,
    latencyMs: 0,
    sampleWrites: null,
    ...budgetShape(options),
  });
  try {
    process.stderr.write(`  ${size.toLocaleString('en-US')} workers: filling the ledger, then planning one cycle…\n`);
    const ledgerEntries = await connector.sim.fillLedger(connector.azurite.connectionString, TABLE_PREFIX);
    connector.memory.phase('plan');
    const started = performance.now();
    const summary = await runCycle(connector.services, { approve: true, dryRun: true });
    return {
      size,
      ledgerEntries,
      summary,
      wallSeconds: (performance.now() - started) / 1000,
      memory: connector.memory.stop(),
    };
  } finally {
    await connector.close();
  }
}

function budgetShape(options: BenchOptions): {
  windowScale: number;
  writeWindowSeconds: number;
  tenantSize: TenantSize;
} {
  return {
    windowScale: options.windowScale,
    writeWindowSeconds: options.writeWindowSeconds,
    tenantSize: TENANT_SIZE_BY_BUDGET.get(options.readBudget)!,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.instances.length > 0) return topology(options);
  console.log(
    `Graph benchmark — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n` +
      `Graph simulator: identity budgets on: writes 20/s over a ${options.writeWindowSeconds}-s window (${int(20 * options.writeWindowSeconds)} writes), ` +
      `${int(options.readBudget * options.windowScale)} resource units per ${10 * options.windowScale} s; ${options.latencyMs} ms per HTTP response.\n` +
      `Worlds with more users to write than ${options.sampleWrites.toLocaleString('en-US')} start with the rest already written (a bounded backfill sample).\n` +
      `Tables on Azurite; ${options.drainConcurrency} jobs in flight while draining; jobs queue: ${options.queue === 'memory' ? "held by the world process (Azurite's queue slows down with its length; see bench/memoryQueue.ts)" : 'Azurite'}.\n`,
  );
  const results: SizeResult[] = [];
  for (const size of options.sizes) {
    const result = await benchSize(size, options);
    results.push(result);
    printSize(result);
  }
  const plans: PlanResult[] = [];
  for (const size of options.planSizes) {
    const plan = await planSize(size, options);
    plans.push(plan);
    printPlan(plan);
  }
  printVerdicts(results, plans);
}

/** `--instances`: the deployed topology (topology.ts) for the first size; one JSON object with `--json`. */
async function topology(options: BenchOptions): Promise<void> {
  const size = options.sizes[0] ?? 2_000;
  const queue = deployedQueue(join(__dirname, '../../infra'));
  const rows = await runTopology(size, options.instances, {
    seed: options.seed,
    latencyMs: options.latencyMs,
    sampleWrites: options.sampleWrites,
    tenantSize: TENANT_SIZE_BY_BUDGET.get(options.readBudget)!,
    queue,
    resyncEverySeconds: options.resyncEverySeconds,
  });
  const result = { size, ceilingWritesPerSecond: 20, writeWindowSeconds: 150, queue, topology: rows };
  if (options.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`Deployed topology, ${size.toLocaleString('en-US')} workers, Graph's real windows:`);
  for (const row of rows) console.log(JSON.stringify(row));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
