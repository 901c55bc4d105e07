/** A job whose transient errors outlasted its retries (poison queue): recorded as `failed`, never lost. */
import { unappliedEntry } from './ledgerRows';
import type { Outcome } from './outcome';
import type { Dependencies } from './dependencies';
import { isSuperseded } from './planVersion';
import { KEEP, type WorkerJob } from './ports';

export async function recordFailure(
  deps: Pick<Dependencies, 'ledger' | 'clock' | 'dryRun'>,
  job: WorkerJob,
  cause: string,
): Promise<Outcome> {
  const outcome: Outcome = { code: 'failed', workerId: job.workerId, reason: 'retriesExhausted', detail: cause };
  if (deps.dryRun || job.dryRun) return outcome;
  const now = deps.clock.now();
  await deps.ledger.change(job.workerId, (current) => {
    // A newer plan has its own job: this one's failure says nothing about it.
    if (isSuperseded(job, current)) return KEEP;
    // Keep the last good desired state: the failed change must still count as a change next cycle.
    return unappliedEntry(job, outcome, current, now);
  });
  return outcome;
}
