import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator, type SimUser } from '../../../sim/graph/index';
import { batch, call, seed } from './simHttp';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('POST /$batch (Graph simulator)', () => {
  let sim: GraphSimulator;
  let user: SimUser;
  let admin: SimUser;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    for (let i = 0; i < 300; i++) sim.addUser(seed(String(500000 + i)));
    user = sim.usersByEmployeeId('500000')[0]!;
    admin = sim.addUser({ ...seed('599999'), privileged: true });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.resetLog());

  it('answers each sub-request with its own status, headers and body', async () => {
    const answer = await batch(sim, [
      { id: '1', method: 'GET', url: `/users/${user.id}?$select=id,employeeId` },
      { id: '2', method: 'PATCH', url: `/users/${user.id}`, headers: JSON_HEADERS, body: { usageLocation: 'US' } },
      { id: '3', method: 'GET', url: '/users/00000000-0000-0000-0000-000000000000' },
      {
        id: '4',
        method: 'PATCH',
        url: `/users/${admin.id}`,
        headers: JSON_HEADERS,
        body: { otherMails: ['a@example.com'] },
      },
    ]);
    expect(answer.status).toBe(200);
    const byId = Object.fromEntries(answer.body.responses.map((response: { id: string }) => [response.id, response]));
    expect(byId['1']).toMatchObject({ status: 200, body: { id: user.id, employeeId: '500000' } });
    expect(byId['1'].headers).toMatchObject({
      'x-ms-resource-unit': '1',
      'Content-Type': expect.stringContaining('application/json'),
    });
    expect(byId['2']).toMatchObject({ status: 204 });
    expect(byId['2']).not.toHaveProperty('body');
    expect(byId['3']).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(byId['4']).toMatchObject({ status: 403, body: { error: { code: 'Authorization_RequestDenied' } } });
    expect(user.usageLocation).toBe('US');
  });

  it('looks up 300 employeeIds with 20 in-filters of 15 in one batch', async () => {
    const requests = Array.from({ length: 20 }, (_, chunk) => {
      const values = Array.from({ length: 15 }, (_, i) => `'${500000 + chunk * 15 + i}'`).join(',');
      return {
        id: String(chunk),
        method: 'GET',
        url: `/users?$filter=${encodeURIComponent(`employeeId in (${values})`)}&$select=id,employeeId`,
      };
    });
    const answer = await batch(sim, requests);
    const found = answer.body.responses.flatMap((response: { body: { value: unknown[] } }) => response.body.value);
    expect(found).toHaveLength(300);
  });

  it('accepts a relative URL without the leading slash', async () => {
    const answer = await batch(sim, [{ id: 'a', method: 'get', url: `users/${user.id}?$select=id` }]);
    expect(answer.body.responses[0]).toMatchObject({ status: 200, body: { id: user.id } });
  });

  it('answers 400 to a sub-request URL that repeats /v1.0, as Graph does', async () => {
    const answer = await batch(sim, [{ id: 'a', method: 'GET', url: `/v1.0/users/${user.id}` }]);
    expect(answer.body.responses[0]).toMatchObject({
      status: 400,
      body: { error: { message: "Resource not found for the segment 'v1.0'." } },
    });
  });

  it('refuses more than 20 sub-requests with 400', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${user.id}` }));
    const answer = await batch(sim, requests);
    expect(answer.status).toBe(400);
    expect(sim.counters().subRequests).toBe(0);
  });

  it('refuses duplicate ids, a body without Content-Type, and a malformed envelope', async () => {
    expect(
      (
        await batch(sim, [
          { id: 'x', method: 'GET', url: '/users' },
          { id: 'X', method: 'GET', url: '/users' },
        ])
      ).status,
    ).toBe(400);
    expect(
      (await batch(sim, [{ id: '1', method: 'PATCH', url: `/users/${user.id}`, body: { usageLocation: 'US' } }]))
        .status,
    ).toBe(400);
    expect((await call(sim, 'POST', '/$batch', { requests: [] })).status).toBe(400);
    expect((await call(sim, 'POST', '/$batch', 'nonsense')).status).toBe(400);
  });

  it('refuses a $batch nested in a $batch', async () => {
    const answer = await batch(sim, [
      { id: '1', method: 'POST', url: '/$batch', headers: JSON_HEADERS, body: { requests: [] } },
    ]);
    expect(answer.body.responses[0].status).toBe(400);
  });

  it('logs the envelope and every sub-request', async () => {
    await batch(sim, [
      { id: '1', method: 'GET', url: `/users?$filter=${encodeURIComponent("employeeId eq '500001'")}&$select=id` },
      { id: '2', method: 'PATCH', url: `/users/${user.id}`, headers: JSON_HEADERS, body: { usageLocation: 'FR' } },
    ]);
    expect(sim.requests.map(({ method, path, inBatch, status }) => ({ method, path, inBatch, status }))).toEqual([
      { method: 'GET', path: '/users', inBatch: true, status: 200 },
      { method: 'PATCH', path: `/users/${user.id}`, inBatch: true, status: 204 },
      { method: 'POST', path: '/$batch', inBatch: false, status: 200 },
    ]);
    expect(sim.requests[0]!.query).toEqual({ $filter: "employeeId eq '500001'", $select: 'id' });
    expect(sim.counters()).toEqual({ httpRequests: 1, subRequests: 2, throttled: 0, writes: 1, resourceUnits: 2 });
  });
});
