import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimOptions, type GraphSimulator, type SimUser } from '../../../sim/graph/index';
import { batch, call, filterQuery, seed } from './simHttp';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** At windowScale 0.1: 800 RU per 1 s, 300 writes per 15 s, 1,800 tenant writes per 30 s. */
describe('identity throttling budgets (fake clock, windowScale 0.1)', () => {
  let sim: GraphSimulator;
  let now: number;
  let user: SimUser;

  beforeEach(async () => {
    now = 1_000_000;
    sim = await startGraphSimulator({ throttling: { windowScale: 0.1 }, clock: () => now });
    user = sim.addUser(seed('600001'));
  });
  afterEach(() => sim.close());

  const patches = (count: number, from = 0) =>
    Array.from({ length: count }, (_, i) => ({
      id: String(from + i),
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: JSON_HEADERS,
      body: { usageLocation: 'US' },
    }));

  async function writeTimes(count: number): Promise<void> {
    for (let done = 0; done < count; done += 20) {
      const answer = await batch(sim, patches(Math.min(20, count - done), done));
      expect(answer.body.responses.every((response: { status: number }) => response.status === 204)).toBe(true);
    }
  }

  it('charges a list 2 RU, 1 with $select or $top under 20, and a read by id or a PATCH 1', async () => {
    const units = async (method: string, path: string, body?: unknown) =>
      (await call(sim, method, path, body)).headers.get('x-ms-resource-unit');
    expect(await units('GET', `/users${filterQuery("employeeId eq '600001'")}`)).toBe('2');
    expect(await units('GET', `/users${filterQuery("employeeId eq '600001'", 'id')}`)).toBe('1');
    expect(await units('GET', '/users?$top=5')).toBe('1');
    expect(await units('GET', `/users/${user.id}`)).toBe('1');
    expect(await units('PATCH', `/users/${user.id}`, { usageLocation: 'US' })).toBe('1');
    expect(sim.counters().resourceUnits).toBe(6);
  });

  it('answers 429 past 800 RU in a second, with Retry-After when capacity returns', async () => {
    const lists = Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' }));
    for (let round = 0; round < 20; round++) await batch(sim, lists); // 400 lists × 2 RU = 800 RU
    now += 400;
    const refused = await call(sim, 'GET', '/users');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('TooManyRequests');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
    now += 600;
    expect((await call(sim, 'GET', '/users')).status).toBe(200);
  });

  it('sends x-ms-throttle-limit-percentage from 80 % of a budget, as a fraction', async () => {
    await writeTimes(239);
    const below = await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'US' }); // 240 / 300 = 0.80
    expect(below.headers.get('x-ms-throttle-limit-percentage')).toBe('0.80');
    const fresh = await startGraphSimulator({ throttling: { windowScale: 0.1 }, clock: () => now });
    const quiet = await call(fresh, 'GET', '/users');
    expect(quiet.headers.get('x-ms-throttle-limit-percentage')).toBeNull();
    await fresh.close();
  });

  it('leaves the header out below 80 %', async () => {
    await writeTimes(238);
    const answer = await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'US' }); // 239 / 300
    expect(answer.headers.get('x-ms-throttle-limit-percentage')).toBeNull();
  });

  it('answers 429 past 300 writes in 15 s, Retry-After counting down the sliding window', async () => {
    await writeTimes(300);
    now += 5_000;
    const refused = await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'DE' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(refused.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
    expect(Number(refused.headers.get('x-ms-throttle-limit-percentage'))).toBeGreaterThanOrEqual(1);
    expect(user.usageLocation).toBe('US');
    now += 9_999;
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'DE' })).status).toBe(429);
    now += 1;
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'DE' })).status).toBe(204);
    expect(user.usageLocation).toBe('DE');
  });

  it('keeps reads going while writes are throttled', async () => {
    await writeTimes(300);
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'US' })).status).toBe(429);
    expect((await call(sim, 'GET', `/users/${user.id}?$select=id`)).status).toBe(200);
  });

  it('throttles sub-requests of one batch on their own', async () => {
    await writeTimes(299);
    const answer = await batch(sim, [
      ...patches(2, 900),
      { id: 'read', method: 'GET', url: `/users/${user.id}?$select=id` },
    ]);
    expect(answer.status).toBe(200);
    const statuses = answer.body.responses.map((response: { status: number }) => response.status);
    expect(statuses).toEqual([204, 429, 200]);
    expect(answer.body.responses[1].headers['Retry-After']).toBe('15');
    expect(sim.counters().throttled).toBe(1);
  });

  it('does not charge throttled requests', async () => {
    await writeTimes(300);
    const before = sim.counters().resourceUnits;
    await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'US' });
    expect(sim.counters().resourceUnits).toBe(before);
  });
});

