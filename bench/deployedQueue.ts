/**
 * The queue settings the Bicep deploys, read from the Bicep itself, so that the topology bench
 * runs what Azure runs: `queueBatchSize`'s default (main.bicep) and the `newBatchThreshold` app
 * setting (app/api.bicep). The Functions host keeps fetching batches of `batchSize` while no more
 * than `newBatchThreshold` messages are being processed, so an instance runs at most their sum at
 * once ("QueuesOptions", Microsoft.Azure.WebJobs.Extensions.Storage.Queues); `drainQueue` with
 * that concurrency refills the same way (a receive of 32 once 32 places are free).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeployedQueue {
  batchSize: number;
  newBatchThreshold: number;
  /** Jobs one instance runs at once, at most: batchSize + newBatchThreshold. */
  concurrency: number;
}

export function deployedQueue(infraDir: string): DeployedQueue {
  const main = readFileSync(join(infraDir, 'main.bicep'), 'utf8');
  const api = readFileSync(join(infraDir, 'app/api.bicep'), 'utf8');
  const batchSize = Number(/^param queueBatchSize int = (\d+)$/m.exec(main)?.[1]);
  const threshold = /AzureFunctionsJobHost__extensions__queues__newBatchThreshold: (.+)$/m.exec(api)?.[1]?.trim();
  const newBatchThreshold =
    threshold === 'string(queueBatchSize)' ? batchSize : Number(/^'(\d+)'$/.exec(threshold ?? '')?.[1]);
  if (!Number.isInteger(batchSize) || !Number.isInteger(newBatchThreshold))
    throw new Error(
      `The Bicep's queue settings could not be read (batchSize ${batchSize}, newBatchThreshold ${threshold}).`,
    );
  return { batchSize, newBatchThreshold, concurrency: batchSize + newBatchThreshold };
}
