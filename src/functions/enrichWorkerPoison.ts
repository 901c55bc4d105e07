import { app, type InvocationContext } from '@azure/functions';
import { POISON_QUEUE } from '../config/settings';
import type { Outcome } from '../core/outcome';
import { recordFailure } from '../core/recordFailure';
import { decodeJobMessage } from '../state/jobMessage';
import { operationIdOf } from '../telemetry/operationContext';
import { getServices } from './services';

/** Poison queue: the job outlasted its retries. Record the worker as `failed` instead of losing it. */
export async function enrichWorkerPoison(message: unknown, context: InvocationContext): Promise<Outcome> {
  const job = decodeJobMessage(typeof message === 'string' ? message : JSON.stringify(message));
  const services = getServices();
  const deliveries = context.triggerMetadata?.dequeueCount;
  const outcome = await recordFailure(services, job, `transient errors outlasted ${String(deliveries ?? 'all')} deliveries; see the traces of operation ${job.operationId ?? operationIdOf(context)}`);
  services.telemetry.workerOutcome(outcome, { runId: job.cycleId, durationMs: 0, graphRequests: 0, operationId: job.operationId ?? operationIdOf(context) });
  return outcome;
}

app.storageQueue('enrichWorkerPoison', { queueName: POISON_QUEUE, connection: 'AzureWebJobsStorage', handler: enrichWorkerPoison });
