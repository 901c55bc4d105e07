/**
 * A stand-in for the worker-jobs queue, held by the benchmark's world process: Azure Queue
 * Storage semantics (FIFO-ish receive of up to 32, visibility timeout, dequeue count, pop
 * receipts, update to release, delete to complete) at constant cost per operation.
 *
 * Why not Azurite's queue: its in-memory queue scans every message on each receive, so a receive
 * slows down with the queue's length (measured here: ~14 ms per received-and-deleted message with
 * 5,000 queued, ~130 ms with 20,000), and a 20,000-worker backfill spends over half an hour in
 * the emulator alone. Azure Queue Storage has no such cost; `--queue azurite` still runs it.
 */

export interface QueuedMessage {
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
  messageText: string;
}

interface Stored extends QueuedMessage {
  visibleAt: number;
}

export class MemoryQueue {
  private readonly messages = new Map<string, Stored>();
  /** Ids in the order they become receivable; entries of deleted messages are skipped. */
  private ready: string[] = [];
  private head = 0;
  /** Received or released messages, waiting for their visibility to return. */
  private readonly hidden = new Set<string>();
  private sequence = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  send(texts: readonly string[]): void {
    for (const messageText of texts) {
      const messageId = `m${++this.sequence}`;
      this.messages.set(messageId, { messageId, messageText, popReceipt: '', dequeueCount: 0, visibleAt: 0 });
      this.ready.push(messageId);
    }
  }

  receive(max: number, visibilityTimeoutSeconds: number): QueuedMessage[] {
    const now = this.clock();
    for (const id of this.hidden) {
      if ((this.messages.get(id)?.visibleAt ?? Infinity) <= now) {
        this.hidden.delete(id);
        this.ready.push(id);
      }
    }
    const received: QueuedMessage[] = [];
    while (received.length < max && this.head < this.ready.length) {
      const message = this.messages.get(this.ready[this.head++]!);
      if (!message || this.hidden.has(message.messageId)) continue;
      message.dequeueCount += 1;
      message.popReceipt = `p${++this.sequence}`;
      message.visibleAt = now + visibilityTimeoutSeconds * 1000;
      this.hidden.add(message.messageId);
      const { messageId, popReceipt, dequeueCount, messageText } = message;
      received.push({ messageId, popReceipt, dequeueCount, messageText });
    }
    if (this.head > 4096 && this.head * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
    return received;
  }

  /** Deletes the message if the receipt is current; false when it is gone or the receipt is stale. */
  delete(messageId: string, popReceipt: string): boolean {
    const message = this.messages.get(messageId);
    if (!message || message.popReceipt !== popReceipt) return false;
    this.messages.delete(messageId);
    this.hidden.delete(messageId);
    return true;
  }

  /** Makes the message visible again after `delaySeconds`; returns the new pop receipt. */
  release(messageId: string, popReceipt: string, delaySeconds: number): string | null {
    const message = this.messages.get(messageId);
    if (!message || message.popReceipt !== popReceipt) return null;
    message.popReceipt = `p${++this.sequence}`;
    message.visibleAt = this.clock() + delaySeconds * 1000;
    return message.popReceipt;
  }

  /** Like Azure's approximate count: visible and invisible messages alike. */
  count(): number {
    return this.messages.size;
  }
}
