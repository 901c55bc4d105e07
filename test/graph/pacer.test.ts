import { describe, expect, it } from 'vitest';
import { Pacer, type PacingOptions } from '../../src/graph/pacer';

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
  return { pacer, pauses, sleeps, advance: (ms: number) => void (now += ms), now: () => now };
}

const percentage = (value: string) => ({ 'x-ms-throttle-limit-percentage': value });

describe('Pacer write budget', () => {
  it('starts at 95 % of the write ceiling', () => {
    expect(fakePacer().pacer.state().writesPerSecond).toBeCloseTo(19);
  });

  it('lets one write go at once, then refills at the paced rate up to the burst', () => {
    const { pacer, advance } = fakePacer({ writeBurst: 5 });
    expect(pacer.takeWrites(5)).toBe(1);
    expect(pacer.takeWrites(5)).toBe(0);
    advance(1_000);
    expect(pacer.takeWrites(20)).toBe(5);
  });

  it('waits for the next token for as long as the rate says', async () => {
    const { pacer, sleeps } = fakePacer({ maxWritesPerSecond: 10 });
    pacer.takeWrites(1);
    await pacer.waitForWrite();
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(Math.ceil(1_000 / 9.5));
  });
});

describe('Pacer feedback', () => {
  it('holds its pace while the percentage header stays in the steady band', () => {
    const { pacer, advance } = fakePacer();
    pacer.observe(percentage('0.95'));
    advance(1_001);
    pacer.observe(percentage('0.95'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(19);
  });

  it('shrinks in proportion to how high the percentage is', () => {
    const { pacer } = fakePacer();
    pacer.observe(percentage('1.20'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(19 * (0.95 / 1.2));
  });

  it('shrinks at most once per interval', () => {
    const { pacer } = fakePacer();
    pacer.observe(percentage('1.20'));
    pacer.observe(percentage('1.50'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(19 * (0.95 / 1.2));
  });

  it('cuts once per rise: a window that still reports the level it acted on does not cut again', () => {
    const { pacer, advance } = fakePacer();
    pacer.observe(percentage('0.98'));
    const cut = pacer.state().writesPerSecond;
    for (let i = 0; i < 5; i++) {
      advance(1_001);
      pacer.observe(percentage('0.98'));
    }
    expect(pacer.state().writesPerSecond).toBeCloseTo(cut);
    advance(1_001);
    pacer.observe(percentage('1.00'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(cut * (0.95 / 1.0));
  });

  it('cuts again on the same level once an interval has come back below 0.97', () => {
    const { pacer, advance } = fakePacer();
    pacer.observe(percentage('0.98'));
    const cut = pacer.state().writesPerSecond;
    advance(1_001);
    pacer.observe(percentage('0.95'));
    advance(1_001);
    pacer.observe(percentage('0.98'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(cut * (0.95 / 0.98));
  });

  it('after a 429, does not cut further on the header of the draining window', () => {
    const { pacer, advance } = fakePacer();
    pacer.throttled(undefined);
    const halved = pacer.state().writesPerSecond;
    for (let i = 0; i < 5; i++) {
      advance(1_001);
      pacer.observe(percentage('0.99'));
    }
    expect(pacer.state().writesPerSecond).toBeCloseTo(halved);
  });

  it('grows after calm intervals, but never past 97 % of the ceiling', () => {
    const { pacer, advance } = fakePacer();
    for (let i = 0; i < 5; i++) {
      advance(1_001);
      pacer.observe({});
    }
    expect(pacer.state().writesPerSecond).toBeCloseTo(19.4);
  });

  it('grows only slowly while the header shows 0.8–0.93', () => {
    const { pacer, advance } = fakePacer();
    pacer.observe(percentage('0.85'));
    advance(1_001);
    pacer.observe(percentage('0.85'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(19.2);
  });

  it('after a proportional decrease, grows back only by 1 % steps, while the header shows room', () => {
    const { pacer, advance } = fakePacer();
    pacer.observe(percentage('1.20'));
    const shrunk = pacer.state().writesPerSecond;
    advance(1_001);
    pacer.observe(percentage('0.95'));
    advance(1_001);
    pacer.observe(percentage('0.90'));
    expect(pacer.state().writesPerSecond).toBeCloseTo(shrunk);
    advance(1_001);
    pacer.observe({});
    expect(pacer.state().writesPerSecond).toBeCloseTo(shrunk + 0.2);
    advance(1_001);
    pacer.observe({});
    expect(pacer.state().writesPerSecond).toBeCloseTo(shrunk + 0.4);
  });

  it('after a 429, grows fast only back to 85 % of the pace that overshot', () => {
    const { pacer, advance } = fakePacer();
    pacer.throttled(undefined);
    const rates: number[] = [];
    for (let i = 0; i < 10; i++) {
      advance(1_001);
      pacer.observe({});
      rates.push(Math.round(pacer.state().writesPerSecond * 100) / 100);
    }
    expect(rates).toEqual([9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.15, 16.35, 16.55]);
  });

  it('halves on a 429 and pauses every sender for the Retry-After', async () => {
    const { pacer, pauses } = fakePacer({ initialConcurrency: 4 });
    pacer.throttled(2_000);
    expect(pacer.state().writesPerSecond).toBeCloseTo(9.5);
    expect(pacer.state().concurrency).toBe(2);
    const release = await pacer.acquireSlot();
    release();
    expect(pauses).toEqual([2_000]);
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

  it('waits while the resource-unit budget is in debt', async () => {
    const { pacer, sleeps } = fakePacer({ maxResourceUnitsPerSecond: 100 });
    pacer.chargeResourceUnits(95 + 190);
    (await pacer.acquireSlot())();
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(2_000);
  });
});
