/**
 * Paces requests to Graph's identity limits instead of bursting into 429s.
 *
 * Why this shape: Graph tells us how close we are (`x-ms-throttle-limit-percentage`, sent from
 * 0.8 of a budget up to 1.8) before it refuses (429 + Retry-After), and documents the budgets
 * (writes 3,000 per 150 s = 20/s; 8,000 resource units per 10 s). So:
 * - Writes and resource units go through token buckets whose rates are `scale` × the documented
 *   ceilings. A bucket (not a fixed delay) spreads writes evenly and lets a quiet spell be
 *   followed by a small burst without exceeding the average; a `$batch` of k writes takes k tokens.
 * - `scale` and the number of requests in flight follow AIMD, as TCP does. Graph's budgets are
 *   sliding windows, so in a steady state the header reads our own share of the budget: 0.95
 *   means 19 writes/s of 20. A steady 90–97 % is the goal, not a warning, so:
 *     no header                → grow by 5 % of the ceiling per interval;
 *     header below 0.93        → grow by 1 % (the header appears from 0.8: keep closing in slowly);
 *     0.93 to 0.97             → hold;
 *     0.97 and above           → shrink in proportion to how high it is (× 0.95 / percentage);
 *     429                      → halve, and pause every sender for the Retry-After.
 *   One decrease per adjustment interval, so twenty sub-responses saying the same thing count once.
 *   And one decrease per rise: the header reports the whole window, which still remembers the old
 *   pace for a window's length after a cut, so until an interval comes back below 0.97 only a
 *   higher percentage than the one already acted on cuts again (after a 429: none below 100 %).
 *   Without this, one crossing of 0.97 ratcheted the pace down every second for a whole window.
 *   A sliding window reports a rise late, so after a decrease growth is cautious (TCP's slow-start
 *   threshold): past the pace that already overshot (85 % of it after a 429), only 1 % steps, and
 *   only while the header shows room (below 0.93, or absent). Graph sends the header from 0.8 on, so
 *   waiting for no header at all would pin the pace near 80 % for good after a single 429.
 * - The scale starts at 0.95 and never passes 0.97: the last few percent of a documented budget
 *   are where a burst or a clock difference turns into a 429, and they buy almost nothing.
 * - A 429's Retry-After pauses every sender, not just the request that got it: the budget is
 *   per app per tenant, so the next request from anyone would be refused too.
 */
import { sleep as timerSleep } from '../http/retry';

export interface PacingOptions {
  /** HTTP requests in flight at the start. */
  initialConcurrency: number;
  minConcurrency: number;
  maxConcurrency: number;
  /** Ceiling on writes per second (Graph: 3,000 per 150 s per app per tenant). */
  maxWritesPerSecond: number;
  /** Ceiling on resource units per second (Graph: 8,000 per 10 s for tenants over 500 users). */
  maxResourceUnitsPerSecond: number;
  /** Writes that may leave at once after a quiet spell. */
  writeBurst: number;
  /**
   * How long lookups and writes wait to be coalesced into one `$batch` (a full batch leaves at
   * once). Jobs that start together reach Graph spread over tens of milliseconds (each reads its
   * ledger entry first); 100 ms gathers them, where 5 ms sent one request per two or three workers.
   */
  coalesceWindowMs: number;
  /** The controller steps at most once per interval. */
  adjustIntervalMs: number;
}

export const DEFAULT_PACING: PacingOptions = {
  initialConcurrency: 4,
  minConcurrency: 1,
  maxConcurrency: 16,
  maxWritesPerSecond: 20,
  maxResourceUnitsPerSecond: 800,
  writeBurst: 20,
  coalesceWindowMs: 100,
  adjustIntervalMs: 1000,
};

/** Shares of a budget (the percentage header) that steer the controller; see above. */
export const CONTROL = {
  startScale: 0.95,
  maxScale: 0.97,
  minScale: 0.05,
  slowGrowthBelow: 0.93,
  shrinkFrom: 0.97,
  settleAt: 0.95,
  fastStep: 0.05,
  slowStep: 0.01,
} as const;

/** Float dust from refills must not keep a waiter asleep. */
const EPSILON = 1e-9;

