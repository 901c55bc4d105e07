import { app, type InvocationContext } from '@azure/functions';
import { runEnrichWorker } from '../app/jobRunner';
import { JOB_QUEUE_BINDING } from '../config/settings';
import type { Outcome } from '../core/outcome';
import { decodeJobMessage } from '../state/jobMessage';
import { operationIdOf } from '../telemetry/operationContext';
import { getServices } from './hostServices';

/**
 * Queue WORKER_QUEUE_NAME (default `worker-jobs`): one worker. Outcomes are values; a transient fault throws so the host
 * retries the message and, after maxDequeueCount (host.json), moves it to the poison queue.
 */
export async function onEnrichWorker(message: unknown, context: InvocationContext): Promise<Outcome | null> {
  const job = decodeJobMessage(typeof message === 'string' ? message : JSON.stringify(message));
  const outcome = await runEnrichWorker(getServices(), job, { operationId: operationIdOf(context) });
  // A newer plan for the worker exists; its own job gives the worker's outcome.
  if (!outcome)
    context.log(`job of ${job.runId} for worker ${job.workerId} superseded by a newer plan; nothing written`);
  return outcome;
}

app.storageQueue('enrichWorker', {
  queueName: JOB_QUEUE_BINDING,
  connection: 'AzureWebJobsStorage',
  handler: onEnrichWorker,
});
