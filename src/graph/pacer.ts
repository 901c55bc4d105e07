/**
 * Paces requests to Graph's identity limits so that Graph never has to refuse one.
 *
 * Why this shape: Graph documents its budgets (writes: 3,000 per 150 s per app per tenant, 20/s;
 * resource units: 3,500 / 5,000 / 8,000 per 10 s for tenants under 50, 50–500 and over 500
 * users) and counts them over sliding windows whose length a client cannot rely on. A client that
 * never exceeds the documented rate over any span loses nothing on any window; one that bursts
 * above it (a token bucket, full after a quiet second, drained on top of the running rate) gets a
 * 429 from a short window, halves, and loses more than the burst won. So:
 * - Writes: at most N = rate within any second, each `$batch` sub-request on its own, a write
 *   counting from when it leaves until Graph has answered it, less the fastest recent round trip
 *   (Graph counts it somewhere in between; see writeWindow.ts). At 20/s that is 20 per (1 s + what
 *   a round trip takes beyond the fastest) from the first second on: the full rate at once, and
 *   never 21 writes within a second at Graph. Writes are taken a guard's time before their place
 *   frees, so their guards (a storage read each) do not come on top of the window's turn.
 * - Resource units: 1 per request when it leaves (what every request of this app costs with
 *   `$select`), corrected by `x-ms-resource-unit`, within 95 % of the tenant's budget per 10 s:
 *   the smallest until Graph's answers show a bigger one (see resourceUnitBudget.ts).
 * - Feedback: at the documented rate our own writes fill a short window up to 100 %, so the
 *   header mostly reads our own share and is no reason to slow down. Only a share above 100 % (the
 *   budget overdrawn: another app, or Graph under load) cuts, in proportion, once per rise. A 429
 *   pauses every sender for its Retry-After (the budget is per app per tenant: the next request
 *   from anyone would be refused too) and halves what it names (writes, or resource units).
 *   After a cut the pace grows back, fast up to 85 % of the pace that overshot, then by 1 % a
 *   second while the header shows room.
 * - The number of requests in flight follows the same steps (more slots after calm seconds).
 *
 * - Shared: with a write budget source (writeBudget.ts), writes leave only while this process
 *   holds the deployment's write turn, counted on top of the previous holder's last writes, and
 *   no write leaves after the turn's term ended.
 *
 * How a transport uses it, per request or `$batch`: `acquireSlot()`; `takeRequests(reads, writes)`
 * for what may leave now; the guards; the take's `left()` (waits for the writes' place); send,
 * `timeWriteRoundTrip()` around a request that carries writes; per answer and sub-answer `observe`, `throttled` on a 429, and
 * `chargeResourceUnits(actual, estimated)`; then the take's `answered()` and the slot's release.
 */
import { AppError } from '../core/errors';
import { sleep as timerSleep } from '../core/retry';
import type { ReadShareSource } from './readBudget';
import { RESOURCE_UNIT_WINDOW_MS, ResourceUnitBudget } from './resourceUnitBudget';
import type { WriteBudgetSource } from './writeBudget';
import { type WriteTicket, WriteWindow } from './writeWindow';

export interface PacingOptions {
  /** HTTP requests in flight at the start. */
  initialConcurrency: number;
  minConcurrency: number;
  maxConcurrency: number;
  /** Ceiling on writes per second (Graph: 3,000 per 150 s per app per tenant, less the headroom left to others). */
  maxWritesPerSecond: number;
  /** The largest resource-unit budget per second the pacer may learn (Graph: 8,000 per 10 s). */
  maxResourceUnitsPerSecond: number;
  /** Writes one take may hand out at once (a `$batch` holds 20). */
  writeBurst: number;
  /**
   * How long lookups and writes wait to be coalesced into one `$batch` (a full batch leaves at
   * once). Jobs that start together reach Graph spread over tens of milliseconds (each reads its
   * ledger entry first); 100 ms gathers them, where 5 ms sent one request per two or three workers.
   */
  coalesceWindowMs: number;
  /** The controller steps at most once per interval. */
  adjustIntervalMs: number;
  /** A write counts from when it leaves until Graph answers it, but at most this long after it left. */
  writeAnswerBoundMs: number;
  /** The resource-unit budgets per 10 s a tenant may have, smallest first; the pacer starts within the first. */
  resourceUnitBudgets: readonly number[];
  /** This process's share of the deployment's resource-unit budget (readBudget.ts); without one, all of it. */
  readShare?: ReadShareSource;
}

