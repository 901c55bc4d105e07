/** A job whose transient errors outlasted its retries (poison queue): recorded as `failed`, never lost. */
import { ledgerEntry } from './enrichWorker';
import type { Outcome } from './outcome';
import type { Pipeline } from './pipeline';
import type { WorkerJob } from './ports';

export async function recordFailure(deps: Pick<Pipeline, 'ledger' | 'clock' | 'dryRun'>, job: WorkerJob, cause: string): Promise<Outcome> {
  const outcome: Outcome = { code: 'failed', workerId: job.workerId, reason: 'retriesExhausted', detail: cause };
  if (deps.dryRun || job.dryRun) return outcome;
  const previous = await deps.ledger.get(job.workerId);
  // Keep the last good desired state: the failed change must still count as a change next cycle.
  const entry = ledgerEntry({ ...job, desiredHash: previous?.desiredHash ?? '' }, outcome, previous, deps.clock.now());
  if (!previous?.desiredHash) delete entry.desiredHash;
  await deps.ledger.put(entry);
  return outcome;
}
