/**
 * Coalesces logical Graph requests into `$batch` requests of up to 20, paced by the Pacer.
 * Requests made within the coalescing window (or while every slot is busy) leave together;
 * a lone request leaves as a plain request. Each caller gets its own sub-response back, so a
 * throttled sub-request is retried on its own by its caller, not with the whole batch.
 */
import { randomUUID } from 'node:crypto';
import { AppError, ensureAppError } from '../core/errors';
import type { DirectoryStats, Logger } from '../core/ports';
import { parseRetryAfter } from '../core/retry';
import { type GraphHttp, lowerCased } from './graphHttp';
import { type GraphRequest, type GraphResponse, isSuccess, isWrite } from './graphResponse';
import type { Pacer } from './pacer';
import { isObject } from './toDirectoryUser';

/** Graph's limit on requests in one `$batch`. */
export const MAX_BATCH_REQUESTS = 20;
const THROTTLE_LOG_INTERVAL_MS = 10_000;
/** How long queued writes may wait to fill a `$batch` once the first write token is there. */
const WRITE_GATHER_MS = 1000;
/** What the Pacer charges a request when it leaves: every request this app makes costs 1 with `$select`. */
const ESTIMATED_UNITS = 1;

interface Pending {
  request: GraphRequest;
  resolve(response: GraphResponse): void;
  reject(error: AppError): void;
}

