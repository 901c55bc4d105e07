/**
 * The benchmark's phases, each run through the real use cases (runCycle / runSweep, as the CLI
 * runs them) and measured twice: by the connector's own counters and by what the Graph
 * simulator received. The simulator's figures are the ones reported: they are Graph's view.
 */
import type { DrainOptions } from '../src/app/drainQueue';
import { listEscrow } from '../src/core/escrowReads';
import { runCycle, runSweep, type CycleCommandOptions, type RunSummary } from '../src/app/operations';
import type { AppServices } from '../src/app/services';
import type { JobQueueConsumer } from '../src/state/jobQueue';
import type { GraphDirectory } from '../src/graph/graphDirectory';
import type { PacerState } from '../src/graph/pacer';
import { seededRandom } from '../sim/world';
import type { GraphCounters } from '../sim/graph';
import type { BudgetFigures } from './budgetFigures';
import { percentile, rateBetween, steadyRate, writesPerWindow } from './measure';
import type { SimWorldProcess } from './simClient';

export interface BenchContext {
  services: AppServices;
  /** Where the cycle's and sweep's jobs are drained from (the services' queue). */
  drain: JobQueueConsumer;
  drainOptions: DrainOptions;
  sim: SimWorldProcess;
  /** Moves the services' clock forward by `ms` (the simulators keep real time). */
  advance(ms: number): void;
  seed: number;
}

export interface PhaseFigures {
  summary: RunSummary;
  graph: GraphCounters;
  wallSeconds: number;
  budgets: BudgetFigures;
}

export interface BackfillFigures extends PhaseFigures {
  writes: number;
  throttledWrites: number;
  /** First to last admitted PATCH. */
  writesPerSecond: number;
  /** Over the middle 90 % of the writes (ramp-up and tail left out). */
  steadyWritesPerSecond: number;
  writeSpanSeconds: number;
  /** Writes per 15 s from the first write, complete windows (issue 23: ≥ 98 % of 300 in each after the first). */
  writesPer15s: number[];
  pacerAtEnd: PacerState;
  peakConcurrency: number;
  /** The pacer's state once a second (seconds since the start, pace in writes/s, concurrency). */
  paceTrace: Array<{ second: number; writesPerSecond: number; concurrency: number }>;
}

export interface SweepFigures extends PhaseFigures {
  backlog: number;
  appeared: number;
}

export interface LatencyFigures {
  users: number;
  written: number;
  sweeps: number;
  latenciesSeconds: number[];
  p50: number;
  p95: number;
  max: number;
  graph: GraphCounters;
  budgets: BudgetFigures;
  /** Sweeps whose real run outlasted the minute until the next one. */
  lateSweeps: number;
}

async function measured(ctx: BenchContext, run: () => Promise<RunSummary>): Promise<PhaseFigures> {
  await ctx.sim.resetLog();
  const started = performance.now();
  const summary = await run();
  const wallSeconds = (performance.now() - started) / 1000;
  return { summary, graph: await ctx.sim.counters(), wallSeconds, budgets: await ctx.sim.budgetFigures() };
}

const cycle = (ctx: BenchContext, options: CycleCommandOptions) =>
  measured(ctx, () => runCycle(ctx.services, { drain: ctx.drain, drainOptions: ctx.drainOptions, ...options }));

/** `cycle --approve` on a fresh tenant: every worker looked up, every differing user patched. */
export async function backfill(ctx: BenchContext): Promise<BackfillFigures> {
  const directory = ctx.services.directory as GraphDirectory;
  let peakConcurrency = 0;
  const paceTrace: BackfillFigures['paceTrace'] = [];
  const started = Date.now();
  const watch = setInterval(() => {
    const { concurrency, writesPerSecond } = directory.pacing();
    peakConcurrency = Math.max(peakConcurrency, concurrency);
    paceTrace.push({ second: Math.round((Date.now() - started) / 1000), writesPerSecond, concurrency });
  }, 1000);
  try {
    const figures = await cycle(ctx, { approve: true });
    const stats = await ctx.sim.writeStats();
    return {
      ...figures,
      writes: stats.admitted,
      throttledWrites: stats.throttled,
      writesPerSecond: rateBetween(stats.times),
      steadyWritesPerSecond: steadyRate(stats.times),
      writesPer15s: writesPerWindow(stats.times, 15_000),
      writeSpanSeconds: stats.firstAt !== null && stats.lastAt !== null ? (stats.lastAt - stats.firstAt) / 1000 : 0,
      pacerAtEnd: directory.pacing(),
      peakConcurrency,
      paceTrace,
    };
  } finally {
    clearInterval(watch);
  }
}

