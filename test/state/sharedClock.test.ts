import { describe, expect, it } from 'vitest';
import { createSharedClock } from '../../src/state/sharedClock';

/** A storage service whose time is `serverMs`, answering after `rttMs`, with a Date truncated to the second. */
function service(state: { local: number; server: number; rttMs: number; asked: number }) {
  return async () => {
    state.asked += 1;
    state.local += state.rttMs / 2;
    state.server += state.rttMs / 2;
    const date = new Date(Math.floor(state.server / 1000) * 1000);
    state.local += state.rttMs / 2;
    state.server += state.rttMs / 2;
    return date;
  };
}

describe('createSharedClock', () => {
  it("runs on the storage service's time, within about a second, whatever this process's clock says", async () => {
    for (const skew of [-4200, -900, 0, 700, 4300]) {
      const state = { local: 1_000_000_000_000 + skew, server: 1_000_000_000_000, rttMs: 40, asked: 0 };
      const clock = createSharedClock(service(state), { local: () => state.local });
      await clock.sync?.();
      expect(state.server - clock.now().getTime()).toBeGreaterThanOrEqual(0);
      expect(state.server - clock.now().getTime()).toBeLessThanOrEqual(1000 + state.rttMs);
    }
  });

  it("is never ahead of the storage service's time, wherever in its second the Date header was cut", async () => {
    // A read pinned ahead of Workday's time would move the watermark past it (the instances round found one).
    for (let phase = 0; phase < 1000; phase += 37) {
      for (const skew of [-900, 0, 900]) {
        const state = {
          local: 1_000_000_000_000 + phase + skew,
          server: 1_000_000_000_000 + phase,
          rttMs: 4,
          asked: 0,
        };
        const clock = createSharedClock(service(state), { local: () => state.local });
        await clock.sync?.();
        expect(clock.now().getTime()).toBeLessThanOrEqual(state.server);
      }
    }
  });

  it('refuses with CONFIG.CLOCK_SKEW, naming the skew and its direction, beyond five seconds', async () => {
    const state = { local: 1_000_000_000_000 + 7_200_000, server: 1_000_000_000_000, rttMs: 20, asked: 0 };
    const clock = createSharedClock(service(state), { local: () => state.local });
    await expect(clock.sync?.()).rejects.toMatchObject({
      code: 'CONFIG.CLOCK_SKEW',
      message: expect.stringMatching(/clock is 7(199|200)\.\d s ahead of the storage service's time/),
    });
  });

  it('measures once per ten minutes, not once per job', async () => {
    const state = { local: 1_000_000_000_000, server: 1_000_000_000_000, rttMs: 10, asked: 0 };
    const clock = createSharedClock(service(state), { local: () => state.local });
    for (let i = 0; i < 50; i++) {
      await clock.sync?.();
      state.local += 1000;
      state.server += 1000;
    }
    expect(state.asked).toBe(1);
    state.local += 10 * 60_000;
    state.server += 10 * 60_000;
    await clock.sync?.();
    expect(state.asked).toBe(2);
  });

  it('keeps the last offset when the service gave no Date', async () => {
    const clock = createSharedClock(async () => undefined, { local: () => 5_000 });
    await clock.sync?.();
    expect(clock.now().getTime()).toBe(5_000);
  });
});

describe('createSharedClock under a slow answer', () => {
  it('does not refuse a right clock because the storage answered slowly', async () => {
    const state = { local: 1_000_000_000_000, server: 1_000_000_000_000, rttMs: 14_000, asked: 0 };
    const clock = createSharedClock(service(state), { local: () => state.local });
    await expect(clock.sync?.()).resolves.toBeUndefined();
  });
});
