import { app, type InvocationContext } from '@azure/functions';
import { JOB_QUEUE } from '../config/settings';
import { enrichWorker as runPipeline } from '../core/enrichWorker';
import type { Outcome } from '../core/outcome';
import { decodeJobMessage } from '../state/jobMessage';
import { countingDirectory } from '../app/countingDirectory';
import { oneAtATimePerWorker } from '../app/workerLock';
import { operationIdOf } from '../telemetry/operationContext';
import { getServices } from './services';

/**
 * Queue: one worker. Outcomes are values; a transient fault throws so the host retries the
 * message and, after maxDequeueCount (host.json), moves it to the poison queue.
 */
export async function enrichWorker(message: unknown, context: InvocationContext): Promise<Outcome | null> {
  const job = decodeJobMessage(typeof message === 'string' ? message : JSON.stringify(message));
  const services = getServices();
  const started = Date.now();
  const counting = countingDirectory(services.directory);
  const outcome = await oneAtATimePerWorker(job.workerId, () => runPipeline(job, { ...services, directory: counting.directory }));
  if (!outcome) {
    // A newer plan for the worker exists; its own job gives the worker's outcome.
    context.log(`job of ${job.cycleId} for worker ${job.workerId} superseded by a newer plan; nothing written`);
    return null;
  }
  services.telemetry.workerOutcome(outcome, {
    runId: job.cycleId,
    ...(job.dryRun ? { dryRun: true } : {}),
    durationMs: Date.now() - started,
    graphRequests: counting.calls(),
    operationId: job.operationId ?? operationIdOf(context),
  });
  return outcome;
}

app.storageQueue('enrichWorker', { queueName: JOB_QUEUE, connection: 'AzureWebJobsStorage', handler: enrichWorker });
