/**
 * The worker-jobs queue: the cycle enqueues, and either the Functions host (queue trigger) or the
 * CLI's consumer drains it. The consumer mirrors what the host does: receive with a visibility
 * timeout, delete on success, let the message reappear for a retry, move it to `-poison` at last.
 */
import type { QueueClient } from '@azure/storage-queue';
import { AppError, ensureAppError } from '../core/errors';
import type { JobQueue, WorkerJob } from '../core/ports';
import { forEachConcurrently } from './concurrency';
import { decodeJobMessage, encodeJobMessage } from './jobMessage';
import { isNotFound, storageCall, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';

/** Sends in flight at once: enough to enqueue thousands of jobs in seconds, not a flood. */
const SENDS_IN_FLIGHT = 24;
/** The service's own cap on messages per receive. */
const MAX_RECEIVE = 32;

export interface ReceivedJob {
  job: WorkerJob;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
}

export interface JobQueueConsumer {
  /** Up to `max` (1–32) jobs, hidden from other consumers for `visibilityTimeoutSeconds`. */
  receive(max: number, visibilityTimeoutSeconds: number): Promise<ReceivedJob[]>;
  /** Deletes the message: the job is done. */
  complete(message: ReceivedJob): Promise<void>;
  /** Makes the message visible again after `delaySeconds` (a retry). */
  release(message: ReceivedJob, delaySeconds: number): Promise<void>;
  /** Copies the job to `${queueName}-poison`, as the host does after its last attempt, then deletes it. */
  moveToPoison(message: ReceivedJob): Promise<void>;
  approximateCount(): Promise<number>;
}

export interface JobQueueConsumerOptions {
  /** Called for a message that is not a worker job; it has already been moved to the poison queue. */
  onInvalidMessage?(messageId: string, error: AppError): void;
}

export const poisonQueueName = (queueName: string): string => `${queueName}-poison`;

export function createJobQueue(clients: StorageClients, queueName: string): JobQueue {
  return {
    async enqueue(jobs) {
      // Encode everything first: a job too large for a message fails the call before anything is sent.
      const messages = jobs.map(encodeJobMessage);
      if (messages.length === 0) return;
      const queue = await clients.ensureQueue(queueName);
      await forEachConcurrently(messages, SENDS_IN_FLIGHT, async (text) => {
        await storageCall(`enqueueing a job on ${queueName}`, () => queue.sendMessage(text));
      });
    },
    async poisonDepth() {
      const poison = await clients.ensureQueue(poisonQueueName(queueName));
      const properties = await storageCall(`reading the depth of ${poisonQueueName(queueName)}`, () =>
        poison.getProperties(),
      );
      return properties.approximateMessagesCount ?? 0;
    },
  };
}

export function createJobQueueConsumer(
  clients: StorageClients,
  queueName: string,
  options: JobQueueConsumerOptions = {},
): JobQueueConsumer {
  const queue = () => clients.ensureQueue(queueName);
  const poison = () => clients.ensureQueue(poisonQueueName(queueName));

  return {
    async receive(max, visibilityTimeoutSeconds) {
      if (!Number.isInteger(max) || max < 1 || max > MAX_RECEIVE) {
        throw new AppError('INTERNAL', `receive takes 1 to ${MAX_RECEIVE} messages, not ${max}`);
      }
      const client = await queue();
      const response = await storageCall(`receiving from ${queueName}`, () =>
        client.receiveMessages({ numberOfMessages: max, visibilityTimeout: visibilityTimeoutSeconds }),
      );
      const jobs: ReceivedJob[] = [];
      for (const item of response.receivedMessageItems) {
        const { messageId, popReceipt, dequeueCount } = item;
        try {
          jobs.push({ job: decodeJobMessage(item.messageText), messageId, popReceipt, dequeueCount });
        } catch (err) {
          await quarantine(client, await poison(), item.messageText, messageId, popReceipt);
          options.onInvalidMessage?.(messageId, ensureAppError(err, 'INPUT.INVALID'));
        }
      }
      return jobs;
    },
    async complete(message) {
      await deleteMessage(await queue(), message.messageId, message.popReceipt);
    },
    async release(message, delaySeconds) {
      const client = await queue();
      const updated = await storageCall(`releasing a message on ${queueName}`, () =>
        client.updateMessage(message.messageId, message.popReceipt, undefined, Math.max(0, Math.round(delaySeconds))),
      );
      // The old receipt is void now; keep the message usable for a later complete or poison move.
      if (updated.popReceipt) message.popReceipt = updated.popReceipt;
    },
    async moveToPoison(message) {
      const target = await poison();
      await storageCall(`moving a message to ${poisonQueueName(queueName)}`, () =>
        target.sendMessage(encodeJobMessage(message.job)),
      );
      await deleteMessage(await queue(), message.messageId, message.popReceipt);
    },
    async approximateCount() {
      const client = await queue();
      const properties = await storageCall(`counting ${queueName}`, () => client.getProperties());
      return properties.approximateMessagesCount ?? 0;
    },
  };
}

/** A message that is no job would fail on every attempt; it goes to poison untouched, at once. */
async function quarantine(
  queue: QueueClient,
  poison: QueueClient,
  text: string,
  messageId: string,
  popReceipt: string,
): Promise<void> {
  await storageCall('moving an unreadable message to the poison queue', () => poison.sendMessage(text));
  await deleteMessage(queue, messageId, popReceipt);
}

/** A message already gone (deleted elsewhere, or its receipt expired and it was deleted) is done. */
async function deleteMessage(queue: QueueClient, messageId: string, popReceipt: string): Promise<void> {
  try {
    await queue.deleteMessage(messageId, popReceipt);
  } catch (err) {
    if (!isNotFound(err)) throw toStorageError(err, `deleting a message from ${queue.name}`);
  }
}
