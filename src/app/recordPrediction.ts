/**
 * A dry-run job's outcome is kept as the worker's prediction (src/core/predictions.ts), stamped
 * with the ledger row as it was before the job ran: a real run in between makes it stale.
 */
import { ensureAppError } from '../core/errors';
import { maskValue } from '../core/mask';
import type { Outcome } from '../core/outcome';
import type { Dependencies } from '../core/dependencies';
import { ledgerStampOf } from '../core/predictions';
import type { WorkerJob } from '../core/ports';

export async function predicting(
  deps: Pick<Dependencies, 'predictions' | 'ledger' | 'clock' | 'logger' | 'dryRun'>,
  job: WorkerJob,
  enrichWorker: () => Promise<Outcome | null>,
): Promise<Outcome | null> {
  const store = deps.predictions;
  if (!store || !(job.dryRun || deps.dryRun)) return enrichWorker();
  const ledgerStamp = ledgerStampOf(await deps.ledger.get(job.workerId));
  const outcome = await enrichWorker();
  if (!outcome) return outcome;
  try {
    await store.record({
      workerId: job.workerId,
      desiredHash: job.desiredHash,
      outcome: maskValue(outcome) as Outcome,
      runId: job.runId,
      predictedAt: deps.clock.now(),
      ledgerStamp,
    });
  } catch (err) {
    // Only the next dry run's shortcut is lost: it checks this worker again.
    deps.logger.log('warn', `could not keep the dry-run prediction of worker ${job.workerId}`, {
      error: ensureAppError(err).message,
    });
  }
  return outcome;
}
