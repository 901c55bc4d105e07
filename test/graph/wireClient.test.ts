/**
 * The wire client (Client.initWithMiddleware with authentication and fetch only): what goes on
 * the wire is what the project built, and what comes back is the project's, not the SDK's, error.
 */
import { describe, expect, it } from 'vitest';
import { startGraphSimulator } from '../../sim/graph/index';
import { createWireClient } from '../../src/graph/wireClient';
import { usersByEmployeeIdPath, userSelect } from '../../src/graph/odataQuery';
import { directoryFor, seed, tokenWithRoles } from './directoryHarness';

describe('the Graph wire client', () => {
  it('sends the strictly percent-encoded query as built, through the SDK client', async () => {
    const sim = await startGraphSimulator();
    const urls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const odd = "O'B&r#i+e n";
    sim.addUser(seed(odd));
    const { directory } = directoryFor(sim, { fetchImpl: recording });
    expect(await directory.findUsersByEmployeeId(odd)).toEqual([expect.objectContaining({ employeeId: odd })]);
    expect(urls).toEqual([`${sim.url}/v1.0${usersByEmployeeIdPath([odd], userSelect())}`]);
    await directory.close();
    await sim.close();
  });

  it('keeps a network failure as a transient GRAPH.UNAVAILABLE, not an SDK GraphError', async () => {
    const wire = createWireClient({
      baseUrl: 'http://127.0.0.1:9',
      credential: null,
      scope: 'http://127.0.0.1:9/.default',
      fetchImpl: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(wire.send({ method: 'GET', url: '/users' })).rejects.toMatchObject({
      code: 'GRAPH.UNAVAILABLE',
      transient: true,
    });
  });

  it('sends nothing outside <base>/v1.0, even for an absolute URL handed to it', async () => {
    let sent = 0;
    const wire = createWireClient({
      baseUrl: 'http://127.0.0.1:9',
      credential: null,
      scope: 'http://127.0.0.1:9/.default',
      fetchImpl: async () => {
        sent += 1;
        return new Response('{}');
      },
    });
    await expect(wire.send({ method: 'GET', url: 'https://elsewhere.example/v1.0/users' })).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    expect(sent).toBe(0);
  });

  it('sends the bearer token of the credential on every request, to a loopback simulator too', async () => {
    const sim = await startGraphSimulator({ requireAuthorization: true });
    const seen: string[] = [];
    const { directory } = directoryFor(sim, {
      auth: 'azure',
      credential: tokenWithRoles(['User.Read.All']),
      fetchImpl: (input, init) => {
        seen.push(new Headers(init?.headers).get('authorization') ?? '');
        return fetch(input, init);
      },
    });
    sim.addUser(seed('700001'));
    expect(await directory.findUsersByEmployeeId('700001')).toHaveLength(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^Bearer \S+\.\S+\./);
    await directory.close();
    await sim.close();
  });
});
