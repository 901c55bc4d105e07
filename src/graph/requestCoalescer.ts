/**
 * The gathering step of the Graph path: logical requests made within the coalescing window (or
 * while every slot is busy) leave together, up to 20 in one `$batch`; a lone request leaves as a
 * plain request. Reads go first (they cost no write places), then as many writes as the pacing
 * step lets leave. Each caller gets its own answer, so a throttled sub-request is retried on its
 * own by its caller, not with the whole batch.
 *
 * The late-write guard is asked here, after pacing and just before the wire: a write whose plan
 * was replaced while it waited (a pause, a retry: every retry comes through here again) is
 * answered GRAPH.NOT_SENT and never leaves.
 */
import { AppError, ensureAppError } from '../core/errors';
import { MAX_BATCH_REQUESTS } from './batchEnvelope';
import { type GraphRequest, type GraphResponse, isWrite } from './graphResponse';
import type { PacedWire, Slot } from './pacedWire';

/** How long queued writes may wait to fill a `$batch` once the first write place is there. */
const WRITE_GATHER_MS = 1000;

interface Pending {
  request: GraphRequest;
  resolve(response: GraphResponse): void;
  reject(error: AppError): void;
}

export class RequestCoalescer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing = false;
  private draining = false;
  /** Ends the drain's wait for write places early: reads must not queue behind writes. */
  private wakeForReads: (() => void) | null = null;
  private readTimer: NodeJS.Timeout | null = null;

  /** @param windowMs how long a request waits for others to share its `$batch` */
  constructor(
    private readonly wire: PacedWire,
    private readonly windowMs: number,
  ) {}

  send(request: GraphRequest): Promise<GraphResponse> {
    return new Promise<GraphResponse>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      // A full `$batch` gains nothing from waiting out the window: the window is for stragglers.
      if (this.queue.length >= MAX_BATCH_REQUESTS) return this.flush();
      // Gathered already (lookup groups): it leaves a turn later, with the others made in this turn.
      if (request.gathered) return this.flushNextTurn();
      if (this.draining && !isWrite(request)) return this.wakeAfterWindow();
      if (!this.draining && !this.timer) this.timer = setTimeout(() => this.flush(), this.windowMs);
    });
  }

  /** Stops a pending flush timer (the queue is drained by then in normal use). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.readTimer) clearTimeout(this.readTimer);
    this.timer = null;
    this.readTimer = null;
  }

  /** Sends what is queued now; a drain under way takes it (reads at once). */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.draining) this.wakeForReads?.();
    else if (this.queue.length > 0) void this.drain();
  }

  private flushNextTurn(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      this.flush();
    });
  }

  /** A read arrived while the drain waits for write places: it leaves after the coalescing window, with its peers. */
  private wakeAfterWindow(): void {
    if (!this.wakeForReads || this.readTimer) return;
    this.readTimer = setTimeout(() => {
      this.readTimer = null;
      this.wakeForReads?.();
    }, this.windowMs);
  }

  /**
   * Waits for write places (gathering up to a batch, at most a second), or until reads arrive.
   * False when the wait gave up (no turn of a shared write budget in time): the writes waiting
   * are answered with that transient error, so their jobs give their queue messages back.
   */
  private async waitForWritesOrReads(): Promise<boolean> {
    const readsArrived = new Promise<void>((resolve) => (this.wakeForReads = resolve));
    try {
      await Promise.race([
        this.wire.waitForWrites(Math.min(this.queue.length, MAX_BATCH_REQUESTS), WRITE_GATHER_MS),
        readsArrived,
      ]);
      return true;
    } catch (err) {
      const error = ensureAppError(err, 'GRAPH.UNAVAILABLE');
      const writes = this.queue.filter((pending) => isWrite(pending.request));
      this.queue = this.queue.filter((pending) => !isWrite(pending.request));
      for (const pending of writes) pending.reject(error);
      return false;
    } finally {
      this.wakeForReads = null;
      if (this.readTimer) clearTimeout(this.readTimer);
      this.readTimer = null;
    }
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        // Wait for the budgets without holding a slot, and never keep reads behind writes.
        if (this.queue.some((pending) => !isWrite(pending.request))) await this.wire.waitForRead();
        else if (!(await this.waitForWritesOrReads())) continue;
        const slot = await this.wire.slot();
        const batch = this.takeBatch(slot);
        if (batch.length === 0) slot.done();
        else void this.dispatch(batch, slot).finally(() => slot.done());
      }
    } finally {
      this.draining = false;
    }
  }

  /** Reads first (they cost no write budget), then as many writes as may leave now. */
  private takeBatch(slot: Slot): Pending[] {
    const reads = this.queue.filter((pending) => !isWrite(pending.request)).slice(0, MAX_BATCH_REQUESTS);
    const writes = this.queue.filter((pending) => isWrite(pending.request));
    const taken = slot.take(reads.length, Math.min(MAX_BATCH_REQUESTS - reads.length, writes.length));
    const batch = new Set([...reads.slice(0, taken.reads), ...writes.slice(0, taken.writes)]);
    this.queue = this.queue.filter((pending) => !batch.has(pending));
    return [...batch];
  }

  /** After their guards, `slot.left()` waits for the writes' place: they count from when they leave. */
  private async dispatch(taken: Pending[], slot: Slot): Promise<void> {
    const batch = await this.stillWanted(taken);
    try {
      await slot.left();
      if (batch.length === 0) return;
      const answers = await this.wire.send(batch.map(({ request }) => request));
      // Before the callers' continuations run: the writes stop counting when the answer came.
      slot.answered();
      for (const [index, answer] of answers.entries()) {
        if (answer instanceof AppError) batch[index]!.reject(answer);
        else batch[index]!.resolve(answer);
      }
    } catch (err) {
      const error = ensureAppError(err, 'GRAPH.UNAVAILABLE');
      for (const pending of batch) pending.reject(error);
    }
  }

  /** Asks each write's guard now; a write no longer wanted is answered GRAPH.NOT_SENT. */
  private async stillWanted(taken: Pending[]): Promise<Pending[]> {
    const verdicts = await Promise.all(
      taken.map(async ({ request }) => {
        try {
          return request.guard ? await request.guard() : true;
        } catch (err) {
          return ensureAppError(err, 'STORAGE.UNAVAILABLE');
        }
      }),
    );
    const kept: Pending[] = [];
    for (const [index, pending] of taken.entries()) {
      const verdict = verdicts[index];
      if (verdict === true) kept.push(pending);
      else if (verdict === false)
        pending.reject(new AppError('GRAPH.NOT_SENT', 'A newer plan replaced this write before it left; not sent.'));
      else pending.reject(verdict as AppError);
    }
    return kept;
  }
}
