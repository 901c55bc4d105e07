/**
 * What a run's planning produces, whatever the run (a cycle's plan, a sweep, a resync): one shape,
 * handed whole to the end of the run, which measures the rest (duration, Graph, escrow) and
 * derives the run's record, its summary and its telemetry event from it.
 */
import type { GuardVerdict } from './approval';
import type { RunKind } from './ports';
import type { RunTally } from './tally';

export interface RunFigures extends GuardVerdict {
  runId: string;
  kind: RunKind;
  startedAt: Date;
  dryRun: boolean;
  /** Every outcome of the run: planning's, then its jobs' as a drain in this process settles them. */
  tally: RunTally;
  /** Jobs handed to the queue (0 when held). */
  enqueued: number;
  /** A cycle's changes against the ledger (what the mass-change guard counts). */
  changes?: number | undefined;
  /** How a cycle read Workday, and how many workers it read. */
  read?: 'full' | 'incremental' | undefined;
  workersRead?: number | undefined;
  workdayReadMs: number;
  /** Planned jobs that wrote nothing because another run recorded a newer plan for the worker. */
  superseded: number;
  /** Who was in escrow when the run began, and since when: the run's backlog figure is computed from it. */
  escrowAtStart?: ReadonlyMap<string, Date> | undefined;
}

/**
 * The figures of a run that planned nothing yet: no guard, no Workday read, no job. (The tally
 * comes from the caller: this module imports types only, so it adds no step to an import chain.)
 */
export function startFigures(
  run: Pick<RunFigures, 'runId' | 'kind' | 'startedAt' | 'dryRun'>,
  tally: RunTally,
): RunFigures {
  return {
    ...run,
    tally,
    enqueued: 0,
    held: false,
    wouldBeHeld: false,
    approvedBy: null,
    workdayReadMs: 0,
    superseded: 0,
  };
}
