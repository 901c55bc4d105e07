import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../sim/graph/index';
import { createGraphDirectory } from '../../src/graph/graphDirectory';
import { directoryFor, seed, useSimulatedDirectory, type Harness } from './directoryHarness';

describe('GraphDirectory retries', () => {
  let sim: GraphSimulator;
  let h: Harness;
  useSimulatedDirectory((s, harness) => {
    sim = s;
    h = harness;
  });

  it('honours Retry-After on a throttled plain request', async () => {
    const user = sim.addUser(seed('100001'));
    sim.injectFaults({ status: 429, count: 1, retryAfterSeconds: 3 });
    expect((await h.directory.findUsersByEmployeeId('100001')).map((u) => u.id)).toEqual([user.id]);
    expect(h.waits[0]).toBe(3_000);
    expect(h.directory.stats()).toMatchObject({ httpRequests: 2, throttled: 1 });
  });

  it('pauses every sender after a 429, and halves the pace', async () => {
    const user = sim.addUser(seed('100001'));
    sim.injectFaults({ status: 429, count: 1, retryAfterSeconds: 3, match: (_method, path) => path === '/users' });
    const before = h.directory.pacing().writesPerSecond;
    await h.directory.findUsersByEmployeeId('100001');
    h.waits.length = 0;
    // The stubbed sleeps take no time, so the pause is still on when this unthrottled write leaves.
    expect(await h.directory.updateUser(user.id, { usageLocation: 'NL' })).toEqual({ status: 'ok' });
    expect(h.waits).toEqual([expect.toSatisfy((ms: number) => ms > 2_500 && ms <= 3_000)]);
    expect(sim.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([204]);
    expect(h.directory.pacing().writesPerSecond).toBeCloseTo(before / 2);
  });

  it('retries only the throttled sub-request of a batch', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => `T${i}`);
    for (const id of ids) sim.addUser(seed(id));
    let first = true;
    sim.injectFaults({
      status: 429,
      count: 1,
      retryAfterSeconds: 1,
      match: (_method, path) => {
        if (path !== '/users' || !first) return false;
        first = false;
        return true;
      },
    });
    const found = await h.directory.findUsersByEmployeeIds(ids);
    expect([...found.values()].every((list) => list.length === 1)).toBe(true);
    const lookups = sim.requests.filter((r) => r.path === '/users');
    expect(lookups.map((r) => [r.inBatch, r.status])).toEqual([
      [true, 429],
      [true, 200],
      [true, 200],
      [false, 200],
    ]);
    expect(lookups[3]!.query.$filter).toBe(lookups[0]!.query.$filter);
    expect(h.directory.stats()).toMatchObject({ httpRequests: 2, subRequests: 4, throttled: 1 });
  });

  it('retries every sub-request when the whole $batch is throttled', async () => {
    for (let i = 0; i < 20; i++) sim.addUser(seed(`B${i}`));
    sim.injectFaults({ status: 429, count: 1, retryAfterSeconds: 1, match: (_method, path) => path === '/$batch' });
    const found = await h.directory.findUsersByEmployeeIds(Array.from({ length: 20 }, (_, i) => `B${i}`));
    expect([...found.values()].every((list) => list.length === 1)).toBe(true);
    expect(sim.counters().httpRequests).toBe(2);
  });

  it('retries a 503 and succeeds', async () => {
    const user = sim.addUser(seed('100001'));
    sim.injectFaults({ status: 503, count: 1 });
    expect(await h.directory.updateUser(user.id, { usageLocation: 'FR' })).toEqual({ status: 'ok' });
    expect(h.waits).toHaveLength(1);
    expect(sim.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([503, 204]);
  });

  it('gives up with a transient GRAPH.UNAVAILABLE when 503 outlasts the retry budget', async () => {
    const user = sim.addUser(seed('100001'));
    sim.injectFaults({ status: 503, count: 100 });
    await expect(h.directory.updateUser(user.id, { usageLocation: 'FR' })).rejects.toMatchObject({
      code: 'GRAPH.UNAVAILABLE',
      transient: true,
      status: 503,
    });
    expect(sim.counters().subRequests).toBe(4);
  });

  it('treats 504 as transient too', async () => {
    sim.addUser(seed('100001'));
    sim.injectFaults({ status: 504, count: 2 });
    expect(await h.directory.findUsersByEmployeeId('100001')).toHaveLength(1);
  });

  it('does not retry a 500', async () => {
    sim.injectFaults({ status: 500, count: 1 });
    await expect(h.directory.findUsersByEmployeeId('100001')).rejects.toMatchObject({
      code: 'GRAPH.BAD_RESPONSE',
      transient: false,
    });
    expect(sim.counters().httpRequests).toBe(1);
  });

  it('retries a network failure', async () => {
    sim.addUser(seed('100001'));
    let failures = 1;
    const flaky: typeof fetch = (input, init) =>
      failures-- > 0 ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);
    await h.directory.close();
    h = directoryFor(sim, { fetchImpl: flaky });
    expect(await h.directory.findUsersByEmployeeId('100001')).toHaveLength(1);
    expect(h.waits).toHaveLength(1);
  });
});

