/** Counts outcomes for a run (one per worker), keeping a few examples of each for the summary. */
import {
  DRIFT_REASONS,
  emptyCounts,
  OUTCOME_CODES,
  type Outcome,
  type OutcomeCode,
  type OutcomeCounts,
} from './outcome';

export class RunTally {
  private readonly byWorker = new Map<string, OutcomeCode>();

  /** The workers given this outcome in this run. */
  workersWith(code: OutcomeCode): string[] {
    return [...this.byWorker].filter(([, c]) => c === code).map(([workerId]) => workerId);
  }

  /** The outcome a worker was given in this run, if any. */
  codeOf(workerId: string): OutcomeCode | undefined {
    return this.byWorker.get(workerId);
  }
  private readonly anonymous = emptyCounts();
  /** Workers whose latest outcome in this run is drift: a written value Entra replaced (drift.ts). */
  private readonly drifting = new Set<string>();
  private readonly examples = new Map<OutcomeCode, Outcome[]>();

  constructor(
    private readonly examplesPerCode = 5,
    /** Called with every outcome added one by one (telemetry); not with counted groups. */
    private readonly listener?: (outcome: Outcome) => void,
  ) {}

  /**
   * Adds a worker's outcome. A worker seen twice in one run (a redelivered job) keeps its latest
   * outcome and is counted once.
   */
  add(outcome: Outcome, options: { keyed?: boolean; quiet?: boolean } = {}): void {
    // `quiet`: the caller reports this outcome itself (a drained job, with its own timings).
    if (!options.quiet) this.listener?.(outcome);
    if (options.keyed === false) this.anonymous[outcome.code] += 1;
    else this.byWorker.set(outcome.workerId, outcome.code);
    if (outcome.reason !== undefined && DRIFT_REASONS.has(outcome.reason)) this.drifting.add(outcome.workerId);
    else this.drifting.delete(outcome.workerId);
    const list = this.examples.get(outcome.code) ?? [];
    if (list.length < this.examplesPerCode && !list.some((o) => o.workerId === outcome.workerId)) list.push(outcome);
    this.examples.set(outcome.code, list);
  }

  /** Counts a number of workers with the same outcome without keeping them (settled, skipped workers). */
  addCount(code: OutcomeCode, count: number): void {
    this.anonymous[code] += count;
  }

  counts(): OutcomeCounts {
    const counts = { ...this.anonymous };
    for (const code of this.byWorker.values()) counts[code] += 1;
    return counts;
  }

  /** Workers whose written value Entra replaced: rewritten once (`drift`), or left to Entra (`overwrittenInEntra`). */
  drifted(): number {
    return this.drifting.size;
  }

  total(): number {
    return Object.values(this.counts()).reduce((sum, n) => sum + n, 0);
  }

  /** A few outcomes per code, in the order of OUTCOME_CODES, for summaries and demos. */
  exampleList(): Outcome[] {
    return OUTCOME_CODES.flatMap((code) =>
      (this.examples.get(code) ?? []).filter(
        (o) => this.byWorker.get(o.workerId) === code || !this.byWorker.has(o.workerId),
      ),
    );
  }
}
