/**
 * The queue of one CLI run: the jobs this run enqueued and nothing else. An operator's
 * `cycle` or `sweep` pointed at the production storage account must not execute jobs that the
 * deployed timer queued (with the operator's credentials, or worse, as a dry run that drains
 * them): so the CLI plans into this in-process queue and drains it here, with the host's
 * semantics (visibility delay on release, a dequeue count, the poison path). A job lost with the
 * process is not lost for the worker: its plan is in the ledger without an outcome, and the next
 * cycle enqueues it again.
 */
import type { JobQueue, WorkerJob } from '../core/ports';
import type { JobQueueConsumer, ReceivedJob } from '../state/jobQueue';

interface Held {
  job: WorkerJob;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
  visibleAt: number;
}

export interface LocalJobQueue {
  queue: JobQueue;
  consumer: JobQueueConsumer;
  /** Jobs that outlasted their deliveries (recorded `failed` by the drain). */
  poisoned(): WorkerJob[];
}

export function createLocalJobQueue(clock: () => number = Date.now): LocalJobQueue {
  const messages = new Map<string, Held>();
  const poison: WorkerJob[] = [];
  let sequence = 0;
  const current = (message: ReceivedJob): Held | undefined => {
    const held = messages.get(message.messageId);
    return held && held.popReceipt === message.popReceipt ? held : undefined;
  };
  return {
    queue: {
      async enqueue(jobs) {
        for (const job of jobs) {
          const messageId = `local-${++sequence}`;
          messages.set(messageId, {
            job: structuredClone(job),
            messageId,
            popReceipt: '',
            dequeueCount: 0,
            visibleAt: 0,
          });
        }
      },
    },
    consumer: {
      async receive(max, visibilityTimeoutSeconds) {
        const now = clock();
        const received: ReceivedJob[] = [];
        for (const held of messages.values()) {
          if (received.length >= max) break;
          if (held.visibleAt > now) continue;
          held.dequeueCount += 1;
          held.popReceipt = `p${++sequence}`;
          held.visibleAt = now + visibilityTimeoutSeconds * 1000;
          received.push({
            job: held.job,
            messageId: held.messageId,
            popReceipt: held.popReceipt,
            dequeueCount: held.dequeueCount,
          });
        }
        return received;
      },
      async complete(message) {
        if (current(message)) messages.delete(message.messageId);
      },
      async release(message, delaySeconds) {
        const held = current(message);
        if (!held) return;
        held.popReceipt = `p${++sequence}`;
        held.visibleAt = clock() + Math.max(0, delaySeconds) * 1000;
        message.popReceipt = held.popReceipt;
      },
      async moveToPoison(message) {
        if (!current(message)) return;
        poison.push(message.job);
        messages.delete(message.messageId);
      },
      async approximateCount() {
        return messages.size;
      },
    },
    poisoned: () => [...poison],
  };
}