describe('GraphDirectory authentication', () => {
  it("refuses auth 'none' against a host that is not loopback", () => {
    expect(() => createGraphDirectory({ baseUrl: 'https://graph.microsoft.com', auth: 'none' })).toThrow(
      expect.objectContaining({ code: 'CONFIG.INVALID_SETTING' }),
    );
  });

  it('refuses a base URL with a version segment', () => {
    expect(() => createGraphDirectory({ baseUrl: 'http://127.0.0.1:1/v1.0', auth: 'none' })).toThrow(
      expect.objectContaining({ code: 'CONFIG.INVALID_SETTING' }),
    );
  });

  it("sends a bearer token for the base URL's .default scope with auth 'azure'", async () => {
    const sim = await startGraphSimulator({ requireAuthorization: true });
    const scopes: string[] = [];
    const credential: TokenCredential = {
      async getToken(scope): Promise<AccessToken> {
        scopes.push(String(scope));
        return { token: 'sim-token', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    sim.addUser(seed('100001'));
    const { directory } = directoryFor(sim, { auth: 'azure', credential });
    expect(await directory.findUsersByEmployeeId('100001')).toHaveLength(1);
    expect(await directory.findUsersByEmployeeId('100001')).toHaveLength(1);
    expect(scopes).toEqual([`${sim.url}/.default`]);
    await directory.close();
    await sim.close();
  });
});

describe('GraphDirectory write guards', () => {
  let sim: GraphSimulator;
  let h: Harness;
  useSimulatedDirectory((s, harness) => {
    sim = s;
    h = harness;
  });

  it('sends nothing when the guard says no at the wire', async () => {
    const user = sim.addUser(seed('100001'));
    expect(await h.directory.updateUser(user.id, { usageLocation: 'NL' }, async () => false)).toEqual({
      status: 'notSent',
    });
    expect(sim.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    expect(sim.getUser(user.id)?.usageLocation).not.toBe('NL');
  });

  it('asks the guard again before a retry: a write replaced during a 503 pause is not sent again', async () => {
    const user = sim.addUser(seed('100001'));
    sim.injectFaults({ status: 503, count: 1, retryAfterSeconds: 3, match: (method) => method === 'PATCH' });
    const asked: boolean[] = [];
    const guard = async () => {
      // A newer plan is recorded while the first attempt waits out Retry-After.
      const current = asked.length === 0;
      asked.push(current);
      return current;
    };
    expect(await h.directory.updateUser(user.id, { usageLocation: 'NL' }, guard)).toEqual({ status: 'notSent' });
    expect(asked).toEqual([true, false]);
    expect(sim.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([503]);
  });

  it('guards each write of a $batch on its own', async () => {
    const users = Array.from({ length: 6 }, (_, i) => sim.addUser(seed(String(500_000 + i))));
    const results = await Promise.all(
      users.map((user, i) => h.directory.updateUser(user.id, { usageLocation: 'DE' }, async () => i % 2 === 0)),
    );
    expect(results.map((r) => r.status)).toEqual(['ok', 'notSent', 'ok', 'notSent', 'ok', 'notSent']);
    const patched = sim.requests.filter((r) => r.method === 'PATCH').map((r) => r.path);
    expect(patched.sort()).toEqual([users[0], users[2], users[4]].map((u) => `/users/${u!.id}`).sort());
  });
});
