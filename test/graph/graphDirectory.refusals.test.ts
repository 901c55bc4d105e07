/**
 * Issue 9, point 9: Graph answers 403 `Authorization_RequestDenied` both to a write on a
 * privileged admin ("Update user": sensitive properties such as otherMails of users with
 * privileged administrator roles) and to an app that lacks the permission. Only the first is a
 * worker's `denied`; the second, and any `$batch` refused as a whole, must reach no worker.
 */
import { describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../sim/graph/index';
import { directoryFor, seed, tokenWithRoles } from './directoryHarness';

async function withSim<T>(
  options: Parameters<typeof startGraphSimulator>[0],
  run: (sim: GraphSimulator) => Promise<T>,
): Promise<T> {
  const sim = await startGraphSimulator(options);
  try {
    return await run(sim);
  } finally {
    await sim.close();
  }
}

const APP_WIDE = { code: 'GRAPH.REQUEST_REFUSED', status: 403 };

describe('GraphDirectory: a 403 on a write', () => {
  it('is app-wide when there is no token to read roles from (GRAPH_AUTH=none)', async () => {
    await withSim({ appRoles: ['User.Read.All'] }, async (sim) => {
      const users = ['1', '2', '3'].map((id) => sim.addUser(seed(`50000${id}`)));
      const { directory } = directoryFor(sim);
      const results = await Promise.allSettled(
        users.map((user) => directory.updateUser(user.id, { otherMails: ['x@example.org'] })),
      );
      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const result of results) expect((result as PromiseRejectedResult).reason).toMatchObject(APP_WIDE);
      await directory.close();
    });
  });

  // Issue 18, case 5: a warm instance took an earlier success as proof that the app may write,
  // so after the grant was removed it settled every worker it met as `denied`.
  it('stays app-wide after writes of that kind succeeded, when the roles do not grant it (the grant removed)', async () => {
    await withSim({ requireAuthorization: true }, async (sim) => {
      const users = ['1', '2', '3'].map((id) => sim.addUser(seed(`50002${id}`)));
      const { directory } = directoryFor(sim, { auth: 'azure', credential: tokenWithRoles(['User.Read.All']) });
      expect(await directory.updateUser(users[0]!.id, { usageLocation: 'DE' })).toEqual({ status: 'ok' });
      sim.setAppRoles(['User.Read.All']);
      await expect(directory.updateUser(users[1]!.id, { usageLocation: 'DE' })).rejects.toMatchObject(APP_WIDE);
      await directory.close();
    });
  });

  it('is app-wide when the token names roles and none grants the write', async () => {
    await withSim({ requireAuthorization: true, appRoles: ['User.Read.All'] }, async (sim) => {
      const user = sim.addUser(seed('500030'));
      const { directory } = directoryFor(sim, { auth: 'azure', credential: tokenWithRoles(['User.Read.All']) });
      await expect(directory.updateUser(user.id, { usageLocation: 'DE' })).rejects.toMatchObject(APP_WIDE);
      await directory.close();
    });
  });

  it('is about the user from the first write when the token holds the granting role', async () => {
    await withSim({ requireAuthorization: true }, async (sim) => {
      const admin = sim.addUser(seed('500040', { privileged: true }));
      const { directory } = directoryFor(sim, {
        auth: 'azure',
        credential: tokenWithRoles(['User.Read.All', 'User-Mail.ReadWrite.All']),
      });
      expect(await directory.updateUser(admin.id, { otherMails: ['x@example.org'] })).toMatchObject({
        status: 'denied',
        code: 'Authorization_RequestDenied',
      });
      await directory.close();
    });
  });

  it('never copies a $batch refused as a whole onto the workers inside it', async () => {
    await withSim({}, async (sim) => {
      const users = ['1', '2', '3', '4'].map((id) => sim.addUser(seed(`50005${id}`)));
      const refuseBatches: typeof fetch = async (input, init) =>
        String(input).endsWith('/$batch')
          ? new Response(
              JSON.stringify({
                error: {
                  code: 'Authorization_RequestDenied',
                  message: 'Insufficient privileges to complete the operation.',
                },
              }),
              {
                status: 403,
                headers: { 'Content-Type': 'application/json' },
              },
            )
          : fetch(input, init);
      const { directory } = directoryFor(sim, { fetchImpl: refuseBatches });
      // One write proven alone first, so a per-user reading would have been possible.
      expect(await directory.updateUser(users[0]!.id, { otherMails: ['x@example.org'] })).toEqual({ status: 'ok' });
      const results = await Promise.allSettled(
        users.slice(1).map((user) => directory.updateUser(user.id, { otherMails: ['y@example.org'] })),
      );
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject(APP_WIDE);
      }
      await directory.close();
    });
  });
});
