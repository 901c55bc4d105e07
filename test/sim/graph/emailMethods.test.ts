import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_METHOD_ID, startGraphSimulator, type GraphSimulator, type SimUser } from '../../../sim/graph/index';
import { call, seed } from './simHttp';

describe('/users/{id}/authentication/emailMethods (Graph simulator)', () => {
  let sim: GraphSimulator;
  let user: SimUser;
  const methods = () => `/users/${user.id}/authentication/emailMethods`;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    user = sim.addUser(seed('400001'));
  });
  afterAll(() => sim.close());

  it('lists no method for a user who has none', async () => {
    const answer = await call(sim, 'GET', methods());
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual([]);
  });

  it("creates the one method with 201 and Graph's well-known id", async () => {
    const answer = await call(sim, 'POST', methods(), { emailAddress: 'kim@example.com' });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ id: EMAIL_METHOD_ID, emailAddress: 'kim@example.com' });
    expect(user.emailMethod).toEqual({ id: EMAIL_METHOD_ID, emailAddress: 'kim@example.com' });
  });

  it('refuses a second method with 400 and keeps the first', async () => {
    const answer = await call(sim, 'POST', methods(), { emailAddress: 'other@example.com' });
    expect(answer.status).toBe(400);
    expect(user.emailMethod?.emailAddress).toBe('kim@example.com');
  });

  // "List emailMethods" (Graph reference): this method does not support optional query parameters.
  it('refuses $select on the list with 400', async () => {
    const answer = await call(sim, 'GET', `${methods()}?$select=id,emailAddress`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('lists and gets the method', async () => {
    expect((await call(sim, 'GET', methods())).body.value).toEqual([
      { id: EMAIL_METHOD_ID, emailAddress: 'kim@example.com' },
    ]);
    expect((await call(sim, 'GET', `${methods()}/${EMAIL_METHOD_ID}`)).body).toMatchObject({
      emailAddress: 'kim@example.com',
    });
  });

  it('changes the address with PATCH and answers 204', async () => {
    const answer = await call(sim, 'PATCH', `${methods()}/${EMAIL_METHOD_ID}`, { emailAddress: 'kim.new@example.com' });
    expect(answer.status).toBe(204);
    expect(user.emailMethod?.emailAddress).toBe('kim.new@example.com');
  });

  it('refuses an address that is not an email', async () => {
    const answer = await call(sim, 'PATCH', `${methods()}/${EMAIL_METHOD_ID}`, { emailAddress: 'not-an-email' });
    expect(answer.status).toBe(400);
    expect(user.emailMethod?.emailAddress).toBe('kim.new@example.com');
  });

  it('answers 404 for another method id', async () => {
    const answer = await call(sim, 'PATCH', `${methods()}/00000000-0000-0000-0000-000000000000`, {
      emailAddress: 'x@example.com',
    });
    expect(answer.status).toBe(404);
  });

  it('deletes the method', async () => {
    expect((await call(sim, 'DELETE', `${methods()}/${EMAIL_METHOD_ID}`)).status).toBe(204);
    expect(user.emailMethod).toBeNull();
    expect((await call(sim, 'GET', `${methods()}/${EMAIL_METHOD_ID}`)).status).toBe(404);
  });

  it('answers 404 for a user who does not exist', async () => {
    expect((await call(sim, 'GET', '/users/nobody/authentication/emailMethods')).status).toBe(404);
  });
});
