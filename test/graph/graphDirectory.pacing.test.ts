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
    await fetch(`${sim.url}/v1.0/$batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ requests }),
    });
  }
}

function mostWithinOneSecond(times: readonly number[]): number {
  let most = 0;
  let tail = 0;
  times.forEach((at, head) => {
    while (times[tail]! <= at - 1_000) tail++;
    most = Math.max(most, head - tail + 1);
  });
  return most;
}

describe('GraphDirectory pacing against the throttling simulator', () => {
  let sim: GraphSimulator;
  let directory: GraphDirectory;

  afterEach(async () => {
    await directory.close();
    await sim.close();
  });

  // The sustained write rate is a figure of `npm run bench`, not a timed test.

  it('sends no more than 20 writes within any second, even after a quiet spell', async () => {
    // A 15-s write window punishes any second above 20 writes (issue 12); a token bucket let a
    // full burst of 20 follow a quiet second on top of the running rate.
    sim = await startGraphSimulator({ throttling: { writeWindowSeconds: 15 } });
    const users = Array.from({ length: 45 }, (_, i) => sim.addUser(seed(`7000${String(i).padStart(2, '0')}`)));
    ({ directory } = directoryFor(sim, { pacing: { coalesceWindowMs: 5 } }));
    await Promise.all(users.slice(0, 5).map((user) => directory.updateUser(user.id, { usageLocation: 'NL' })));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Twenty at once, then twenty more trickling in (as jobs finish their lookups).
    const write = (user: SimUser) => directory.updateUser(user.id, { usageLocation: 'DE' });
    const trickle = users.slice(25).map(async (user, i) => {
      await new Promise((resolve) => setTimeout(resolve, 50 * (i + 1)));
      return write(user);
    });
    await Promise.all([...users.slice(5, 25).map(write), ...trickle]);
    const writes = sim.requests.filter((r) => r.method === 'PATCH').map((r) => r.at);
    expect(writes).toHaveLength(45);
    expect(mostWithinOneSecond(writes)).toBeLessThanOrEqual(20);
    expect(sim.counters().throttled).toBe(0);
  });

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
      ({ directory } = directoryFor(sim, {
        pacing: {},
        retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 30_000, sleep },
      }));
      return { user, waits };
    }

    it('keeps its pace while the percentage header stays below 1', async () => {
      const { user } = await withBudgetUsed(54);
      const before = directory.pacing().writesPerSecond;
      expect(await directory.updateUser(user.id, { usageLocation: 'NL' })).toEqual({ status: 'ok' }); // 55/60
      expect(directory.pacing().writesPerSecond).toBe(before);
    });

    it('keeps its full pace when the header reads a full window: at the documented rate that is its own share', async () => {
      const { user } = await withBudgetUsed(59);
      const before = directory.pacing().writesPerSecond;
      expect(await directory.updateUser(user.id, { usageLocation: 'NL' })).toEqual({ status: 'ok' }); // 60/60: header 1.00
      expect(directory.pacing().writesPerSecond).toBe(before);
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
