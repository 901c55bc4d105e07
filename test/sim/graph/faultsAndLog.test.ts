import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator, type SimUser } from '../../../sim/graph/index';
import { batch, call, seed } from './simHttp';

describe('fault injection, request log and counters (Graph simulator)', () => {
  let sim: GraphSimulator;
  let user: SimUser;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    user = sim.addUser(seed('700001'));
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.resetLog());

  it('fails the next matching requests with the injected status and Retry-After, then recovers', async () => {
    sim.injectFaults({ status: 503, count: 2, retryAfterSeconds: 3 });
    const first = await call(sim, 'GET', `/users/${user.id}`);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.body.error.code).toBe('serviceNotAvailable');
    expect((await call(sim, 'GET', `/users/${user.id}`)).status).toBe(503);
    expect((await call(sim, 'GET', `/users/${user.id}`)).status).toBe(200);
  });

  it('injects a 429 and counts it as throttled', async () => {
    sim.injectFaults({ status: 429, count: 1, retryAfterSeconds: 2 });
    const answer = await call(sim, 'GET', `/users/${user.id}`);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('2');
    expect(sim.counters().throttled).toBe(1);
  });

  it('sends no Retry-After when none was asked for', async () => {
    sim.injectFaults({ status: 500, count: 1 });
    const answer = await call(sim, 'GET', `/users/${user.id}`);
    expect(answer.status).toBe(500);
    expect(answer.headers.get('retry-after')).toBeNull();
  });

  it('fails only requests the match function picks, and does not apply a faulted write', async () => {
    sim.injectFaults({ status: 504, count: 1, match: (method) => method === 'PATCH' });
    expect((await call(sim, 'GET', `/users/${user.id}`)).status).toBe(200);
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'JP' })).status).toBe(504);
    expect(user.usageLocation).toBeNull();
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'JP' })).status).toBe(204);
  });

  it('fails sub-requests inside a batch, not the envelope', async () => {
    sim.injectFaults({ status: 429, count: 1, retryAfterSeconds: 5 });
    const answer = await batch(sim, [
      { id: '1', method: 'GET', url: `/users/${user.id}` },
      { id: '2', method: 'GET', url: `/users/${user.id}` },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.responses.map((response: { status: number }) => response.status)).toEqual([429, 200]);
    expect(answer.body.responses[0].headers['Retry-After']).toBe('5');
  });

  it('fails the envelope when the match function picks POST /$batch', async () => {
    sim.injectFaults({ status: 503, count: 1, match: (method, path) => method === 'POST' && path === '/$batch' });
    const answer = await batch(sim, [{ id: '1', method: 'GET', url: `/users/${user.id}` }]);
    expect(answer.status).toBe(503);
    expect(sim.counters().subRequests).toBe(0);
  });

  it('logs each request with its decoded path, query, body and status', async () => {
    await call(sim, 'GET', `/users?$filter=${encodeURIComponent("employeeId eq 'a b'")}&$select=id`);
    await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'CA' });
    expect(sim.requests).toEqual([
      {
        method: 'GET',
        path: '/users',
        query: { $filter: "employeeId eq 'a b'", $select: 'id' },
        body: undefined,
        status: 200,
        inBatch: false,
        at: expect.any(Number),
      },
      {
        method: 'PATCH',
        path: `/users/${user.id}`,
        query: {},
        body: { usageLocation: 'CA' },
        status: 204,
        inBatch: false,
        at: expect.any(Number),
      },
    ]);
    expect(sim.counters()).toEqual({ httpRequests: 2, subRequests: 2, throttled: 0, writes: 1, resourceUnits: 2 });
  });

  it('clears the log and counters in place', async () => {
    const log = sim.requests;
    await call(sim, 'GET', `/users/${user.id}`);
    sim.resetLog();
    expect(log).toEqual([]);
    expect(sim.counters()).toEqual({ httpRequests: 0, subRequests: 0, throttled: 0, writes: 0, resourceUnits: 0 });
  });

  it('serves and records the operations the writer must never call', async () => {
    const created = await call(sim, 'POST', '/users', {
      accountEnabled: true,
      displayName: 'Intruder',
      mailNickname: 'intruder',
      userPrincipalName: 'intruder@contoso.com',
      passwordProfile: { password: 'x' },
    });
    expect(created.status).toBe(201);
    const victim = sim.addUser(seed('700002'));
    expect((await call(sim, 'DELETE', `/users/${victim.id}`)).status).toBe(204);
    expect(sim.getUser(victim.id)?.deletedDateTime).not.toBeNull();
    expect(sim.requests.map((entry) => `${entry.method} ${entry.path}`)).toEqual([
      'POST /users',
      `DELETE /users/${victim.id}`,
    ]);
    expect(sim.counters().writes).toBe(2);
  });
});

describe('latency and authorization (Graph simulator)', () => {
  it('delays every HTTP response by latencyMs', async () => {
    const sim = await startGraphSimulator({ latencyMs: 60 });
    const started = performance.now();
    await call(sim, 'GET', '/users');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    await sim.close();
  });

  it('delays a batch once, not once per sub-request', async () => {
    const sim = await startGraphSimulator({ latencyMs: 40 });
    const started = performance.now();
    await batch(
      sim,
      Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' })),
    );
    expect(performance.now() - started).toBeLessThan(400);
    await sim.close();
  });

  it('answers 401 without a bearer token when authorization is required', async () => {
    const sim = await startGraphSimulator({ requireAuthorization: true });
    const refused = await call(sim, 'GET', '/users');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('InvalidAuthenticationToken');
    expect((await call(sim, 'GET', '/users', undefined, { Authorization: 'Bearer sim-token' })).status).toBe(200);
    await sim.close();
  });
});