export const DEFAULT_PACING: PacingOptions = {
  initialConcurrency: 8,
  minConcurrency: 1,
  maxConcurrency: 16,
  maxWritesPerSecond: 20,
  maxResourceUnitsPerSecond: 800,
  writeBurst: 20,
  coalesceWindowMs: 100,
  adjustIntervalMs: 1000,
  writeAnswerBoundMs: 250,
  resourceUnitBudgets: [3_500, 5_000, 8_000],
};

/** Shares of a budget (the percentage header) and of the ceiling that steer the controller; see above. */
export const CONTROL = {
  startScale: 1,
  maxScale: 1,
  minScale: 0.05,
  /** Growth after a cut continues while the header stays below this (the budget has room). */
  slowGrowthBelow: 1,
  /** Above a full budget someone else is spending it too. */
  shrinkFrom: 1.01,
  settleAt: 0.97,
  fastStep: 0.05,
  slowStep: 0.01,
} as const;

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
  /** The tenant's resource-unit budget per 10 s as learned so far. */
  resourceUnitBudget?: number;
}

/** Places that free within this long of the first free one leave as one batch (see waitForWrites). */
const GATHER_SLACK_MS = 100;
/** How often a write waiting on outstanding answers looks again. */
const ANSWER_POLL_MS = 5;
/** The longest Retry-After the pacer waits out: Graph's longest throttling window (150 s for writes). */
export const MAX_RETRY_AFTER_MS = 150_000;

type Limited = 'writes' | 'resourceUnits' | 'unknown';

export class Pacer {
  private readonly options: PacingOptions;
  private readonly clock: PacerClock;
  private concurrency: number;
  private scale: number = CONTROL.startScale;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly writes: WriteWindow;
  private readonly resourceUnits: ResourceUnitBudget;
  private pausedUntil = 0;
  private intervalStart: number;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private lastHalving = Number.NEGATIVE_INFINITY;
  private lastBudgetCut = Number.NEGATIVE_INFINITY;
  /** The percentage the last cut acted on; reset once an interval stays below `shrinkFrom`. */
  private actedOnPercentage = 0;
  /** Below this scale, calm intervals grow it fast; above, slowly. Lowered by every decrease. */
  private fastGrowthUpTo: number = CONTROL.maxScale;
  private interval = { responses: 0, maxPercentage: 0, pressured: false };

  /** @param budget the deployment's shared write budget; without one this process holds the whole ceiling */
  constructor(
    options: Partial<PacingOptions> = {},
    clock: Partial<PacerClock> = {},
    private readonly budget?: WriteBudgetSource,
  ) {
    this.options = { ...DEFAULT_PACING, ...options };
    const now = clock.now ?? Date.now;
    this.clock = { now, sleep: clock.sleep ?? timerSleep, pause: clock.pause ?? timerSleep };
    this.concurrency = clamp(this.options.initialConcurrency, this.options.minConcurrency, this.options.maxConcurrency);
    this.writes = new WriteWindow(Math.max(0, this.options.writeAnswerBoundMs));
    this.resourceUnits = new ResourceUnitBudget(
      this.options.resourceUnitBudgets,
      this.options.maxResourceUnitsPerSecond * (RESOURCE_UNIT_WINDOW_MS / 1000),
      this.options.readShare,
    );
    this.intervalStart = now();
    budget?.attach((at) => this.writes.stillCounting(this.writeWindow().windowMs, at));
    budget?.attachLender((at) => {
      const { count, windowMs } = this.writeWindow();
      return this.writes.reserve(at, this.writes.fitsAt(1, count, windowMs, at));
    });
  }

  get coalesceWindowMs(): number {
    return this.options.coalesceWindowMs;
  }

  state(): PacerState {
    return {
      concurrency: Math.floor(this.concurrency),
      inFlight: this.inFlight,
      writesPerSecond: this.writeRate(),
      resourceUnitsPerSecond: this.resourceUnits.limit / (RESOURCE_UNIT_WINDOW_MS / 1000),
      pausedUntil: this.pausedUntil,
      resourceUnitBudget: this.resourceUnits.budget,
    };
  }

