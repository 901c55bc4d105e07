import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../../sim/graph/index';
import { call, filterQuery, seed } from './simHttp';

const DELETED_USERS = '/directory/deletedItems/microsoft.graph.user';

describe('GET /directory/deletedItems/microsoft.graph.user (filter supported)', () => {
  let sim: GraphSimulator;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    sim.addUser({ ...seed('300001'), deleted: true });
    const later = sim.addUser(seed('300002'));
    sim.softDeleteUser(later.id);
    sim.addUser(seed('300003'));
  });
  afterAll(() => sim.close());

  it('finds a soft-deleted user by employeeId, case-insensitively', async () => {
    const answer = await call(
      sim,
      'GET',
      `${DELETED_USERS}${filterQuery("employeeId eq '300002'", 'id,employeeId,deletedDateTime')}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual([
      { id: expect.any(String), employeeId: '300002', deletedDateTime: expect.stringMatching(/Z$/) },
    ]);
  });

  it('lists every soft-deleted user without a filter, and no active one', async () => {
    const answer = await call(sim, 'GET', `${DELETED_USERS}?$select=employeeId`);
    expect(answer.body.value).toEqual([{ employeeId: '300001' }, { employeeId: '300002' }]);
  });

  it('answers an empty list for an active user', async () => {
    const answer = await call(sim, 'GET', `${DELETED_USERS}${filterQuery("employeeId eq '300003'", 'id')}`);
    expect(answer.body.value).toEqual([]);
  });

  it('applies the same filter rules as /users', async () => {
    const answer = await call(
      sim,
      'GET',
      `${DELETED_USERS}${filterQuery("employeeId eq '1' or employeeId eq '2'", 'id')}`,
    );
    expect(answer.status).toBe(400);
  });

  it('restores a user through /restore (served so the log can show it was never called)', async () => {
    const user = sim.usersByEmployeeId('300003')[0]!;
    sim.softDeleteUser(user.id);
    const answer = await call(sim, 'POST', `/directory/deletedItems/${user.id}/restore`);
    expect(answer.status).toBe(200);
    expect(answer.body['@odata.type']).toBe('#microsoft.graph.user');
    expect(sim.usersByEmployeeId('300003')).toEqual([user]);
    expect(sim.requests.some((entry) => entry.path.endsWith('/restore'))).toBe(true);
  });
});

describe('GET /directory/deletedItems/microsoft.graph.user (filter refused)', () => {
  let sim: GraphSimulator;

  beforeAll(async () => {
    sim = await startGraphSimulator({ deletedItemsFilter: 'refused' });
    sim.addUser({ ...seed('300001'), deleted: true });
  });
  afterAll(() => sim.close());

  it('answers 400 Request_UnsupportedQuery to a filter by employeeId', async () => {
    const answer = await call(sim, 'GET', `${DELETED_USERS}${filterQuery("employeeId eq '300001'", 'id')}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('still lists without a filter', async () => {
    const answer = await call(sim, 'GET', `${DELETED_USERS}?$select=employeeId`);
    expect(answer.body.value).toEqual([{ employeeId: '300001' }]);
  });
});

// A fault the writer must treat as an ordinary failure (not as "filter unsupported").
describe('GET /directory/deletedItems/microsoft.graph.user (filter refused with another code)', () => {
  let sim: GraphSimulator;
  beforeAll(async () => {
    sim = await startGraphSimulator({ deletedItemsFilter: { refusedWith: 'BadRequest' } });
  });
  afterAll(() => sim.close());

  it('answers 400 with that code', async () => {
    const answer = await call(sim, 'GET', `${DELETED_USERS}${filterQuery("employeeId eq '300001'", 'id')}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BadRequest');
  });
});
