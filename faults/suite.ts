/**
 * The fault-injection suite: round after round the world changes, one kind of fault is injected
 * while the real pipeline runs, then clean cycles and sweeps run until the world converges, and
 * the invariants are counted. Every figure but `duplicate writes` must be zero.
 */
import { JOB_QUEUE } from '../src/config/settings';
import { checkRound, type RoundFigures } from './invariants';
import { runFaultPhase, resetFaults, ROUND_KINDS, type RoundKind } from './faultRounds';
import { startFaultWorld, type FaultWorld, type FaultWorldOptions } from './faultWorld';

export interface SuiteOptions extends FaultWorldOptions {
  rounds: number;
  /** Round kinds in order (repeated to fill `rounds`); default all, shuffled by the seed. */
  kinds?: RoundKind[];
  log?: (line: string) => void;
}

export interface RoundResult extends RoundFigures {
  round: number;
  kind: RoundKind | 'backfill';
  changes: string;
  exits: string;
  readNotClean: number;
  poisonWrong: number;
  hung: number;
  queueLeft: number;
  notConverged: number;
  seconds: number;
}

export interface SuiteResult {
  rounds: RoundResult[];
  faults: Array<[string, number]>;
  seconds: number;
}

/** Figures that must be zero; `duplicateWrites` and `patches` are shown, not judged. */
export const WRONG_FIGURES = [
  'withoutOutcome',
  'otherMailsWrong',
  'usageLocationWrong',
  'supersededPatches',
  'escrowLost',
  'escrowLeft',
  'readNotClean',
  'poisonWrong',
  'hung',
  'queueLeft',
  'notConverged',
] as const satisfies ReadonlyArray<keyof RoundResult>;

const MAX_CONVERGENCE_PASSES = 4;

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const w = await startFaultWorld(options);
  const results: RoundResult[] = [];
  const lastWrite = new Map<string, string>();
  const snapshots: Array<{ at: number; values: ReturnType<FaultWorld['evolving']['snapshot']> }> = [];
  const remember = () => snapshots.push({ at: Date.now(), values: w.evolving.snapshot() });
  const valuesAt = (at: number) => [...snapshots].reverse().find((s) => s.at <= at)?.values ?? snapshots[0]!.values;
  remember();
  try {
    // Round 0: the backfill, without faults, so later rounds are about changes.
    log(`round 0: backfill of ${options.workers} workers`);
    let roundClock = Date.now();
    const backfill = await converge(w);
    results.push(
      await check(
        w,
        0,
        'backfill',
        '-',
        backfill.exits.join(' '),
        { runs: [], readNotClean: 0, poisonWrong: 0 },
        backfill,
        0,
        lastWrite,
        valuesAt,
        roundClock,
      ),
    );
    const order = options.kinds ?? shuffled([...ROUND_KINDS], w.random);
    for (let round = 1; round <= options.rounds; round++) {
      const kind = order[(round - 1) % order.length]!;
      const roundStart = w.graph.requests.length;
      const roundStarted = new Date();
      roundClock = Date.now();
      const changes = w.evolving.change(w.random, round, w.graph);
      remember();
      let changeText = `${changes.emails}e ${changes.countries}c ${changes.leftScope}l ${changes.usersAppeared}u`;
      log(`round ${round}: ${kind} (${changeText})`);
      const phase = await runFaultPhase(kind, w, roundStarted);
      resetFaults(w);
      if (phase.runs.some((r) => r.signal === 'SIGKILL')) {
        // The dead run left jobs behind; the data moves on before anything runs again.
        changeText += ` +${w.evolving.changeAgain(round, roundStarted)}e`;
        remember();
      }
      const settled = await converge(w);
      const exits = [...phase.runs.map(exitOf), '|', ...settled.exits].join(' ');
      const result = await check(
        w,
        round,
        kind,
        changeText,
        exits,
        phase,
        settled,
        roundStart,
        lastWrite,
        valuesAt,
        roundClock,
      );
      for (const example of result.examples) log(`  ${example}`);
      results.push(result);
    }
  } finally {
    await w.close();
  }
  return { rounds: results, faults: w.counter.entries(), seconds: Math.round((Date.now() - started) / 1000) };
}

/** Clean cycles and sweeps until a pass writes nothing and fails nothing. */
async function converge(w: FaultWorld): Promise<{ exits: string[]; converged: boolean; hung: number }> {
  const exits: string[] = [];
  let hung = 0;
  for (let pass = 0; pass < MAX_CONVERGENCE_PASSES; pass++) {
    const cycle = await w.runHere('cycle');
    const sweep = await w.runHere('sweep');
    exits.push(exitOf(cycle), exitOf(sweep));
    hung += Number(cycle.hung) + Number(sweep.hung);
    const quiet = [cycle, sweep].every(
      (r) => r.code === 0 && r.report && r.report.counts.written === 0 && r.report.counts.failed === 0,
    );
    if (quiet) return { exits, converged: true, hung };
  }
  return { exits, converged: false, hung };
}

async function check(
  w: FaultWorld,
  round: number,
  kind: RoundKind | 'backfill',
  changes: string,
  exits: string,
  phase: Awaited<ReturnType<typeof runFaultPhase>>,
  settled: Awaited<ReturnType<typeof converge>>,
  roundStart: number,
  lastWrite: Map<string, string>,
  valuesAt: (at: number) => ReturnType<FaultWorld['evolving']['snapshot']>,
  startedAt: number,
): Promise<RoundResult> {
  const roundPatches = w.graph.requests
    .slice(roundStart)
    .filter((r) => r.method === 'PATCH' && /^\/users\/[^/]+$/.test(r.path));
  const figures = await checkRound({
    workers: w.evolving.world.workers,
    graph: w.graph,
    ledger: w.direct.ledger,
    escrow: w.direct.escrow,
    roundPatches,
    valuesAt,
    lastWrite,
  });
  return {
    round,
    kind,
    changes,
    exits,
    ...figures,
    readNotClean: phase.readNotClean,
    poisonWrong: phase.poisonWrong,
    hung: phase.runs.filter((r) => r.hung).length + settled.hung,
    queueLeft: await w.queueLength(JOB_QUEUE),
    notConverged: settled.converged ? 0 : 1,
    seconds: Math.round((Date.now() - startedAt) / 1000),
  };
}

/** `0`, `3`, `K` (SIGKILL by the suite), `H` (hung, killed at the deadline). */
function exitOf(run: { code: number | null; signal: string | null; hung: boolean }): string {
  if (run.hung) return 'H';
  if (run.signal === 'SIGKILL') return 'K';
  return String(run.code ?? run.signal);
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
