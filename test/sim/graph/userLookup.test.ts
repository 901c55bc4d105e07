import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../../sim/graph/index';
import { call, filterQuery, seed } from './simHttp';

describe('GET /users (Graph simulator)', () => {
  let sim: GraphSimulator;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    sim.addUser({ ...seed('100001'), otherMails: ['ann@example.com'], usageLocation: 'US' });
    sim.addUser(seed("O'Brien"));
    sim.addUser({ ...seed('ab12'), userPrincipalName: 'first@contoso.com' });
    sim.addUser({ ...seed('AB12'), userPrincipalName: 'second@contoso.com' });
    sim.addUser({ ...seed('gone'), deleted: true });
    for (let i = 0; i < 25; i++) sim.addUser(seed(`bulk${i}`));
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.resetLog());

  it('finds a user by employeeId with the selected properties only', async () => {
    const answer = await call(
      sim,
      'GET',
      `/users${filterQuery("employeeId eq '100001'", 'id,employeeId,otherMails,usageLocation,onPremisesSyncEnabled')}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual([
      {
        id: expect.any(String),
        employeeId: '100001',
        otherMails: ['ann@example.com'],
        usageLocation: 'US',
        onPremisesSyncEnabled: true,
      },
    ]);
    expect(answer.body['@odata.context']).toBe(
      `${sim.url}/v1.0/$metadata#users(id,employeeId,otherMails,usageLocation,onPremisesSyncEnabled)`,
    );
  });

  it('leaves id out when $select does not name it', async () => {
    const answer = await call(sim, 'GET', `/users${filterQuery("employeeId eq '100001'", 'employeeId')}`);
    expect(answer.body.value).toEqual([{ employeeId: '100001' }]);
  });

  it('answers the default property set without $select, which has no employeeId or otherMails', async () => {
    const answer = await call(sim, 'GET', `/users${filterQuery("employeeId eq '100001'")}`);
    const user = answer.body.value[0];
    expect(Object.keys(user).sort()).toEqual(
      [
        'businessPhones',
        'displayName',
        'givenName',
        'id',
        'jobTitle',
        'mail',
        'mobilePhone',
        'officeLocation',
        'preferredLanguage',
        'surname',
        'userPrincipalName',
      ].sort(),
    );
  });

  it('compares employeeId case-insensitively', async () => {
    const answer = await call(sim, 'GET', `/users${filterQuery("employeeId eq 'AB12'", 'userPrincipalName')}`);
    expect(answer.body.value).toEqual([
      { userPrincipalName: 'first@contoso.com' },
      { userPrincipalName: 'second@contoso.com' },
    ]);
  });

  it('matches a literal holding a doubled quote', async () => {
    const answer = await call(sim, 'GET', `/users${filterQuery("employeeId eq 'O''Brien'", 'employeeId')}`);
    expect(answer.body.value).toEqual([{ employeeId: "O'Brien" }]);
  });

  it('answers an in list with every match', async () => {
    const answer = await call(
      sim,
      'GET',
      `/users${filterQuery("employeeId in ('100001','bulk3','nobody')", 'employeeId')}`,
    );
    expect(answer.body.value.map((user: { employeeId: string }) => user.employeeId)).toEqual(['100001', 'bulk3']);
  });

  it('refuses an unescaped quote with 400 and returns nobody', async () => {
    const answer = await call(sim, 'GET', `/users${filterQuery("employeeId eq 'O'Brien'", 'id')}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BadRequest');
    expect(answer.body.error.innerError).toMatchObject({ 'request-id': expect.any(String), date: expect.any(String) });
  });

  it('refuses a widened filter with 400', async () => {
    const answer = await call(sim, 'GET', `/users${filterQuery("employeeId eq 'x' or employeeId eq '100001'", 'id')}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('refuses more than fifteen values in an in list', async () => {
    const values = Array.from({ length: 16 }, (_, i) => `'bulk${i}'`).join(',');
    const answer = await call(sim, 'GET', `/users${filterQuery(`employeeId in (${values})`, 'id')}`);
    expect(answer.status).toBe(400);
  });

  it('never lists a soft-deleted user', async () => {
    const answer = await call(sim, 'GET', `/users${filterQuery("employeeId eq 'gone'", 'id')}`);
    expect(answer.body.value).toEqual([]);
  });

  it('refuses an unknown property in $select', async () => {
    const answer = await call(sim, 'GET', '/users?$select=id,favouriteColour');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain("'favouriteColour'");
  });

  it('pages with $top and an absolute nextLink carrying a skiptoken', async () => {
    const first = await call(sim, 'GET', '/users?$select=id&$top=10');
    expect(first.body.value).toHaveLength(10);
    const nextLink: string = first.body['@odata.nextLink'];
    expect(nextLink.startsWith(`${sim.url}/v1.0/users?`)).toBe(true);
    expect(nextLink).toContain('$skiptoken=');
    const seen = [...first.body.value];
    let link: string | undefined = nextLink;
    while (link) {
      const page = (await (await fetch(link)).json()) as { value: unknown[]; '@odata.nextLink'?: string };
      seen.push(...page.value);
      link = page['@odata.nextLink'];
    }
    expect(seen).toHaveLength(29);
    expect(new Set(seen.map((user) => user.id)).size).toBe(29);
  });

  it('answers 100 users per page by default and no nextLink on the last page', async () => {
    const answer = await call(sim, 'GET', '/users?$select=id');
    expect(answer.body.value).toHaveLength(29);
    expect(answer.body['@odata.nextLink']).toBeUndefined();
  });

  it("refuses $top above 999 with Graph's message", async () => {
    const answer = await call(sim, 'GET', '/users?$top=1000');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  });

  it('refuses a query option it does not serve', async () => {
    const answer = await call(sim, 'GET', '/users?$orderby=displayName');
    expect(answer.status).toBe(400);
  });

  it('reads one user by id with $select', async () => {
    const id = sim.usersByEmployeeId('100001')[0]!.id;
    const answer = await call(sim, 'GET', `/users/${id}?$select=id,usageLocation`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, usageLocation: 'US' });
    expect(answer.body['@odata.context']).toBe(`${sim.url}/v1.0/$metadata#users(id,usageLocation)/$entity`);
  });

  it('answers 404 Request_ResourceNotFound for an unknown or deleted user', async () => {
    const deletedId = sim.allUsers().find((user) => user.deletedDateTime)!.id;
    for (const id of ['00000000-0000-0000-0000-000000000000', deletedId]) {
      const answer = await call(sim, 'GET', `/users/${id}`);
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('Request_ResourceNotFound');
    }
  });

  it('answers 400 for a path it does not know', async () => {
    const answer = await call(sim, 'GET', '/groups');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe("Resource not found for the segment 'groups'.");
  });

  it('refuses a URL without the version segment', async () => {
    const response = await fetch(`${sim.url}/users`);
    expect(response.status).toBe(400);
    expect(sim.requests.at(-1)).toMatchObject({ path: '/users', status: 400 });
  });

  it('finds users by employeeId in process too, active only', () => {
    expect(sim.usersByEmployeeId('ab12').map((user) => user.userPrincipalName)).toEqual([
      'first@contoso.com',
      'second@contoso.com',
    ]);
    expect(sim.usersByEmployeeId('gone')).toEqual([]);
  });
});
