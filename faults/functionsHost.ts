/**
 * What the Functions host does with a queue trigger, reduced to the parts faults care about:
 * receive, hand the decoded message to the handler, delete on success, make it visible again on
 * failure, and after maxDequeueCount move it to `<queue>-poison` (for the poison queue's own
 * trigger that is `<queue>-poison-poison`: the host never loops a message forever). Optionally
 * the same message is handed to two invocations at once, as two instances can see it.
 */
import { InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';

export type QueueHandler = (message: unknown, context: InvocationContext) => Promise<unknown>;

export interface HostRun {
  invocations: number;
  failures: number;
  /** Messages moved on to the next poison queue. */
  poisoned: number;
  /** Messages handed to two invocations at once. */
  duplicated: number;
}

export interface HostOptions {
  connectionString: string;
  queueName: string;
  handler: QueueHandler;
  maxDequeueCount: number;
  duplicateRate: number;
  random: () => number;
  /** Called before each invocation; the suite uses it to take storage away at chosen moments. */
  beforeInvocation?: (invocation: number) => Promise<void>;
  afterInvocation?: (invocation: number) => Promise<void>;
  /** Gives up after this long (a message that loops forever shows as a deadline). */
  deadlineMs: number;
}

export async function runQueueTrigger(options: HostOptions): Promise<HostRun & { timedOut: boolean }> {
  const queue = new QueueClient(options.connectionString, options.queueName);
  const poison = new QueueClient(options.connectionString, `${options.queueName}-poison`);
  await queue.createIfNotExists();
  await poison.createIfNotExists();
  const run: HostRun = { invocations: 0, failures: 0, poisoned: 0, duplicated: 0 };
  const deadline = Date.now() + options.deadlineMs;
  for (;;) {
    if (Date.now() > deadline) return { ...run, timedOut: true };
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) {
      const { approximateMessagesCount } = await queue.getProperties();
      if (!approximateMessagesCount) return { ...run, timedOut: false };
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    await Promise.all(
      receivedMessageItems.map(async (item) => {
        const invoke = async (): Promise<boolean> => {
          const invocation = ++run.invocations;
          await options.beforeInvocation?.(invocation);
          const context = new InvocationContext({
            invocationId: `faults-${invocation}`,
            functionName: options.queueName,
            triggerMetadata: { dequeueCount: item.dequeueCount, id: item.messageId },
          });
          try {
            await options.handler(decodeAsHost(item.messageText), context);
            return true;
          } catch {
            run.failures += 1;
            return false;
          } finally {
            await options.afterInvocation?.(invocation);
          }
        };
        // The first message is always doubled, so even a short run shows the case.
        const twice = options.duplicateRate > 0 && (run.duplicated === 0 || options.random() < options.duplicateRate);
        if (twice) run.duplicated += 1;
        const results = await Promise.all(twice ? [invoke(), invoke()] : [invoke()]);
        if (results.some(Boolean)) {
          await queue.deleteMessage(item.messageId, item.popReceipt).catch(() => undefined);
        } else if (item.dequeueCount >= options.maxDequeueCount) {
          await poison.sendMessage(item.messageText);
          await queue.deleteMessage(item.messageId, item.popReceipt).catch(() => undefined);
          run.poisoned += 1;
        } else {
          await queue.updateMessage(item.messageId, item.popReceipt, undefined, 0).catch(() => undefined);
        }
      }),
    );
  }
}

/** The host decodes base64 and hands JSON over parsed; anything else arrives as the text. */
function decodeAsHost(text: string): unknown {
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64').toString('utf8') : text;
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    return decoded;
  }
}