describe('identity throttling budgets (real clock)', () => {
  it('lets writes through again once the scaled window has passed', async () => {
    // windowScale 0.01: 30 writes per 1.5 s.
    const sim = await startGraphSimulator({ throttling: { windowScale: 0.01 } });
    const user = sim.addUser(seed('600002'));
    const patches = Array.from({ length: 15 }, (_, i) => ({
      id: String(i),
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: JSON_HEADERS,
      body: { usageLocation: 'US' },
    }));
    await batch(sim, patches);
    await batch(sim, patches);
    const refused = await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'US' });
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 1_550));
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'US' })).status).toBe(204);
    await sim.close();
  });

  it('never throttles when throttling is off, but still reports resource units', async () => {
    const sim = await startGraphSimulator();
    const user = sim.addUser(seed('600003'));
    const patches = Array.from({ length: 20 }, (_, i) => ({
      id: String(i),
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: JSON_HEADERS,
      body: { usageLocation: 'US' },
    }));
    for (let round = 0; round < 20; round++) await batch(sim, patches);
    expect(sim.counters()).toMatchObject({ writes: 400, throttled: 0, resourceUnits: 400 });
    await sim.close();
  });
});

describe('tenant sizes and the write window (fake clock)', () => {
  let now: number;
  const started: GraphSimulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((sim) => sim.close()));
  });

  async function simulator(throttling: GraphSimOptions['throttling']) {
    now = 1_000_000;
    const sim = await startGraphSimulator({ throttling, clock: () => now });
    started.push(sim);
    return { sim, user: sim.addUser(seed('600009')) };
  }

  /** `units` reads of one resource unit each, in batches of 20. */
  async function readUnits(sim: GraphSimulator, user: SimUser, units: number): Promise<void> {
    const reads = Array.from({ length: 20 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: `/users/${user.id}?$select=id`,
    }));
    for (let done = 0; done < units; done += 20) {
      const answer = await batch(sim, reads.slice(0, Math.min(20, units - done)));
      expect(answer.body.responses.every((response: { status: number }) => response.status === 200)).toBe(true);
    }
  }

  // Graph's throttling limits: 3,500 / 5,000 / 8,000 resource units per 10 s per app+tenant for
  // tenants under 50, 50–500 and over 500 users ("Identity and access service limits").
  it.each([
    ['small', 3_500],
    ['medium', 5_000],
    ['large', 8_000],
  ] as const)('gives a %s tenant %i resource units per 10 s', async (tenantSize, budget) => {
    const { sim, user } = await simulator({ tenantSize });
    await readUnits(sim, user, budget);
    const refused = await call(sim, 'GET', `/users/${user.id}?$select=id`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
    now += 10_000;
    expect((await call(sim, 'GET', `/users/${user.id}?$select=id`)).status).toBe(200);
  });

  it('keeps 20 writes a second of a write window of any length, beside a 10-s resource-unit window', async () => {
    const { sim, user } = await simulator({ writeWindowSeconds: 37.5 });
    const patches = Array.from({ length: 20 }, (_, i) => ({
      id: String(i),
      method: 'PATCH',
      url: `/users/${user.id}`,
      headers: JSON_HEADERS,
      body: { usageLocation: 'US' },
    }));
    for (let done = 0; done < 750; done += 20) {
      const answer = await batch(sim, patches.slice(0, Math.min(20, 750 - done)));
      expect(answer.body.responses.every((response: { status: number }) => response.status === 204)).toBe(true);
    }
    const refused = await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'DE' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
    expect(refused.headers.get('retry-after')).toBe('38');
    now += 37_500;
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'DE' })).status).toBe(204);
  });
});
