import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../../sim/graph/index';
import { call, seed } from './simHttp';

// "Update user" and "Create emailMethod" (Graph reference) list the application roles a write
// needs; without one Graph answers 403 Authorization_RequestDenied, as to a privileged target.
describe('writes by an app without the write role', () => {
  let sim: GraphSimulator;
  beforeAll(async () => {
    sim = await startGraphSimulator({ appRoles: ['User.Read.All'] });
  });
  afterAll(() => sim.close());

  it('answers 403 to every write and changes nothing, until the role reaches Graph', async () => {
    const user = sim.addUser(seed('300100'));
    const refused = await call(sim, 'PATCH', `/users/${user.id}`, { otherMails: ['a@example.org'] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('Authorization_RequestDenied');
    expect(
      (await call(sim, 'POST', `/users/${user.id}/authentication/emailMethods`, { emailAddress: 'a@example.org' }))
        .status,
    ).toBe(403);
    expect(user.otherMails).toEqual([]);
    sim.setAppRoles(['User.Read.All', 'User-Mail.ReadWrite.All']);
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { otherMails: ['a@example.org'] })).status).toBe(204);
    expect((await call(sim, 'PATCH', `/users/${user.id}`, { usageLocation: 'DE' })).status).toBe(403);
  });
});
