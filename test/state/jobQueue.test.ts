import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/core/errors';
import type { JobQueue, WorkerJob } from '../../src/core/ports';
import { createJobQueue, createJobQueueConsumer, type JobQueueConsumer } from '../../src/state/jobQueue';
import { createStorageClients, type StorageClients } from '../../src/state/storageClients';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let clients: StorageClients;
let queueCount = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
});
afterAll(() => azurite?.stop());

const job = (workerId: string): WorkerJob => ({
  workerId,
  runId: 'cycle-1',
  fields: { personalEmail: 'jane@example.com', countryIso: 'FR' },
  desiredHash: `hash-${workerId}`,
});

/** A fresh queue per test, with a raw SDK client to look at it from outside. */
function freshQueue(options: Parameters<typeof createJobQueueConsumer>[2] = {}): {
  name: string;
  queue: JobQueue;
  consumer: JobQueueConsumer;
  raw: QueueClient;
} {
  const name = `jobs-test-${++queueCount}`;
  return {
    name,
    queue: createJobQueue(clients, name),
    consumer: createJobQueueConsumer(clients, name, options),
    raw: new QueueClient(azurite.connectionString, name),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createJobQueue', () => {
  it('enqueues each job as base64 JSON that the Functions host can read', async () => {
    const { queue, raw } = freshQueue();
    await queue.enqueue([job("O'Brien")]);
    const peeked = await raw.peekMessages();
    const text = peeked.peekedMessageItems[0]?.messageText ?? '';
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual(job("O'Brien"));
  });

  it('enqueues a hundred jobs at once, every one exactly once', async () => {
    const { queue, consumer } = freshQueue();
    const ids = Array.from({ length: 100 }, (_, i) => `W${i}`);
    await queue.enqueue(ids.map(job));
    expect(await consumer.approximateCount()).toBe(100);
    const seen: string[] = [];
    for (let batch = await consumer.receive(32, 60); batch.length > 0; batch = await consumer.receive(32, 60)) {
      for (const message of batch) {
        seen.push(message.job.workerId);
        await consumer.complete(message);
      }
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('refuses a job too large for one message and sends none of the batch', async () => {
    const { queue, consumer } = freshQueue();
    const huge = { ...job('big'), fields: { note: 'x'.repeat(70_000) } };
    await expect(queue.enqueue([job('small'), huge])).rejects.toMatchObject({ code: 'INPUT.INVALID' });
    expect(await consumer.approximateCount()).toBe(0);
  });

  it('measures the poison queue: the jobs its handler has not recorded yet (the poison-depth alert)', async () => {
    const { queue, consumer } = freshQueue();
    expect(await queue.poisonDepth?.()).toBe(0);
    await queue.enqueue([job('P1'), job('P2')]);
    for (const message of await consumer.receive(2, 30)) await consumer.moveToPoison(message);
    expect(await queue.poisonDepth?.()).toBe(2);
  });
});

describe('createJobQueueConsumer', () => {
  it('receives a job and completing it removes it from the queue', async () => {
    const { queue, consumer } = freshQueue();
    await queue.enqueue([job('W1')]);
    const [message] = await consumer.receive(10, 30);
    expect(message?.job).toEqual(job('W1'));
    expect(message?.dequeueCount).toBe(1);
    await consumer.complete(message!);
    expect(await consumer.approximateCount()).toBe(0);
  });

  it('hides a received job for the visibility timeout', async () => {
    const { queue, consumer } = freshQueue();
    await queue.enqueue([job('W1')]);
    expect(await consumer.receive(1, 30)).toHaveLength(1);
    expect(await consumer.receive(1, 30)).toEqual([]);
  });

  it('release makes the job visible again after the delay, with a higher dequeue count', async () => {
    const { queue, consumer } = freshQueue();
    await queue.enqueue([job('W1')]);
    const [first] = await consumer.receive(1, 30);
    await consumer.release(first!, 1);
    expect(await consumer.receive(1, 30)).toEqual([]);
    await sleep(1_300);
    const [again] = await consumer.receive(1, 30);
    expect(again?.job).toEqual(job('W1'));
    expect(again?.dequeueCount).toBe(2);
  });

  it('a released job can still be completed with the receipt release returned', async () => {
    const { queue, consumer } = freshQueue();
    await queue.enqueue([job('W1')]);
    const [message] = await consumer.receive(1, 30);
    await consumer.release(message!, 30);
    await consumer.complete(message!);
    expect(await consumer.approximateCount()).toBe(0);
  });

  it('moveToPoison puts the job on the -poison queue, base64 like the host does, and deletes it here', async () => {
    const { name, queue, consumer } = freshQueue();
    await queue.enqueue([job('W9')]);
    const [message] = await consumer.receive(1, 30);
    await consumer.moveToPoison(message!);
    expect(await consumer.approximateCount()).toBe(0);
    const poison = await new QueueClient(azurite.connectionString, `${name}-poison`).receiveMessages();
    const text = poison.receivedMessageItems[0]?.messageText ?? '';
    expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual(job('W9'));
  });

  it('moves a message that is not a job straight to poison and reports it as INPUT.INVALID', async () => {
    const invalid: Array<{ id: string; error: AppError }> = [];
    const { name, queue, consumer, raw } = freshQueue({ onInvalidMessage: (id, error) => invalid.push({ id, error }) });
    await queue.enqueue([job('good')]);
    await raw.sendMessage(Buffer.from('{"hello":"world"}').toString('base64'));
    const received = await consumer.receive(32, 30);
    expect(received.map((message) => message.job.workerId)).toEqual(['good']);
    expect(invalid.map((entry) => entry.error.code)).toEqual(['INPUT.INVALID']);
    const poison = await new QueueClient(azurite.connectionString, `${name}-poison`).peekMessages();
    expect(poison.peekedMessageItems[0]?.messageText).toBe(Buffer.from('{"hello":"world"}').toString('base64'));
  });

  it('completing a message twice is harmless', async () => {
    const { queue, consumer } = freshQueue();
    await queue.enqueue([job('W1')]);
    const [message] = await consumer.receive(1, 30);
    await consumer.complete(message!);
    await expect(consumer.complete(message!)).resolves.toBeUndefined();
  });

  it('refuses to receive more than 32 at once', async () => {
    const { consumer } = freshQueue();
    await expect(consumer.receive(33, 30)).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