export interface PacerClock {
  now(): number;
  /** Waits for a token or a slot (real time in production). */
  sleep(ms: number): Promise<void>;
  /** Waits out a Retry-After pause (tests stub it). */
  pause(ms: number): Promise<void>;
}

export interface PacerState {
  concurrency: number;
  inFlight: number;
  writesPerSecond: number;
  resourceUnitsPerSecond: number;
  pausedUntil: number;
}

export class Pacer {
  private readonly options: PacingOptions;
  private readonly clock: PacerClock;
  private concurrency: number;
  private scale: number = CONTROL.startScale;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private writeTokens = 1;
  private resourceUnits: number;
  private lastRefill: number;
  private pausedUntil = 0;
  private intervalStart: number;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private lastHalving = Number.NEGATIVE_INFINITY;
  /** The percentage the last cut acted on; reset once an interval stays below `shrinkFrom`. */
  private actedOnPercentage = 0;
  /** Below this scale, calm intervals grow it fast; above, slowly. Lowered by every decrease. */
  private fastGrowthUpTo: number = CONTROL.maxScale;
  private interval = { responses: 0, maxPercentage: 0, pressured: false };

  constructor(options: Partial<PacingOptions> = {}, clock: Partial<PacerClock> = {}) {
    this.options = { ...DEFAULT_PACING, ...options };
    const now = clock.now ?? Date.now;
    this.clock = { now, sleep: clock.sleep ?? timerSleep, pause: clock.pause ?? timerSleep };
    this.concurrency = clamp(this.options.initialConcurrency, this.options.minConcurrency, this.options.maxConcurrency);
    this.resourceUnits = this.options.maxResourceUnitsPerSecond;
    this.lastRefill = now();
    this.intervalStart = now();
  }

  get coalesceWindowMs(): number {
    return this.options.coalesceWindowMs;
  }

  state(): PacerState {
    return {
      concurrency: Math.floor(this.concurrency),
      inFlight: this.inFlight,
      writesPerSecond: this.writeRate(),
      resourceUnitsPerSecond: this.resourceUnitRate(),
      pausedUntil: this.pausedUntil,
    };
  }

  /** Waits until no pause is on, the resource-unit budget is not in debt and a slot is free. */
  async acquireSlot(): Promise<() => void> {
    for (;;) {
      await this.waitOutPause();
      this.refill();
      if (this.resourceUnits < -EPSILON) {
        await this.clock.sleep(Math.ceil((-this.resourceUnits / this.resourceUnitRate()) * 1000));
        continue;
      }
      if (this.inFlight < Math.floor(this.concurrency)) break;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.waiting.shift()?.();
    };
  }

  /** Takes up to `wanted` write tokens that are available now (never waits). */
  takeWrites(wanted: number): number {
    this.refill();
    const taken = Math.max(0, Math.min(wanted, Math.floor(this.writeTokens + EPSILON)));
    this.writeTokens -= taken;
    return taken;
  }

  /**
   * Waits until `wanted` write tokens are available, or at most `maxWaitMs` once one is: writes
   * that trickle in at the paced rate then leave as one `$batch` instead of one request each.
   */
  async waitForWrites(wanted: number, maxWaitMs: number): Promise<void> {
    const deadline = this.clock.now() + maxWaitMs;
    await this.waitForWrite();
    for (;;) {
      this.refill();
      const missing = wanted - this.writeTokens;
      const left = deadline - this.clock.now();
      if (missing <= EPSILON || left <= 0) return;
      await this.clock.sleep(Math.max(1, Math.min(left, Math.ceil((missing / this.writeRate()) * 1000))));
    }
  }

  /** Waits until at least one write token is available. */
  async waitForWrite(): Promise<void> {
    this.refill();
    while (this.writeTokens < 1 - EPSILON) {
      await this.clock.sleep(Math.ceil(((1 - this.writeTokens) / this.writeRate()) * 1000));
      this.refill();
    }
  }

  /** Feedback from every response and sub-response: cost and how close the budget is. */
  observe(headers: Record<string, string>): void {
    this.adjust();
    this.interval.responses++;
    const percentage = Number(headers['x-ms-throttle-limit-percentage']);
    if (Number.isFinite(percentage) && percentage > 0) {
      this.interval.maxPercentage = Math.max(this.interval.maxPercentage, percentage);
      if (percentage >= CONTROL.shrinkFrom && percentage > this.actedOnPercentage) this.decrease(percentage);
    }
  }

