import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator, type SimUser } from '../../../sim/graph/index';
import { ISO_COUNTRY_CODES } from '../../../sim/graph/countries';
import { call, seed } from './simHttp';

const EXTENSION = 'extension_0123456789abcdef0123456789abcdef_costCenter';

describe('PATCH /users/{id} (Graph simulator)', () => {
  let sim: GraphSimulator;
  let synced: SimUser;
  let admin: SimUser;
  let cloudOnly: SimUser;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    synced = sim.addUser({ ...seed('200001'), otherMails: ['old@example.com'] });
    admin = sim.addUser({ ...seed('200002'), privileged: true });
    cloudOnly = sim.addUser({ ...seed('C200003'), onPremisesSyncEnabled: null });
  });
  afterAll(() => sim.close());

  const patch = (user: SimUser, body: unknown) => call(sim, 'PATCH', `/users/${user.id}`, body);

  it('replaces the whole otherMails collection and answers 204 with no body', async () => {
    const answer = await patch(synced, { otherMails: ['new@example.com'] });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    expect(synced.otherMails).toEqual(['new@example.com']);
  });

  it('writes usageLocation and extension attributes on a synced user', async () => {
    expect((await patch(synced, { usageLocation: 'DE', [EXTENSION]: 'CC-17' })).status).toBe(204);
    expect(synced.usageLocation).toBe('DE');
    expect(synced.extensions[EXTENSION]).toBe('CC-17');
    const read = await call(sim, 'GET', `/users/${synced.id}?$select=usageLocation,${EXTENSION}`);
    expect(read.body).toMatchObject({ usageLocation: 'DE', [EXTENSION]: 'CC-17' });
  });

  it('removes an extension attribute written as null, and leaves it out of reads', async () => {
    await patch(synced, { [EXTENSION]: 'x' });
    await patch(synced, { [EXTENSION]: null });
    const read = await call(sim, 'GET', `/users/${synced.id}?$select=id,${EXTENSION}`);
    expect(read.body).not.toHaveProperty(EXTENSION);
  });

  // Graph's user resource: usageLocation is "Not nullable"; a null is refused, the value kept.
  it('refuses usageLocation null with 400 and keeps the value', async () => {
    await patch(cloudOnly, { usageLocation: 'FR' });
    const answer = await patch(cloudOnly, { usageLocation: null });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('Request_BadRequest');
    expect(cloudOnly.usageLocation).toBe('FR');
  });

  it.each([
    ['a value that is not a country', 'XX'],
    ['a lower-case code', 'de'],
    ['an alpha-3 code', 'DEU'],
    ['a number', 49],
  ])('refuses usageLocation %s', async (_case, value) => {
    const answer = await patch(synced, { usageLocation: value });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('Request_BadRequest');
    expect(answer.body.error.message).toContain("'usageLocation'");
  });

  it('knows the 249 assigned ISO 3166-1 codes', () => {
    expect(ISO_COUNTRY_CODES.size).toBe(249);
    expect(ISO_COUNTRY_CODES.has('SS')).toBe(true);
    expect(ISO_COUNTRY_CODES.has('UK')).toBe(false);
  });

  it.each([
    ['more than 250 values', Array.from({ length: 251 }, (_, i) => `m${i}@example.com`), 'at most 250 values'],
    ['a value over 250 characters', [`${'a'.repeat(240)}@example.com`], 'longer than 250'],
    ['an accented character', ['jos\u00e9@example.com'], 'printable ASCII'],
    ['a value that is not a string', [42], 'not a string'],
    ['a non-array', 'one@example.com', 'array'],
  ])('refuses otherMails with %s and applies nothing', async (_case, value, reason) => {
    const before = [...synced.otherMails];
    const answer = await patch(synced, { otherMails: value, usageLocation: 'NL' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain("'otherMails'");
    expect(answer.body.error.message).toContain(reason);
    expect(synced.otherMails).toEqual(before);
    expect(synced.usageLocation).not.toBe('NL');
  });

  it('accepts exactly 250 values of 250 characters', async () => {
    const value = Array.from({ length: 250 }, (_, i) => `${String(i).padStart(3, '0')}${'a'.repeat(235)}@example.com`);
    expect(value[0]).toHaveLength(250);
    expect((await patch(cloudOnly, { otherMails: value })).status).toBe(204);
  });

  it('answers 403 Authorization_RequestDenied for otherMails on a privileged-role holder and applies nothing', async () => {
    const answer = await patch(admin, { otherMails: ['boss@example.com'], usageLocation: 'GB' });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect(admin.otherMails).toEqual([]);
    expect(admin.usageLocation).toBeNull();
  });

  it('lets a privileged-role holder get non-sensitive properties', async () => {
    expect((await patch(admin, { usageLocation: 'GB' })).status).toBe(204);
    expect(admin.usageLocation).toBe('GB');
  });

  it('refuses properties Cloud Sync owns on a synced user', async () => {
    const answer = await patch(synced, { displayName: 'Renamed' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('on-premises mastered');
    expect(synced.displayName).toBe('User 200001');
  });

  it('accepts those properties on a cloud-only user, as Graph does, and records them', async () => {
    sim.resetLog();
    expect((await patch(cloudOnly, { displayName: 'Renamed', jobTitle: 'Engineer' })).status).toBe(204);
    expect(cloudOnly.displayName).toBe('Renamed');
    const read = await call(sim, 'GET', `/users/${cloudOnly.id}`);
    expect(read.body.jobTitle).toBe('Engineer');
    expect(sim.requests[0]).toMatchObject({
      method: 'PATCH',
      path: `/users/${cloudOnly.id}`,
      body: { displayName: 'Renamed', jobTitle: 'Engineer' },
      status: 204,
    });
  });

  it('moves the employeeId index when employeeId changes', async () => {
    await patch(cloudOnly, { employeeId: 'C999' });
    expect(sim.usersByEmployeeId('c999')).toEqual([cloudOnly]);
    expect(sim.usersByEmployeeId('C200003')).toEqual([]);
  });

  it('refuses read-only and unknown properties', async () => {
    expect((await patch(cloudOnly, { id: 'x' })).body.error.message).toBe(
      "Property 'id' is read-only and cannot be set.",
    );
    expect((await patch(cloudOnly, { favouriteColour: 'blue' })).status).toBe(400);
  });

  it('refuses a body that is not JSON', async () => {
    const answer = await call(sim, 'PATCH', `/users/${synced.id}`, '{not json');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('Unable to read JSON request payload');
  });

  it('answers 404 for a soft-deleted user', async () => {
    const gone = sim.addUser({ ...seed('200009'), deleted: true });
    const answer = await patch(gone, { usageLocation: 'US' });
    expect(answer.status).toBe(404);
    expect(gone.usageLocation).toBeNull();
  });
});
