import { describe, expect, it } from 'vitest';
import { dangerousRequests, EMAIL_METHOD_ID, type GraphSimulator } from '../../sim/graph/index';
import { createGraphDirectory } from '../../src/graph/graphDirectory';
import { directoryFor, seed, tokenWithRoles, useSimulatedDirectory, type Harness } from './directoryHarness';

describe('GraphDirectory writes', () => {
  let sim: GraphSimulator;
  let h: Harness;
  useSimulatedDirectory((s, harness) => {
    sim = s;
    h = harness;
  });

  it('sends exactly one PATCH /users/{id} carrying only the given properties', async () => {
    const user = sim.addUser(seed('100001'));
    const patch = { otherMails: ['jane.doe@example.com'], usageLocation: 'NL' };
    expect(await h.directory.updateUser(user.id, patch)).toEqual({ status: 'ok' });
    expect(sim.requests).toEqual([
      expect.objectContaining({ method: 'PATCH', path: `/users/${user.id}`, body: patch, status: 204 }),
    ]);
    expect(sim.getUser(user.id)).toMatchObject({ otherMails: ['jane.doe@example.com'], usageLocation: 'NL' });
    expect(dangerousRequests(sim)).toEqual([]);
    expect(h.directory.stats()).toMatchObject({ writes: 1, httpRequests: 1 });
  });

  it('refuses to send a synced property, before any request', async () => {
    const user = sim.addUser(seed('100001'));
    await expect(h.directory.updateUser(user.id, { displayName: 'x' })).rejects.toMatchObject({
      code: 'INPUT.INVALID',
    });
    expect(sim.counters().httpRequests).toBe(0);
  });

  it('coalesces concurrent PATCHes into fewer HTTP requests, one PATCH per user', async () => {
    const users = Array.from({ length: 30 }, (_, i) => sim.addUser(seed(String(400_000 + i))));
    const results = await Promise.all(users.map((user) => h.directory.updateUser(user.id, { usageLocation: 'DE' })));
    expect(results.every((result) => result.status === 'ok')).toBe(true);
    const patches = sim.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.path).sort()).toEqual(users.map((u) => `/users/${u.id}`).sort());
    expect(sim.counters().httpRequests).toBeLessThan(30);
    expect(dangerousRequests(sim)).toEqual([]);
  });

  it("reports 403 on a privileged user as denied with Graph's code when the token grants the write", async () => {
    const admin = sim.addUser(seed('100002', { privileged: true }));
    const granted = directoryFor(sim, {
      auth: 'azure',
      credential: tokenWithRoles(['User.Read.All', 'User-Mail.ReadWrite.All']),
    });
    expect(await granted.directory.updateUser(admin.id, { otherMails: ['a@example.com'] })).toEqual({
      status: 'denied',
      code: 'Authorization_RequestDenied',
      message: expect.any(String),
    });
    expect(sim.getUser(admin.id)?.otherMails).toEqual([]);
    await granted.directory.close();
  });

  it('reports 400 on a bad value as invalid', async () => {
    const user = sim.addUser(seed('100003'));
    expect(await h.directory.updateUser(user.id, { usageLocation: 'XX' })).toMatchObject({ status: 'invalid' });
  });

  it('throws a non-transient AppError for a user that does not exist', async () => {
    await expect(
      h.directory.updateUser('00000000-0000-0000-0000-000000000000', { usageLocation: 'NL' }),
    ).rejects.toMatchObject({
      code: 'GRAPH.REQUEST_REFUSED',
      transient: false,
      status: 404,
    });
  });
});

describe('GraphDirectory authentication email', () => {
  let sim: GraphSimulator;
  let h: Harness;
  useSimulatedDirectory((s, harness) => {
    sim = s;
    h = harness;
  });

  // "List emailMethods" (Graph reference) supports no optional query parameters: none is sent.
  it('answers null when the user has no email method, listing without query options', async () => {
    const user = sim.addUser(seed('100001'));
    expect(await h.directory.getAuthenticationEmail(user.id)).toBeNull();
    expect(sim.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: `/users/${user.id}/authentication/emailMethods`,
        query: {},
        status: 200,
      }),
    ]);
  });

  it('creates the method with POST when none exists, then reads it back', async () => {
    const user = sim.addUser(seed('100001'));
    expect(await h.directory.setAuthenticationEmail(user.id, null, 'jane@example.com')).toEqual({ status: 'ok' });
    expect(await h.directory.getAuthenticationEmail(user.id)).toEqual({
      id: EMAIL_METHOD_ID,
      emailAddress: 'jane@example.com',
    });
    expect(sim.requests[0]).toMatchObject({
      method: 'POST',
      path: `/users/${user.id}/authentication/emailMethods`,
      body: { emailAddress: 'jane@example.com' },
    });
  });

  it('updates an existing method with PATCH /emailMethods/{id}', async () => {
    const user = sim.addUser(seed('100001'));
    await h.directory.setAuthenticationEmail(user.id, null, 'old@example.com');
    sim.resetLog();
    expect(await h.directory.setAuthenticationEmail(user.id, EMAIL_METHOD_ID, 'new@example.com')).toEqual({
      status: 'ok',
    });
    expect(sim.requests).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        path: `/users/${user.id}/authentication/emailMethods/${EMAIL_METHOD_ID}`,
        body: { emailAddress: 'new@example.com' },
      }),
    ]);
    expect(sim.getUser(user.id)?.emailMethod?.emailAddress).toBe('new@example.com');
  });
});

describe('GraphDirectory masking', () => {
  const answering =
    (status: number, message: string): typeof fetch =>
    async () =>
      new Response(JSON.stringify({ error: { code: 'Authorization_RequestDenied', message } }), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });

  it('masks personal email in a denied write message', async () => {
    const directory = createGraphDirectory({
      baseUrl: 'http://127.0.0.1:9',
      auth: 'azure',
      credential: tokenWithRoles(['User-Mail.ReadWrite.All']),
      fetchImpl: answering(403, 'Cannot set jane.doe@example.com'),
    });
    expect(await directory.updateUser('u1', { otherMails: ['jane.doe@example.com'] })).toMatchObject({
      message: expect.stringMatching(/^Cannot set j\*\*\*@example\.com \(client-request-id [0-9a-f-]{36}\)$/),
    });
    await directory.close();
  });

  it('masks personal email in an error message', async () => {
    const directory = createGraphDirectory({
      baseUrl: 'http://127.0.0.1:9',
      auth: 'none',
      fetchImpl: answering(409, 'jane.doe@example.com conflicts'),
    });
    const error = await directory.updateUser('u1', { otherMails: ['jane.doe@example.com'] }).catch((err: Error) => err);
    expect((error as Error).message).toContain('j***@example.com');
    expect((error as Error).message).not.toContain('jane.doe');
    await directory.close();
  });
});
