/** `runs <runId>`: one run's record and its workers, optionally of one outcome. */
import { AppError } from './errors';
import { isOutcomeCode } from './outcome';
import type { RunHistory, RunRecord, RunWorker } from './ports';

export interface RunListing {
  runId: string;
  /** Null while planning has not recorded the run (its first jobs may settle before). */
  run: RunRecord | null;
  outcome?: RunWorker['code'];
  count: number;
  workers: RunWorker[];
}

export async function listRun(
  runs: Pick<RunHistory, 'get' | 'workersOf'>,
  runId: string,
  outcome?: string,
): Promise<RunListing> {
  const code = outcome === undefined ? undefined : outcomeFilter(outcome);
  const [run, workers] = await Promise.all([runs.get(runId), runs.workersOf(runId, code)]);
  if (!run && workers.length === 0)
    throw new AppError(
      'INPUT.INVALID',
      `no run ${runId} is on record with its workers (attribute-writer runs lists the runs)`,
    );
  return { runId, run, outcome: code, count: workers.length, workers };
}

function outcomeFilter(value: string): RunWorker['code'] {
  if (value === 'superseded' || isOutcomeCode(value)) return value;
  throw new AppError(
    'INPUT.INVALID',
    `--outcome takes an outcome code (written, unchanged, outOfScope, rejected, escrowed, expired, conflict, denied, held, failed) or superseded, not '${value}'`,
  );
}