export class RequestCoalescer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private draining = false;
  /** Ends the drain's wait for write places early: reads must not queue behind writes. */
  private wakeForReads: (() => void) | null = null;
  private readTimer: NodeJS.Timeout | null = null;
  private lastThrottleLog = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly http: GraphHttp,
    private readonly pacer: Pacer,
    private readonly stats: DirectoryStats,
    private readonly logger?: Logger,
  ) {}

  submit(request: GraphRequest): Promise<GraphResponse> {
    return new Promise<GraphResponse>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      // A full `$batch` gains nothing from waiting out the window: the window is for stragglers.
      if (this.queue.length >= MAX_BATCH_REQUESTS) return this.flushSoon();
      if (this.draining && !isWrite(request)) return this.wakeAfterWindow();
      if (!this.draining && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = null;
          void this.drain();
        }, this.pacer.coalesceWindowMs);
      }
    });
  }

  /** Sends what is queued without waiting out the window (the caller already coalesced). */
  flushSoon(): void {
    if (this.draining) {
      this.wakeForReads?.();
      return;
    }
    if (this.queue.length === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.drain();
  }

  /** Stops a pending flush timer (the queue is drained by then in normal use). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.readTimer) clearTimeout(this.readTimer);
    this.timer = null;
    this.readTimer = null;
  }

  /** A read arrived while the drain waits for write places: it leaves after the coalescing window, with its peers. */
  private wakeAfterWindow(): void {
    if (!this.wakeForReads || this.readTimer) return;
    this.readTimer = setTimeout(() => {
      this.readTimer = null;
      this.wakeForReads?.();
    }, this.pacer.coalesceWindowMs);
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
        this.pacer.waitForWrites(Math.min(this.queue.length, MAX_BATCH_REQUESTS), WRITE_GATHER_MS),
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
        if (this.queue.some((pending) => !isWrite(pending.request))) await this.pacer.waitForResourceUnits(1);
        else if (!(await this.waitForWritesOrReads())) continue;
        const release = await this.pacer.acquireSlot();
        const { batch, left, answered } = this.takeBatch();
        if (batch.length === 0) {
          release();
          continue;
        }
        void this.dispatch(batch, left).finally(() => {
          answered();
          release();
        });
      }
    } finally {
      this.draining = false;
    }
  }

  /** Reads first (they cost no write budget), then as many writes as may leave now. */
  private takeBatch(): { batch: Pending[]; left(): void; answered(): void } {
    const reads = this.queue.filter((pending) => !isWrite(pending.request)).slice(0, MAX_BATCH_REQUESTS);
    const writes = this.queue.filter((pending) => isWrite(pending.request));
    const taken = this.pacer.takeRequests(reads.length, Math.min(MAX_BATCH_REQUESTS - reads.length, writes.length));
    const batch = new Set([...reads.slice(0, taken.reads), ...writes.slice(0, taken.writes)]);
    this.queue = this.queue.filter((pending) => !batch.has(pending));
    return { batch: [...batch], left: taken.left, answered: taken.answered };
  }

  /** `left` tells the pacer the writes leave now, after their guards: they count from here. */
  private async dispatch(taken: Pending[], left: () => void): Promise<void> {
    const batch = await this.stillWanted(taken);
    left();
    if (batch.length === 0) return;
    this.stats.httpRequests++;
    this.stats.subRequests += batch.length;
    try {
      const responses = batch.length === 1 ? [await this.sendAlone(batch[0]!.request)] : await this.sendBatch(batch);
      for (const [index, response] of responses.entries()) this.settle(batch[index]!, response);
    } catch (err) {
      const error = ensureAppError(err, 'GRAPH.UNAVAILABLE');
      for (const pending of batch) pending.reject(error);
    }
  }

  /**
   * Asks each write's guard now, after pacing and just before the wire: a write whose plan was
   * replaced while it waited (a pause, a retry) is answered GRAPH.NOT_SENT and never leaves.
   */
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

  private async sendAlone(request: GraphRequest): Promise<GraphResponse> {
    const response = await this.http.send(request);
    this.observe(response);
    this.pacer.chargeResourceUnits(resourceUnits(response) ?? ESTIMATED_UNITS, ESTIMATED_UNITS);
    return response;
  }

  private async sendBatch(batch: Pending[]): Promise<Array<GraphResponse | AppError>> {
    // Each sub-request carries its own client-request-id, so a refused one can be named to support.
    const requests = batch.map(({ request }, index) => ({
      id: String(index + 1),
      method: request.method,
      url: request.url,
      headers: {
        'client-request-id': randomUUID(),
        ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: request.body }),
    }));
    const outer = await this.http.send({ method: 'POST', url: '/$batch', body: { requests } });
    this.observe(outer);
    // The whole batch throttled or unavailable with no sub-responses (429, 503, 504): every
    // sub-request carries that answer back, and what was charged when it left stays charged
    // (Graph's answer says nothing per sub-request). Any answer with sub-responses is read per
    // sub-response, whatever its outer status; the transport refused every other one already.
    const answers = subResponses(outer.body);
    if (outer.status !== 200 && answers.size === 0) return batch.map(() => outer);
    return requests.map(({ id, headers }) => {
      const answer = answers.get(id);
      // A sub-response may carry no ids of its own: it keeps what was sent and the envelope's.
      const response = answer && {
        ...answer,
        headers: {
          'client-request-id': headers['client-request-id'],
          ...(outer.headers['request-id'] ? { 'request-id': outer.headers['request-id'] } : {}),
          ...answer.headers,
        },
      };
      if (!response)
        return new AppError('GRAPH.BAD_RESPONSE', `Graph's $batch answer held no response for sub-request ${id}.`, {
          transient: true,
        });
      this.observe(response);
      this.pacer.chargeResourceUnits(resourceUnits(response) ?? ESTIMATED_UNITS, ESTIMATED_UNITS);
      return response;
    });
  }

  /** Pacing feedback and counters; a 429 pauses every sender before its caller retries. */
  private observe(response: GraphResponse): void {
    if (response.status === 429) {
      // Before the percentage is observed: the hard back-off must win this interval's one decrease.
      this.stats.throttled++;
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      this.pacer.throttled(retryAfterMs, response.headers);
      this.logThrottle(retryAfterMs, response);
    }
    this.pacer.observe(response.headers);
  }

  private settle(pending: Pending, response: GraphResponse | AppError): void {
    if (response instanceof AppError) {
      pending.reject(response);
      return;
    }
    if (isWrite(pending.request) && isSuccess(response.status)) this.stats.writes++;
    pending.resolve(response);
  }

  private logThrottle(retryAfterMs: number | undefined, response: GraphResponse): void {
    const now = Date.now();
    if (now - this.lastThrottleLog < THROTTLE_LOG_INTERVAL_MS) return;
    this.lastThrottleLog = now;
    const state = this.pacer.state();
    this.logger?.log('warn', 'Graph throttled a request (429); every sender pauses and the pace halves.', {
      retryAfterMs: retryAfterMs ?? null,
      requestId: response.headers['request-id'] ?? null,
      clientRequestId: response.headers['client-request-id'] ?? null,
      concurrency: state.concurrency,
      writesPerSecond: Math.round(state.writesPerSecond * 10) / 10,
    });
  }
}

/** What Graph said the request cost, when it said. */
function resourceUnits(response: GraphResponse): number | undefined {
  const header = response.headers['x-ms-resource-unit'];
  const units = header === undefined ? NaN : Number(header);
  return Number.isFinite(units) && units >= 0 ? units : undefined;
}

/** A `$batch` answer's sub-responses by id (Graph may answer them in any order). */
function subResponses(body: unknown): Map<string, GraphResponse> {
  const byId = new Map<string, GraphResponse>();
  const answers = isObject(body) && Array.isArray(body.responses) ? body.responses : [];
  for (const answer of answers) {
    if (!isObject(answer) || typeof answer.status !== 'number') continue;
    byId.set(String(answer.id), {
      status: answer.status,
      headers: lowerCased(answer.headers as Record<string, unknown> | undefined),
      body: answer.body ?? null,
    });
  }
  return byId;
}