  /** Waits until no pause is on, a resource unit is free and a slot is free. */
  async acquireSlot(): Promise<() => void> {
    for (;;) {
      await this.waitOutPause();
      await this.waitForResourceUnits(1);
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

  /**
   * How many of `reads` and `writes` may leave now (never waits), charged as they leave: one
   * resource unit each, and each write against the write window. Call `left()` when the request
   * really leaves and `answered()` once Graph's answer (or a failure) is in: until then, and at
   * most `writeAnswerBoundMs` after it left, the writes count.
   */
  takeRequests(
    reads: number,
    writes: number,
  ): { reads: number; writes: number; left(): Promise<void>; answered(): void } {
    const now = this.clock.now();
    const allowed = this.writesAllowed(now);
    const unitRoom = this.resourceUnits.room(now);
    const readsTaken = clamp(Math.floor(reads), 0, unitRoom);
    const { count, windowMs } = this.writeWindow();
    // Places that free within the lead are taken now: the writes' guards run while they free.
    const writeRoom = Math.min(
      this.options.writeBurst,
      count - this.writes.inWindow(windowMs, now + this.writes.leadMs()),
      unitRoom - readsTaken,
    );
    const writesTaken = clamp(Math.floor(writes), 0, Math.max(0, Math.min(writeRoom, allowed)));
    const leavesAt = writesTaken > 0 ? this.writes.fitsAt(writesTaken, count, windowMs, now) : now;
    const ticket: WriteTicket = this.writes.take(writesTaken, now, leavesAt);
    if (writesTaken > 0) this.budget?.took(writesTaken, now);
    if (writes > 0) this.budget?.wanted(now);
    this.resourceUnits.spend(readsTaken + writesTaken, now);
    return {
      reads: readsTaken,
      writes: writesTaken,
      left: async () => {
        this.writes.guarded(ticket, this.clock.now());
        const wait = ticket.sentAt - this.clock.now();
        if (wait > 0) await this.clock.sleep(Math.ceil(wait));
        // Guards slower than the rest of the term (storage under load): another process may have
        // taken the turn as lapsed, and does not count these writes.
        if (writesTaken > 0 && this.budget && !this.budget.mayLeave(this.clock.now())) throw turnEnded();
        this.writes.left(ticket, this.clock.now());
      },
      answered: () => this.writes.answered(ticket, this.clock.now()),
    };
  }

  /** A request carrying writes leaves now; call the result when its answer is in (see writeWindow.ts: what of it counts). */
  timeWriteRoundTrip(): () => void {
    const started = this.clock.now();
    return () => this.writes.roundTrip(this.clock.now() - started);
  }

  /**
   * Waits until `wanted` writes may leave together, or at most `maxWaitMs` once one may, so that
   * writes fill one `$batch` rather than one request each. The batch leaves once part of it fits,
   * with every place that frees within GATHER_SLACK_MS after that, not waiting for the late ones:
   * waiting a second for the last place (one lent to a resync, or one the last holder of a shared
   * turn handed over late) left 19 free places idle that second. With a whole batch queued (a
   * backlog) a quarter of it is enough: a new holder of a shared turn with 9 places free and the
   * rest a second away left 9 idle for that second. With fewer (a sweep's wave of 16 jobs) it
   * waits for half, so that they leave in full batches: 4 then 12 was one request too many, and
   * the wave ends no later.
   */
  async waitForWrites(wanted: number, maxWaitMs: number): Promise<void> {
    await this.waitForWrite();
    const deadline = this.clock.now() + maxWaitMs;
    for (;;) {
      const now = this.clock.now();
      const { count, windowMs } = this.writeWindow();
      const full = clamp(wanted, 1, Math.min(count, this.options.writeBurst));
      const fitTimes = this.writes.fitTimes(full, count, windowMs, now);
      const enough = Math.ceil(wanted >= this.options.writeBurst ? full / 4 : full / 2);
      let batch = full;
      while (batch > enough && fitTimes[batch - 1]! > fitTimes[enough - 1]! + GATHER_SLACK_MS) batch--;
      const at = fitTimes[batch - 1]! - this.writes.leadMs();
      if (at <= now || now >= deadline) return;
      // Gathering a batch is wanting to write: a shared turn is not handed on as idle meanwhile.
      this.budget?.wanted(Math.min(at, deadline));
      await this.clock.sleep(this.writeWait(Math.min(at, deadline), now));
    }
  }

  /** Waits until at least one write may leave. */
  async waitForWrite(): Promise<void> {
    for (;;) {
      if (this.writesAllowed(this.clock.now()) === 0) {
        await this.budget!.acquire();
        continue;
      }
      const now = this.clock.now();
      const { count, windowMs } = this.writeWindow();
      const at = Math.max(
        this.writes.fitsAt(1, count, windowMs, now) - this.writes.leadMs(),
        this.resourceUnits.fitsAt(1, now),
      );
      this.budget?.wanted(at);
      if (at <= now) return;
      await this.clock.sleep(this.writeWait(at, now));
    }
  }

  /** Waits until `units` resource units fit in the budget. */
  async waitForResourceUnits(units: number): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const at = this.resourceUnits.fitsAt(units, now);
      if (at <= now) return;
      await this.clock.sleep(Math.max(1, Math.ceil(at - now)));
    }
  }

