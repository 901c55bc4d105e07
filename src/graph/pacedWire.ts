/**
 * The pacing step of the Graph path: admits each HTTP exchange through the Pacer (a slot in
 * flight, resource units, write places), sends it through the wire client, alone or as one
 * `$batch`, and feeds every answer and sub-answer back to the Pacer: Graph throttles each
 * sub-request on its own, so each one's headers count. A 429 pauses every sender before its
 * caller retries. The counters of `Directory.stats()` are kept here, where the exchanges are.
 */
import { AppError } from '../core/errors';
import type { DirectoryStats, Logger } from '../core/ports';
import { parseRetryAfter } from '../core/retry';
import { fromBatch, toBatch } from './batchEnvelope';
import { type GraphRequest, type GraphResponse, isSuccess, isWrite } from './graphResponse';
import type { Pacer } from './pacer';
import type { WireClient } from './wireClient';

const THROTTLE_LOG_INTERVAL_MS = 10_000;
/** What the Pacer charges a request when it leaves: every request this app makes costs 1 with `$select`. */
const ESTIMATED_UNITS = 1;

/** A place in flight: `take` says how many of the queued reads and writes may leave in it now. */
export interface Slot {
  take(reads: number, writes: number): { reads: number; writes: number };
  /** After their guards: waits until the writes taken may leave (their place free), and they count from here. */
  left(): Promise<void>;
  /** Graph's answer is in: the writes' count ends from here (called by `done` if not before). */
  answered(): void;
  /** Once Graph has answered (or the exchange failed): frees the place, ends the writes' count. */
  done(): void;
}

export class PacedWire {
  readonly stats: DirectoryStats = { httpRequests: 0, subRequests: 0, throttled: 0, writes: 0 };
  private lastThrottleLog = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly wire: WireClient,
    private readonly pacer: Pacer,
    private readonly logger?: Logger,
  ) {}

  /** Until a read may leave (a resource unit is free). */
  waitForRead(): Promise<void> {
    return this.pacer.waitForResourceUnits(1);
  }

  /** Until `wanted` writes may leave, or at most `maxWaitMs` once one may. */
  waitForWrites(wanted: number, maxWaitMs: number): Promise<void> {
    return this.pacer.waitForWrites(wanted, maxWaitMs);
  }

  /** Waits out any pause and for a free place in flight. */
  async slot(): Promise<Slot> {
    const release = await this.pacer.acquireSlot();
    let left = async () => {};
    let answered = () => {};
    return {
      take: (reads, writes) => {
        const taken = this.pacer.takeRequests(reads, writes);
        left = taken.left;
        answered = taken.answered;
        return taken;
      },
      left: () => left(),
      answered: () => answered(),
      done: () => {
        answered();
        release();
      },
    };
  }

  /** One exchange: a lone request as it is, 2–20 as one `$batch`; an answer per request, in order. */
  async send(requests: readonly GraphRequest[]): Promise<Array<GraphResponse | AppError>> {
    this.stats.httpRequests++;
    this.stats.subRequests += requests.length;
    // A failure without an answer is no round trip: only an answer is timed.
    const answered = requests.some(isWrite) ? this.pacer.timeWriteRoundTrip() : null;
    if (requests.length === 1) {
      const answer = await this.wire.send(requests[0]!);
      answered?.();
      this.learn(requests[0]!, answer);
      return [answer];
    }
    const { request, sent } = toBatch(requests);
    const outer = await this.wire.send(request);
    answered?.();
    const answers = fromBatch(outer, sent);
    this.observe(outer);
    // A whole-batch 429 or 503 comes back as each one's answer: what was charged when it left stays charged.
    for (const [index, answer] of answers.entries())
      if (answer !== outer && !(answer instanceof AppError)) this.learn(requests[index]!, answer);
    return answers;
  }

  /** One request's answer: what it cost, how near the budgets are, and whether a write landed. */
  private learn(request: GraphRequest, answer: GraphResponse): void {
    this.observe(answer);
    this.pacer.chargeResourceUnits(resourceUnits(answer) ?? ESTIMATED_UNITS, ESTIMATED_UNITS);
    if (isWrite(request) && isSuccess(answer.status)) this.stats.writes++;
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