/** A second cycle with nothing changed in Workday. */
export const steadyState = (ctx: BenchContext): Promise<PhaseFigures> => cycle(ctx, {});

/** `cycle --reverify`: every in-scope worker checked against Graph, whatever the ledger says. */
export const reverify = (ctx: BenchContext): Promise<PhaseFigures> => cycle(ctx, { reverify: true });

/** Cloud Sync creates `employeeIds` at once; two minutes later one sweep runs. */
export async function sweepAfterBurst(ctx: BenchContext, employeeIds: string[]): Promise<SweepFigures> {
  await ctx.sim.addUsers(employeeIds);
  ctx.advance(2 * 60_000);
  const backlog = (await listEscrow(ctx.services)).length;
  const figures = await measured(ctx, () =>
    runSweep(ctx.services, { drain: ctx.drain, drainOptions: ctx.drainOptions }),
  );
  return { ...figures, backlog, appeared: employeeIds.length };
}

/**
 * Users appear at random moments over `periodMinutes` of simulated time; a sweep runs at every
 * minute mark (the default ESCROW_SWEEP_SCHEDULE). A user's latency is the simulated wait until
 * the next sweep plus the real time that sweep took to PATCH it:
 *   (sweep start − appearance) + (PATCH landed − sweep start, real).
 * The services' clock jumps between sweeps; the sweeps themselves run in real time.
 */
export async function sweepLatency(
  ctx: BenchContext,
  employeeIds: string[],
  periodMinutes: number,
): Promise<LatencyFigures> {
  const random = seededRandom(ctx.seed + 1);
  const periodMs = periodMinutes * 60_000;
  const appearances = employeeIds.map((id) => ({ id, at: random() * periodMs })).sort((a, b) => a.at - b.at);
  const unwritten = new Map<string, number>();
  const latencies: number[] = [];
  await ctx.sim.resetLog();
  const start = ctx.services.clock.now().getTime();
  let simulatedAt = 0;
  let sweeps = 0;
  let lateSweeps = 0;
  let next = 0;
  const giveUpAt = periodMs + 10 * 60_000;
  while ((next < appearances.length || unwritten.size > 0) && simulatedAt < giveUpAt) {
    // The next minute mark, unless the last sweep ran past it (the timer then fires late).
    const mark = (Math.floor(simulatedAt / 60_000) + 1) * 60_000;
    const now = ctx.services.clock.now().getTime() - start;
    if (now > mark) lateSweeps += 1;
    ctx.advance(Math.max(0, mark - now));
    simulatedAt = Math.max(mark, now);
    const appeared: string[] = [];
    while (next < appearances.length && appearances[next]!.at <= simulatedAt) {
      const { id, at } = appearances[next++]!;
      appeared.push(id);
      unwritten.set(id, at);
    }
    await ctx.sim.addUsers(appeared);
    const sweepStartedReal = Date.now();
    await runSweep(ctx.services, { drain: ctx.drain, drainOptions: ctx.drainOptions });
    sweeps += 1;
    const ids = [...unwritten.keys()];
    const writtenAt = await ctx.sim.firstWriteAt(ids);
    ids.forEach((id, index) => {
      const at = writtenAt[index];
      if (at === null || at === undefined) return;
      latencies.push((simulatedAt - unwritten.get(id)! + (at - sweepStartedReal)) / 1000);
      unwritten.delete(id);
    });
    simulatedAt = ctx.services.clock.now().getTime() - start;
  }
  return {
    users: employeeIds.length,
    written: latencies.length,
    sweeps,
    latenciesSeconds: latencies,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: percentile(latencies, 100),
    graph: await ctx.sim.counters(),
    budgets: await ctx.sim.budgetFigures(),
    lateSweeps,
  };
}
