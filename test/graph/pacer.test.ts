import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, Pacer, type PacingOptions } from '../../src/graph/pacer';
import type { ReservedPlace, WriteBudgetSource } from '../../src/graph/writeBudget';
import { seededRandom } from '../../sim/world';

/** A pacer on a fake clock: sleeps and pauses advance the clock instead of waiting. */
function fakePacer(options: Partial<PacingOptions> = {}) {
  let now = 1_000_000;
  const pauses: number[] = [];
  const sleeps: number[] = [];
  const pacer = new Pacer(
    { adjustIntervalMs: 1_000, ...options },
    {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      pause: async (ms) => {
        pauses.push(ms);
        now += ms;
      },
    },
  );
  return {
    pacer,
    pauses,
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const percentage = (value: string) => ({ 'x-ms-throttle-limit-percentage': value });

/** The most sends within any span (t − lengthMs, t], as Graph's sliding windows count. */
function mostWithin(times: readonly number[], lengthMs: number): number {
  let most = 0;
  let tail = 0;
  times.forEach((at, head) => {
    while (times[tail]! <= at - lengthMs) tail++;
    most = Math.max(most, head - tail + 1);
  });
  return most;
}

/**
 * Writes that arrive in random bunches for `seconds`, each bunch leaving as the pacer allows and
 * answered 35 ms later. Returns when each was answered: Graph counted it at the latest then.
 */
async function sendWrites(options: Partial<PacingOptions>, seconds: number): Promise<number[]> {
  const { pacer, now, advance } = fakePacer(options);
  const times: number[] = [];
  const end = now() + seconds * 1000;
  const random = seededRandom(7);
  while (now() < end) {
    await pacer.waitForWrite();
    const taken = pacer.takeRequests(0, 1 + Math.floor(random() * 20));
    advance(35);
    taken.answered();
    for (let i = 0; i < taken.writes; i++) times.push(now());
    advance(Math.floor(random() * 20));
  }
  return times;
}

describe('Pacer write window', () => {
  it('lets the full rate leave in the first second, and not one write more', () => {
    const { pacer } = fakePacer();
    expect(pacer.takeRequests(0, 25).writes).toBe(20);
    expect(pacer.takeRequests(0, 1).writes).toBe(0);
  });

  it('never lets more than 20 writes count within any second, and keeps above 95 % of that rate', async () => {
    const times = await sendWrites({}, 60);
    expect(mostWithin(times, 1_000)).toBeLessThanOrEqual(20);
    const rate = (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000);
    expect(rate).toBeGreaterThanOrEqual(19);
    expect(rate).toBeLessThanOrEqual(20);
  });

  // GRAPH_MAX_WRITES_PER_SECOND: Bicep gives each instance 20 / maximumInstanceCount.
  it.each([10, 6, 6.5])('holds a configured per-instance cap of %d writes a second the same way', async (cap) => {
    const times = await sendWrites({ maxWritesPerSecond: cap }, 60);
    expect(mostWithin(times, 1_000)).toBeLessThanOrEqual(Math.floor(cap));
    const rate = (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000);
    expect(rate).toBeLessThanOrEqual(cap);
    expect(rate).toBeGreaterThanOrEqual(Math.floor(cap) * 0.9);
  });

  it('waits for the next write until a second has passed since Graph answered the oldest', async () => {
    const { pacer, sleeps, advance } = fakePacer();
    const taken = pacer.takeRequests(0, 20);
    advance(40);
    taken.answered();
    await pacer.waitForWrite();
    expect(40 + sleeps.reduce((a, b) => a + b, 0)).toBe(1_040);
    expect(pacer.takeRequests(0, 20).writes).toBe(20);
  });

  /**
   * A pacer whose write places free at the given offsets (ms) from the returned start, as
   * [count, offset] pairs; its clock stands at start + 1,000 ms.
   */
  async function placesFreeing(frees: ReadonlyArray<readonly [number, number]>) {
    const paced = fakePacer();
    let at = 0;
    for (const [count, offset] of frees) {
      paced.advance(offset - 1_000 - at);
      at = offset - 1_000;
      const taken = paced.pacer.takeRequests(0, count);
      await taken.left();
      taken.answered();
    }
    paced.advance(1_000 - at);
    return { ...paced, start: paced.now() - 1_000 };
  }

  it('with a backlog, sends the places free now rather than leave them idle until the rest of a batch frees', async () => {
    // 8 places free at +1,000 ms, 11 at +1,150 and 1 (a lent place, say) at +1,970.
    const { pacer, now, start } = await placesFreeing([
      [8, 1_000],
      [11, 1_150],
      [1, 1_970],
    ]);
    await pacer.waitForWrites(20, 1_000);
    expect(now() - start).toBe(1_000);
    expect(pacer.takeRequests(0, 20).writes).toBe(8);
  });

  it('sends a wave of fewer writes than a batch once half of it fits, with the places free soon after: one request', async () => {
    // A sweep's 16 jobs: 4 places free at +1,000 ms, 12 at +1,500, 4 at +1,970.
    const { pacer, now, start } = await placesFreeing([
      [4, 1_000],
      [12, 1_500],
      [4, 1_970],
    ]);
    await pacer.waitForWrites(16, 1_000);
    // Not at +1,000 with 4 (then 12: a request more), not at +1,970 with the last late place.
    expect(now() - start).toBe(1_500);
    expect(pacer.takeRequests(0, 16).writes).toBe(16);
  });

  it('counts an unanswered write for at most writeAnswerBoundMs', async () => {
    const { pacer, sleeps } = fakePacer({ writeAnswerBoundMs: 100 });
    await pacer.takeRequests(0, 20).left();
    await pacer.waitForWrite();
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(1_100);
  });

  /**
   * Jobs that always have writes queued; each write's guard takes `guardMs` after the take, the
   * request travels 0–5 ms to Graph (which counts it there) and the answer 30 ms back (the
   * simulator's latency). Returns
   * when Graph counted each write.
   */
  async function sustainedWrites(guardMs: number, seconds: number): Promise<number[]> {
    const { pacer, now, advance } = fakePacer();
    const counted: number[] = [];
    const end = now() + seconds * 1000;
    const random = seededRandom(11);
    while (now() < end) {
      await pacer.waitForWrites(20, 1_000);
      const taken = pacer.takeRequests(0, 20);
      if (taken.writes === 0) continue;
      advance(guardMs);
      await taken.left();
      const roundTrip = pacer.timeWriteRoundTrip();
      const there = Math.floor(random() * 6);
      advance(there);
      for (let i = 0; i < taken.writes; i++) counted.push(now());
      advance(30);
      roundTrip();
      taken.answered();
    }
    return counted;
  }

  it('keeps 20 writes in every second while the jobs supply them, guards and answers included', async () => {
    const counted = await sustainedWrites(100, 60);
    expect(mostWithin(counted, 1_000)).toBeLessThanOrEqual(20);
    const rate = (counted.length - 20) / ((counted.at(-1)! - counted[0]!) / 1000);
    // 20 writes per second and what a round trip takes beyond the answer's way back: ≥ 98 %.
    expect(rate).toBeGreaterThanOrEqual(19.6);
    expect(rate).toBeLessThanOrEqual(20);
  });

  it('counts every write of a $batch, beside its reads', () => {
    const { pacer } = fakePacer();
    expect(pacer.takeRequests(5, 15)).toMatchObject({ reads: 5, writes: 15 });
    expect(pacer.takeRequests(0, 10).writes).toBe(5);
  });
});

describe('Pacer resource units', () => {
  it('starts within the smallest tenant budget: 95 % of 3,500 per 10 s', async () => {
    const { pacer, advance } = fakePacer();
    expect(pacer.state().resourceUnitBudget).toBe(3_500);
    let reads = 0;
    for (let tick = 0; tick < 100; tick++) {
      reads += pacer.takeRequests(100, 0).reads;
      advance(100);
    }
    expect(reads).toBe(3_325);
  });

  it('waits while the budget is spent, until the oldest charge leaves the window', async () => {
    const { pacer, sleeps } = fakePacer();
    pacer.takeRequests(3_325, 0);
    (await pacer.acquireSlot())();
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(10_250);
  });

  it('charges what Graph says a request cost beyond the estimate', () => {
    const { pacer } = fakePacer();
    pacer.takeRequests(1_000, 0);
    pacer.chargeResourceUnits(1_500, 1_000);
    expect(pacer.takeRequests(3_000, 0).reads).toBe(3_325 - 1_500);
  });

  /** `units` requests answered in the last seconds, each with `headers`. */
  function spend(pacer: Pacer, advance: (ms: number) => void, units: number, headers: Record<string, string> = {}) {
    for (let i = 0; i < units; i += 100) {
      const { reads } = pacer.takeRequests(100, 0);
      for (let r = 0; r < reads; r++) {
        pacer.observe(headers);
        pacer.chargeResourceUnits(1, 1);
      }
      advance(50);
    }
  }

  it('moves to a bigger budget once answers without the header prove the tenant has one', () => {
    const { pacer, advance } = fakePacer();
    spend(pacer, advance, 2_900);
    expect(pacer.state().resourceUnitBudget).toBe(5_000);
  });

  it('stays within the smallest budget while the header says it is nearly full', () => {
    const { pacer, advance } = fakePacer();
    spend(pacer, advance, 3_300, percentage('0.94'));
    expect(pacer.state().resourceUnitBudget).toBe(3_500);
  });

  it('falls back after a 429 for resource units, keeps its write pace, and learns no higher again', () => {
    const { pacer, advance } = fakePacer();
    spend(pacer, advance, 2_900);
    advance(10_000);
    spend(pacer, advance, 4_500);
    expect(pacer.state().resourceUnitBudget).toBe(8_000);
    spend(pacer, advance, 800);
    pacer.throttled(1_000, { 'x-ms-throttle-information': 'ResourceUnitLimitExceeded' });
    expect(pacer.state()).toMatchObject({ resourceUnitBudget: 5_000, writesPerSecond: 20 });
    advance(10_000);
    spend(pacer, advance, 4_700);
    expect(pacer.state().resourceUnitBudget).toBe(5_000);
  });
});

describe('Pacer feedback', () => {
  it('keeps the full rate while the header reads no more than a full budget (its own share)', () => {
    const { pacer, advance } = fakePacer();
    for (const value of ['0.97', '1.00', '0.99']) {
      pacer.observe(percentage(value));
      advance(1_001);
    }
    expect(pacer.state().writesPerSecond).toBe(20);
  });

  it('shrinks in proportion when the budget is overdrawn', () => {
    const { pacer } = fakePacer();
    pacer.observe(percentage('1.20'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(20 * (0.97 / 1.2));
  });

  it('shrinks at most once per interval', () => {
    const { pacer } = fakePacer();
    pacer.observe(percentage('1.20'));
    pacer.observe(percentage('1.50'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(20 * (0.97 / 1.2));
  });

  it('cuts once per rise: a window that still reports the level it acted on does not cut again', () => {
    const { pacer, advance } = fakePacer();
    pacer.observe(percentage('1.05'));
    const cut = pacer.state().writesPerSecond;
    for (let i = 0; i < 5; i++) {
      advance(1_001);
      pacer.observe(percentage('1.05'));
    }
    expect(pacer.state().writesPerSecond).toBeCloseTo(cut);
    advance(1_001);
    pacer.observe(percentage('1.10'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(cut * (0.97 / 1.1));
  });

  it('after a 429, does not cut further on the header of the draining window', () => {
    const { pacer, advance } = fakePacer();
    pacer.throttled(undefined, { 'x-ms-throttle-information': 'WriteLimitExceeded' });
    const halved = pacer.state().writesPerSecond;
    for (let i = 0; i < 5; i++) {
      advance(1_001);
      pacer.observe(percentage('1.05'));
    }
    expect(pacer.state().writesPerSecond).toBeCloseTo(halved);
  });

  it('after a 429, grows fast only back to 85 % of the pace that overshot, then by 1 % steps', () => {
    const { pacer, advance } = fakePacer();
    pacer.throttled(undefined);
    const rates: number[] = [];
    for (let i = 0; i < 10; i++) {
      advance(1_001);
      pacer.observe({});
      rates.push(Math.round(pacer.state().writesPerSecond * 100) / 100);
    }
    expect(rates).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 17.2, 17.4]);
  });

  it('halves on a 429 for writes and pauses every sender for the Retry-After', async () => {
    const { pacer, pauses } = fakePacer({ initialConcurrency: 4 });
    pacer.throttled(2_000, { 'x-ms-throttle-scope': 'Tenant_Application/Write/app/tenant' });
    expect(pacer.state()).toMatchObject({ writesPerSecond: 10, concurrency: 2, resourceUnitBudget: 3_500 });
    expect(pacer.takeRequests(0, 20).writes).toBe(10);
    const release = await pacer.acquireSlot();
    release();
    expect(pauses).toEqual([2_000]);
  });
});

describe("Pacer and a Retry-After past Graph's longest window", () => {
  it('waits out at most 150 s, however long the answer asks for', async () => {
    const { pacer, pauses } = fakePacer({ initialConcurrency: 4 });
    pacer.throttled(3_600_000);
    const release = await pacer.acquireSlot();
    release();
    expect(pauses).toEqual([MAX_RETRY_AFTER_MS]);
    expect(MAX_RETRY_AFTER_MS).toBe(150_000);
  });
});

describe('Pacer slots', () => {
  it('lets no more requests in flight than the concurrency', async () => {
    const { pacer } = fakePacer({ initialConcurrency: 2 });
    const first = await pacer.acquireSlot();
    await pacer.acquireSlot();
    let third = false;
    const waiting = pacer.acquireSlot().then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    first();
    await waiting;
    expect(third).toBe(true);
  });
});

describe('Pacer with the deployment’s shared write turn', () => {
  /** A turn this process holds until `termEndsAt`. */
  function heldTurn(termEndsAt: number) {
    const budget: WriteBudgetSource = {
      writesAllowed: (now) => (now < termEndsAt - 500 ? Number.POSITIVE_INFINITY : 0),
      took: () => undefined,
      mayLeave: (now) => now < termEndsAt,
      acquire: async () => undefined,
      wanted: () => undefined,
      takeInherited: () => [],
      attach: () => undefined,
      attachLender: () => undefined,
    };
    return { budget };
  }

  it('lends a resync elsewhere the next free place: its own writes take the ones after it, and it counts until settled', async () => {
    let now = 1_000_000;
    let reserve: ((at: number) => ReservedPlace) | null = null;
    const budget: WriteBudgetSource = {
      ...heldTurn(now + 60_000).budget,
      attachLender: (lender) => {
        reserve = lender;
      },
    };
    const pacer = new Pacer({}, { now: () => now }, budget);
    const own = pacer.takeRequests(0, 20);
    expect(own.writes).toBe(20);
    await own.left();
    own.answered();
    // The window is full: the place held for the loan is the first to free, a second later.
    const place = reserve!(now);
    expect(place.freeAt).toBe(now + 1_000);
    now += 1_000;
    const next = pacer.takeRequests(0, 20);
    expect(next.writes).toBe(19);
    await next.left();
    next.answered();
    // The loan was stored: the place counts for 2 s more; the 19 own writes stop counting after 1 s.
    place.settle(now + 2_000);
    now += 1_100;
    const after = pacer.takeRequests(0, 20);
    expect(after.writes).toBe(19);
    await after.left();
    after.answered();
    now += 2_000;
    expect(pacer.takeRequests(0, 20).writes).toBe(20);
  });

  it('while it gathers a batch of writes it tells the turn it wants to write, so the turn is not handed on as idle', async () => {
    let now = 1_000_000;
    const wantedUntil: number[] = [];
    const budget: WriteBudgetSource = {
      ...heldTurn(now + 60_000).budget,
      wanted: (until) => wantedUntil.push(until),
    };
    const pacer = new Pacer(
      {},
      {
        now: () => now,
        sleep: async (ms) => {
          now += ms;
        },
      },
      budget,
    );
    // 20 writes left 100 ms apart in fives: their places free over the next 300 ms.
    for (let i = 0; i < 4; i++) {
      const taken = pacer.takeRequests(0, 5);
      await taken.left();
      taken.answered();
      now += 100;
    }
    now += 600;
    wantedUntil.length = 0;
    const startedAt = now;
    await pacer.waitForWrites(20, 1_000);
    expect(now).toBeGreaterThan(startedAt);
    // Each look during the gather said until when it wants to write: never left idle behind.
    expect(wantedUntil.length).toBeGreaterThan(1);
    expect(Math.max(...wantedUntil)).toBeGreaterThanOrEqual(now - 5);
  });

  it('takes no batch beside one whose guards are still running, however long they take', async () => {
    let now = 1_000_000;
    const { budget } = heldTurn(now + 60_000);
    const pacer = new Pacer({}, { now: () => now }, budget);
    const slow = pacer.takeRequests(0, 20);
    expect(slow.writes).toBe(20);
    // Its guards read a loaded storage for 1.5 s: it has not left, and may any moment.
    now += 1_500;
    expect(pacer.takeRequests(0, 20).writes).toBe(0);
    await slow.left();
    slow.answered();
    now += 1_100;
    expect(pacer.takeRequests(0, 20).writes).toBe(20);
  });

  it('sends no write whose guard outlasted the turn: another process may count the turn as lapsed', async () => {
    let now = 1_000_000;
    const { budget } = heldTurn(now + 2_000);
    const pacer = new Pacer({}, { now: () => now }, budget);
    const taken = pacer.takeRequests(0, 20);
    expect(taken.writes).toBe(20);
    now += 2_500; // the guards took 2.5 s
    await expect(taken.left()).rejects.toMatchObject({ code: 'GRAPH.UNAVAILABLE' });
  });
});