  /** Feedback from every response and sub-response: how close the budgets are. */
  observe(headers: Record<string, string>): void {
    this.adjust();
    this.interval.responses++;
    const percentage = Number(headers['x-ms-throttle-limit-percentage']);
    const reported = Number.isFinite(percentage) && percentage > 0;
    if (reported) {
      this.interval.maxPercentage = Math.max(this.interval.maxPercentage, percentage);
      if (percentage >= CONTROL.shrinkFrom && percentage > this.actedOnPercentage) this.decrease(percentage);
    }
    this.resourceUnits.learn(reported ? percentage : undefined, this.clock.now());
  }

  /**
   * Records what Graph said a request cost (`x-ms-resource-unit`), after the fact; `estimated` is
   * what `takeRequests` already charged for it (1 per request), so only the difference is added.
   */
  chargeResourceUnits(units: number, estimated = 0): void {
    this.resourceUnits.confirm(units, estimated, this.clock.now());
  }

  /**
   * A 429: everyone waits out the Retry-After, and what it names is cut once per interval: the
   * write pace halves, or the resource-unit budget falls to what was in use. Without a name, both.
   */
  throttled(retryAfterMs: number | undefined, headers: Record<string, string> = {}): void {
    this.adjust();
    const now = this.clock.now();
    // Graph's longest window is 150 s: a longer Retry-After (a proxy's, or a bug's) is not waited out in full.
    if (retryAfterMs !== undefined)
      this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    this.interval.pressured = true;
    const limited = limitNamed(headers);
    if (limited !== 'writes' && now - this.lastBudgetCut >= this.options.adjustIntervalMs) {
      this.lastBudgetCut = now;
      this.resourceUnits.cut(now);
    }
    if (limited === 'resourceUnits' || now - this.lastHalving < this.options.adjustIntervalMs) return;
    this.lastHalving = now;
    this.lastDecrease = now;
    // The budget was full: the window's header stays high while it drains, and that is no news.
    this.actedOnPercentage = Math.max(this.actedOnPercentage, 1.8);
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
      this.scale = Math.min(step === CONTROL.fastStep ? this.fastGrowthUpTo : CONTROL.maxScale, this.scale + step);
      this.resourceUnits.grow(CONTROL.fastStep);
      const before = Math.floor(this.concurrency);
      this.concurrency = Math.min(
        this.options.maxConcurrency,
        this.concurrency + (step === CONTROL.fastStep ? 1 : 0.25),
      );
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

  /** Until `at`, but while answers are outstanding one may free a place sooner: look again soon. */
  private writeWait(at: number, now: number): number {
    const wait = Math.max(1, Math.ceil(at - now));
    return this.writes.awaitsAnswers(now) ? Math.min(wait, ANSWER_POLL_MS) : wait;
  }

  /**
   * Without a shared budget, any number; with one, any number while this process holds the turn
   * (the last holder's writes counted first), one in a place lent to it, else none.
   */
  private writesAllowed(now: number): number {
    if (!this.budget) return Number.POSITIVE_INFINITY;
    for (const { count, countedUntil } of this.budget.takeInherited()) this.writes.inherit(count, countedUntil);
    return this.budget.writesAllowed(now);
  }

  private writeRate(): number {
    return this.options.maxWritesPerSecond * this.scale;
  }

  /**
   * N writes per second, N the rate rounded down; below one a second, one per
   * 1 / rate seconds. A fractional rate rounds down so that no 1-s span holds more than it.
   */
  private writeWindow(): { count: number; windowMs: number } {
    const rate = this.writeRate();
    const count = Math.max(1, Math.floor(rate + 1e-9));
    return { count, windowMs: Math.max(1000, 1000 / rate) };
  }
}

function turnEnded(): AppError {
  return new AppError(
    'GRAPH.UNAVAILABLE',
    "The deployment's write turn ended before these writes could leave (their guards took too long); not sent, retried.",
    { transient: true },
  );
}

/** Which budget a 429 names (`x-ms-throttle-information`, else the scope's limit segment). */
function limitNamed(headers: Record<string, string>): Limited {
  const information = headers['x-ms-throttle-information'] ?? '';
  if (/WriteLimitExceeded/i.test(information)) return 'writes';
  if (/ResourceUnitLimitExceeded/i.test(information)) return 'resourceUnits';
  const limit = (headers['x-ms-throttle-scope'] ?? '').split('/')[1]?.toLowerCase();
  if (limit === 'write') return 'writes';
  if (limit === 'readwrite' || limit === 'read') return 'resourceUnits';
  return 'unknown';
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
