/**
 * When employeeId lookups leave (src/graph/employeeIdLookups.ts): a lone lookup soon, a full
 * `$batch` at once, and the ids a drain received ahead looked up together for the jobs that ask
 * later, each answer used once and only while fresh.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../sim/graph/index';
import { FRESH_MS } from '../../src/graph/employeeIdLookups';
import { directoryFor, seed, type Harness } from './directoryHarness';

const idsFrom = (first: number, count: number) => Array.from({ length: count }, (_, i) => String(first + i));

describe('GraphDirectory: when lookups leave', () => {
  let sim: GraphSimulator;
  let h: Harness | undefined;
  beforeEach(async () => {
    sim = await startGraphSimulator();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.directory.close();
    await sim.close();
  });

  it('sends a lone lookup (a resync) after a short quiet spell, not after the whole coalescing window', async () => {
    h = directoryFor(sim, { pacing: { coalesceWindowMs: 2_000 } });
    sim.addUser(seed('100001'));
    const started = Date.now();
    await h.directory.findUsersByEmployeeId('100001');
    expect(sim.requests).toHaveLength(1);
    // Quiet for 40 ms, then it leaves: well before the 2-s window (with room for a loaded machine).
    expect(sim.requests[0]!.at - started).toBeLessThan(1_000);
  });

  it('still gathers ids that keep coming within the window into one request', async () => {
    h = directoryFor(sim, { pacing: { coalesceWindowMs: 2_000 } });
    const ids = idsFrom(200_000, 30);
    const asked: Array<Promise<unknown>> = [];
    for (const id of ids) {
      asked.push(h.directory.findUsersByEmployeeId(id));
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await Promise.all(asked);
    // One request of two filters; a loaded machine may stall a gap past the quiet spell once or twice.
    expect(sim.counters().httpRequests).toBeLessThanOrEqual(3);
    expect(sim.counters().subRequests).toBeLessThanOrEqual(4);
  });

  it('sends 300 waiting ids at once: a full $batch does not wait out the window', async () => {
    h = directoryFor(sim, { pacing: { coalesceWindowMs: 20_000 } });
    const ids = idsFrom(300_000, 300);
    for (const id of ids) sim.addUser(seed(id));
    const started = Date.now();
    const found = await Promise.all(ids.map((id) => h!.directory.findUsersByEmployeeId(id)));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(found.every((users) => users.length === 1)).toBe(true);
    expect(sim.counters()).toMatchObject({ httpRequests: 1, subRequests: 20 });
  });

  it('answers 300 jobs asking one small group after another with the one request their look-ahead made', async () => {
    h = directoryFor(sim, { pacing: { coalesceWindowMs: 20 } });
    const ids = idsFrom(400_000, 300);
    const users = new Map(ids.map((id) => [id, sim.addUser(seed(id)).id]));
    h.directory.lookAhead?.(ids);
    // Sixteen jobs at a time, each wave after the last one's lookups were answered.
    for (let start = 0; start < ids.length; start += 16) {
      const wave = ids.slice(start, start + 16);
      const found = await Promise.all(wave.map((id) => h!.directory.findUsersByEmployeeId(id)));
      expect(found.map((list) => list.map((user) => user.id))).toEqual(wave.map((id) => [users.get(id)]));
    }
    expect(sim.counters()).toMatchObject({ httpRequests: 1, subRequests: 20 });
  });

  it('uses a looked-ahead answer once: the next lookup of that worker asks Graph again', async () => {
    h = directoryFor(sim);
    sim.addUser(seed('100001'));
    h.directory.lookAhead?.(['100001']);
    expect(await h.directory.findUsersByEmployeeId('100001')).toHaveLength(1);
    const second = sim.addUser(seed('100001'));
    const again = await h.directory.findUsersByEmployeeId('100001');
    expect(again.map((user) => user.id)).toContain(second.id);
    expect(sim.counters().httpRequests).toBe(2);
  });

  it('never gives a job a looked-ahead answer older than FRESH_MS: it sees the user created since', async () => {
    h = directoryFor(sim);
    h.directory.lookAhead?.(['100002']);
    const live = () => sim.requests.filter((r) => r.path === '/users').length;
    await vi.waitFor(() => expect(live()).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const created = sim.addUser(seed('100002'));
    const now = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => now + FRESH_MS + 1_000);
    const found = await h.directory.findUsersByEmployeeId('100002');
    expect(found.map((user) => user.id)).toEqual([created.id]);
    expect(live()).toBe(2);
  });
});

describe('GraphDirectory: soft-deleted lookups', () => {
  let sim: GraphSimulator;
  let h: Harness;
  afterEach(async () => {
    await h.directory.close();
    await sim.close();
  });

  it('looks up ahead, 15 ids per filter, the workers a look-ahead found no user for', async () => {
    sim = await startGraphSimulator({ deletedItemsFilter: 'supported' });
    h = directoryFor(sim);
    const ids = idsFrom(500_000, 30);
    const gone = sim.addUser(seed(ids[7]!));
    sim.softDeleteUser(gone.id);
    h.directory.lookAhead?.(ids);
    const deleted = () => sim.requests.filter((r) => r.path.startsWith('/directory/deletedItems'));
    await vi.waitFor(() => expect(deleted()).toHaveLength(2));
    const answers = await Promise.all(ids.map((id) => h.directory.findDeletedUsersByEmployeeId(id)));
    expect(answers[7]).toEqual({ supported: true, users: [expect.objectContaining({ id: gone.id })] });
    expect(answers.filter((a) => a.supported && a.users.length === 0)).toHaveLength(29);
    expect(deleted()).toHaveLength(2);
    expect(deleted().every((r) => r.query.$filter?.startsWith('employeeId in ('))).toBe(true);
    expect(sim.counters().httpRequests).toBe(2);
  });
});
