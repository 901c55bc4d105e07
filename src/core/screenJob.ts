/**
 * A queue message is not trusted as planned: whoever can write to the queue could hand-make one.
 * Before a job runs, its fields pass the same validation (parseWorker) and blocked-domain rule
 * (screenWorker) as a cycle's, its worker id is the one its fields carry, and its desiredHash is
 * the hash of those fields (a keyed hash, so it cannot be recomputed without the key). A job that
 * fails any of these writes nothing and ends `rejected` with the reason; it records nothing, so a
 * forged message cannot change what the ledger says of the worker either.
 */
import type { ConnectorConfig } from './connector';
import { desiredHash, desiredStateOf } from './mapping';
import type { Outcome } from './outcome';
import type { WorkerJob } from './ports';
import { screenWorker } from './screenWorker';
import { parseWorker } from './worker';

/** Null when the job may run; else the `rejected` outcome that ends it. */
export function screenJob(
  connector: Pick<ConnectorConfig, 'source' | 'scope' | 'cloudOnlyScope' | 'guards' | 'mappings'>,
  job: WorkerJob,
): Outcome | null {
  const reject = (reason: string, detail: string): Outcome => ({
    code: 'rejected',
    workerId: job.workerId,
    reason,
    detail: `queue message of run ${job.runId}: ${detail}`,
  });
  // The job's fields are the logical fields themselves: each is its own column.
  const columns = Object.fromEntries(Object.keys(connector.source.fields).map((field) => [field, field]));
  const parsed = parseWorker(job.fields, columns);
  if (!parsed.ok) return reject(parsed.reason, parsed.detail);
  if (parsed.worker.workerId !== job.workerId) {
    return reject('invalidJob', 'the worker id of the message is not the one its fields carry');
  }
  // The scope was decided on attributes the message does not carry; the other rules hold here too.
  const screened = screenWorker(connector, parsed.worker, 'hybrid');
  if (screened) return { ...screened, detail: `queue message of run ${job.runId}: ${screened.detail ?? ''}` };
  if (desiredHash(desiredStateOf(job.fields, connector.mappings), connector.mappings) !== job.desiredHash) {
    return reject(
      'invalidJob',
      'its desiredHash does not match its fields: not a plan this deployment made (or made under another connector file or hash key)',
    );
  }
  return null;
}
