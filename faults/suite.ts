/**
 * The fault-injection suite: round after round the world changes, one kind of fault is injected
 * while the real pipeline runs, then clean cycles and sweeps run until the world converges, and
 * the invariants are counted. Every figure but `duplicate writes` must be zero.
 */
import { JOB_QUEUE } from '../src/config/settings';
import { checkRound, checkTruth, lateWrites, type RoundFigures, type TruthFigures } from './invariants';
import { runFaultPhase, resetFaults, ROUND_KINDS, type RoundKind } from './faultRounds';
import { startFaultWorld, type FaultWorld, type FaultWorldOptions } from './faultWorld';
import { pause } from './proxy';

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
  /** After convergence: settled rows whose user does not hold the recorded plan (see checkTruth). */
  notNewestPlan: number;
  /** After convergence: rows that claim a value Graph does not hold. */
  falseClaims: number;
  /** `instances`, right after the phase (before convergence, which would mask them): the same two. */
  notNewestAtPhase: number;
  falseClaimsAtPhase: number;
  /** Read watermarks ahead of the real time, right after the phase and after convergence. */
  watermarkAhead: number;
  /** `instances`: PATCHes of a stale value during the phase (expected there), and how many were repaired by its end. */
  latePatches: number;
  /** Of those, the ones that landed after a PATCH of the newer value (they replaced it until repaired). */
  lateOverNewer: number;
  /** Late writes the jobs themselves learned of (the warning each logs as it writes the newest plan again). */
  lateSeen: number;
  lateRepaired: number;
  /** `instances`: the exit of the CLI cycle on a clock 2 h fast ('2': refused, wrote nothing). */
  skewedCli: string;
  seconds: number;
}

export interface SuiteResult {
  rounds: RoundResult[];
  faults: Array<[string, number]>;
  seconds: number;
}

/** Figures that must be zero; `duplicateWrites`, `patches`, `latePatches` and `lateRepaired` are shown, not judged. */
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
  'notNewestAtPhase',
  'notNewestPlan',
  'falseClaimsAtPhase',
  'falseClaims',
  'watermarkAhead',
] as const satisfies ReadonlyArray<keyof RoundResult>;

const MAX_CONVERGENCE_PASSES = 4;
/** The shared clock's resolution (the storage's Date header counts whole seconds), with room. */
const SHARED_TIME_RESOLUTION_MS = 1_500;

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
        null,
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
      const phase = await runFaultPhase(kind, w, roundStarted, { round, worldChanged: remember });
      resetFaults(w);
      if (phase.changedAgain !== undefined) changeText += ` +${phase.changedAgain}e`;
      // Judged before convergence, which would mask a late write or a false claim.
      const atPhase = kind === 'instances' ? await phaseEnd(w, roundStart, valuesAt) : null;
      for (const example of atPhase?.examples ?? []) log(`  after the phase: ${example}`);
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
        atPhase,
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
  // The pipeline runs on the storage's time taken at its lower bound (up to a second behind): a
  // change entered in the last moment is read by the next cycle, not this one. Start after it, so a
  // quiet pass means there is nothing left to read.
  await pause(SHARED_TIME_RESOLUTION_MS);
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
  atPhase: PhaseEnd | null,
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
  const truth = await truthNow(w);
  // In this round a stale PATCH during the phase is what the round provokes: logged as a late write.
  if (atPhase) figures.examples = figures.examples.map((e) => e.replace(/^superseded PATCH/, 'late write'));
  figures.examples.push(...truth.examples);
  // In this round a PATCH of a stale value is expected during the phase (shown as a late write);
  // one after it (in convergence) is still a superseded PATCH.
  const supersededPatches = atPhase ? Math.max(0, figures.supersededPatches - atPhase.late) : figures.supersededPatches;
  return {
    round,
    kind,
    changes,
    exits,
    ...figures,
    supersededPatches,
    notNewestPlan: truth.notNewestPlan,
    falseClaims: truth.falseClaims,
    notNewestAtPhase: atPhase?.notNewestPlan ?? 0,
    falseClaimsAtPhase: atPhase?.falseClaims ?? 0,
    watermarkAhead: truth.watermarkAhead + (atPhase?.watermarkAhead ?? 0),
    latePatches: atPhase?.late ?? 0,
    lateOverNewer: atPhase?.overNewer ?? 0,
    lateSeen: phase.lateWritesSeen ?? 0,
    lateRepaired: atPhase?.repaired ?? 0,
    skewedCli: phase.skewedCli ?? '',
    readNotClean: phase.readNotClean,
    poisonWrong: phase.poisonWrong,
    hung: phase.runs.filter((r) => r.hung).length + settled.hung,
    queueLeft: await w.queueLength(JOB_QUEUE),
    notConverged: settled.converged ? 0 : 1,
    seconds: Math.round((Date.now() - startedAt) / 1000),
  };
}

interface PhaseEnd extends TruthFigures {
  late: number;
  overNewer: number;
  repaired: number;
}

function truthNow(w: FaultWorld): Promise<TruthFigures> {
  return checkTruth({
    graph: w.graph,
    ledger: w.direct.ledger,
    plans: w.direct.plans,
    watermarks: w.direct.watermarks,
    mappings: w.direct.connector.mappings,
    sourceKind: w.direct.source.kind,
    now: Date.now(),
  });
}

/** Right after the phase: the ledger against Graph, the watermarks, and the late writes with their repairs. */
async function phaseEnd(
  w: FaultWorld,
  roundStart: number,
  valuesAt: (at: number) => ReturnType<FaultWorld['evolving']['snapshot']>,
): Promise<PhaseEnd> {
  const truth = await truthNow(w);
  const patches = w.graph.requests
    .slice(roundStart)
    .filter((r) => r.method === 'PATCH' && /^\/users\/[^/]+$/.test(r.path));
  const late = lateWrites({ patches, graph: w.graph, valuesAt, now: w.evolving.snapshot() });
  if (process.env.FAULTS_TRACE)
    for (const example of late.examples) {
      const workerId = example.split(' ').pop() ?? '';
      const row = await w.direct.ledger.get(workerId);
      const user = w.graph.usersByEmployeeId(workerId)[0];
      process.stderr.write(
        `    ${workerId}: row ${JSON.stringify(row)} user ${JSON.stringify(user?.otherMails)} ${user?.usageLocation}\n`,
      );
    }
  return {
    ...truth,
    late: late.late,
    overNewer: late.overNewer,
    repaired: late.repaired,
    examples: [...truth.examples, ...late.examples],
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