  /** Charges what Graph said a request cost (`x-ms-resource-unit`), after the fact. */
  chargeResourceUnits(units: number): void {
    this.refill();
    this.resourceUnits -= units;
  }

  /** A 429: everyone waits out the Retry-After, and the rates halve (once per interval). */
  throttled(retryAfterMs: number | undefined): void {
    this.adjust();
    const now = this.clock.now();
    if (retryAfterMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    this.interval.pressured = true;
    if (now - this.lastHalving < this.options.adjustIntervalMs) return;
    this.lastHalving = now;
    this.lastDecrease = now;
    // The budget was full: the window's header stays high while it drains, and that is no news.
    this.actedOnPercentage = Math.max(this.actedOnPercentage, 1);
    // Like TCP's slow-start threshold: growth back towards the pace that overshot is slow.
    this.fastGrowthUpTo = this.scale * 0.85;
    this.scaleBy(0.5);
  }

  /** A decrease in proportion to the percentage, at most once per interval. */
  private decrease(percentage: number): void {
    const now = this.clock.now();
    this.interval.pressured = true;
    if (now - this.lastDecrease < this.options.adjustIntervalMs) return;
    this.lastDecrease = now;
    this.actedOnPercentage = percentage;
    this.scaleBy(CONTROL.settleAt / percentage);
    this.fastGrowthUpTo = Math.min(this.fastGrowthUpTo, this.scale);
  }

  private scaleBy(factor: number): void {
    this.refill();
    const bounded = clamp(factor, 0.5, 1);
    this.scale = Math.max(CONTROL.minScale, this.scale * bounded);
    this.concurrency = clamp(this.concurrency * bounded, this.options.minConcurrency, this.options.maxConcurrency);
  }

  /** Additive increase at most once per interval, by how far from the budget Graph says we are. */
  private adjust(): void {
    const now = this.clock.now();
    if (now - this.intervalStart < this.options.adjustIntervalMs) return;
    const { responses, maxPercentage, pressured } = this.interval;
    if (responses > 0 && maxPercentage < CONTROL.shrinkFrom) this.actedOnPercentage = 0;
    const step = this.growthStep(maxPercentage);
    if (responses > 0 && !pressured && step > 0) {
      this.refill();
      this.scale = Math.min(step === CONTROL.fastStep ? this.fastGrowthUpTo : CONTROL.maxScale, this.scale + step);
      const before = Math.floor(this.concurrency);
      this.concurrency = Math.min(this.options.maxConcurrency, this.concurrency + (step === CONTROL.fastStep ? 1 : 0.25));
      for (let i = before; i < Math.floor(this.concurrency); i++) this.waiting.shift()?.();
    }
    this.intervalStart = now;
    this.interval = { responses: 0, maxPercentage: 0, pressured: false };
  }

  /**
   * Fast below the pace of the last decrease while Graph sends no header; otherwise slowly, while
   * the header shows room: a sliding window reports a rise late, so past the pace that already
   * overshot once we add 1 % at a time and let the budget answer before adding more.
   */
  private growthStep(percentage: number): number {
    if (percentage === 0 && this.scale < this.fastGrowthUpTo) return CONTROL.fastStep;
    return percentage < CONTROL.slowGrowthBelow ? CONTROL.slowStep : 0;
  }

  private async waitOutPause(): Promise<void> {
    // Wait once per distinct pause: a stubbed pause (tests) must not spin on the real clock.
    let waitedFor = 0;
    while (this.pausedUntil > this.clock.now() && this.pausedUntil !== waitedFor) {
      waitedFor = this.pausedUntil;
      await this.clock.pause(waitedFor - this.clock.now());
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const seconds = Math.max(0, now - this.lastRefill) / 1000;
    this.lastRefill = now;
    this.writeTokens = Math.min(Math.max(1, this.options.writeBurst), this.writeTokens + seconds * this.writeRate());
    this.resourceUnits = Math.min(this.resourceUnitRate(), this.resourceUnits + seconds * this.resourceUnitRate());
  }

  private writeRate(): number {
    return this.options.maxWritesPerSecond * this.scale;
  }

  private resourceUnitRate(): number {
    return this.options.maxResourceUnitsPerSecond * this.scale;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
