import { app, type InvocationContext } from '@azure/functions';
import { recordPoisonedJob } from '../app/jobRunner';
import { POISON_QUEUE_BINDING } from '../config/settings';
import type { Outcome } from '../core/outcome';
import { decodeJobMessage } from '../state/jobMessage';
import { operationIdOf } from '../telemetry/operationContext';
import { getServices } from './hostServices';

/** Queue `<WORKER_QUEUE_NAME>-poison`: the job outlasted its retries. Record the worker as `failed` instead of losing it. */
export async function onEnrichWorkerPoison(message: unknown, context: InvocationContext): Promise<Outcome> {
  const job = decodeJobMessage(typeof message === 'string' ? message : JSON.stringify(message));
  const deliveries = context.triggerMetadata?.dequeueCount;
  const operationId = job.operationId ?? operationIdOf(context);
  const cause = `transient errors outlasted ${String(deliveries ?? 'all')} deliveries; see the traces of operation ${operationId}`;
  return recordPoisonedJob(getServices(), job, cause, { operationId });
}

app.storageQueue('enrichWorkerPoison', {
  queueName: POISON_QUEUE_BINDING,
  connection: 'AzureWebJobsStorage',
  handler: onEnrichWorkerPoison,
});
