import { afterEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator, type SimUser } from '../../sim/graph/index';
import type { GraphDirectory } from '../../src/graph/graphDirectory';
import { directoryFor, seed } from './directoryHarness';

/** Writes that another app made against the same budgets (the simulator counts them alike). */
async function foreignWrites(sim: GraphSimulator, user: SimUser, count: number): Promise<void> {
  for (let done = 0; done < count; done += 20) {
    const requests = Array.from({ length: Math.min(20, count - done) }, (_, i) => ({
      id: String(i + 1),
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: { 'Content-Type': 'application/json' },
      body: { usageLocation: 'US' },
    }));
    await fetch(`${sim.url}/v1.0/$batch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ requests }) });
  }
}

describe('GraphDirectory pacing against the throttling simulator', () => {
  let sim: GraphSimulator;
  let directory: GraphDirectory;

  afterEach(async () => {
    await directory.close();
    await sim.close();
  });

  // The sustained write rate is a figure of `npm run bench`, not a timed test.

  describe('on a fake clock', () => {
    let now: number;

    async function withBudgetUsed(foreign: number) {
      now = 1_000_000;
      sim = await startGraphSimulator({ throttling: { windowScale: 0.02 }, clock: () => now });
      const user = sim.addUser(seed('600001'));
      await foreignWrites(sim, user, foreign);
      const waits: number[] = [];
      // Waiting moves the simulator's clock, so the budget frees up as it would in real time.
      const sleep = async (ms: number) => {
        waits.push(ms);
        now += ms;
      };
      ({ directory } = directoryFor(sim, { pacing: {}, retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 30_000, sleep } }));
      return { user, waits };
    }

    it('keeps its pace while the percentage header stays below 0.97', async () => {
      const { user } = await withBudgetUsed(54);
      const before = directory.pacing().writesPerSecond;
      expect(await directory.updateUser(user.id, { usageLocation: 'NL' })).toEqual({ status: 'ok' }); // 55/60
      expect(directory.pacing().writesPerSecond).toBe(before);
    });

    it('trims its pace in proportion to the percentage header', async () => {
      const { user } = await withBudgetUsed(59);
      const before = directory.pacing().writesPerSecond;
      expect(await directory.updateUser(user.id, { usageLocation: 'NL' })).toEqual({ status: 'ok' }); // 60/60: header 1.00
      expect(directory.pacing().writesPerSecond).toBeCloseTo(before * 0.95);
      expect(sim.counters().throttled).toBe(0);
    });

    it('waits out a 429 from the budget, pausing and halving, then writes', async () => {
      const { user, waits } = await withBudgetUsed(60);
      const before = directory.pacing().writesPerSecond;
      expect(await directory.updateUser(user.id, { usageLocation: 'NL' })).toEqual({ status: 'ok' });
      expect(sim.requests.filter((r) => r.method === 'PATCH' && !r.inBatch).map((r) => r.status)).toEqual([429, 204]);
      expect(waits[0]).toBe(3_000);
      expect(directory.stats()).toMatchObject({ throttled: 1, writes: 1 });
      expect(directory.pacing().writesPerSecond).toBeLessThanOrEqual(before / 2);
    });
  });
});
