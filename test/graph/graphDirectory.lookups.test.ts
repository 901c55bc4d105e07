import { afterEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../sim/graph/index';
import { directoryFor, seed, useSimulatedDirectory, type Harness } from './directoryHarness';

const EXT = `extension_${'a'.repeat(32)}_costCenter`;

describe('GraphDirectory lookups', () => {
  let sim: GraphSimulator;
  let h: Harness;
  useSimulatedDirectory((s, harness) => {
    sim = s;
    h = harness;
  });

  it('maps the found user, missing collections as []', async () => {
    const user = sim.addUser(seed('100001', { usageLocation: 'NL' }));
    expect(await h.directory.findUsersByEmployeeId('100001')).toEqual([
      {
        id: user.id,
        employeeId: '100001',
        onPremisesSyncEnabled: true,
        otherMails: [],
        usageLocation: 'NL',
        userPrincipalName: user.userPrincipalName,
        extensions: {},
      },
    ]);
  });

  it('sends a lone lookup as a plain GET with eq and $select', async () => {
    sim.addUser(seed('100001'));
    await h.directory.findUsersByEmployeeId('100001');
    expect(sim.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/users',
        inBatch: false,
        query: {
          $filter: "employeeId eq '100001'",
          $select: 'id,employeeId,otherMails,usageLocation,onPremisesSyncEnabled,userPrincipalName',
        },
      }),
    ]);
  });

  it('answers 300 concurrent lookups with one HTTP request', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => String(200_000 + i));
    const users = new Map(ids.map((id) => [id, sim.addUser(seed(id)).id]));
    const found = await Promise.all(ids.map((id) => h.directory.findUsersByEmployeeId(id)));
    expect(found.map((list) => list.map((user) => user.id))).toEqual(ids.map((id) => [users.get(id)]));
    expect(sim.counters()).toMatchObject({ httpRequests: 1, subRequests: 20 });
    expect(h.directory.stats()).toMatchObject({ httpRequests: 1, subRequests: 20, throttled: 0 });
  });

  it('matches case-insensitively and sends two spellings of one id once', async () => {
    const user = sim.addUser(seed('AB12'));
    const [lower, upper] = await Promise.all([
      h.directory.findUsersByEmployeeId('ab12'),
      h.directory.findUsersByEmployeeId('Ab12'),
    ]);
    expect(lower.map((u) => u.id)).toEqual([user.id]);
    expect(upper.map((u) => u.id)).toEqual([user.id]);
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]!.query.$filter).toBe("employeeId eq 'ab12'");
  });

  it('returns an empty list for an id nobody holds', async () => {
    expect(await h.directory.findUsersByEmployeeId('999999')).toEqual([]);
  });

  it.each([
    ["1' or '1' eq '1", 'a quote-closing or'],
    ["1') or (1", 'parentheses'],
    ['1&$top=999', 'an extra query option'],
    ['1%27', 'a pre-encoded quote'],
    ['ü1#2', 'unicode and a fragment'],
  ])('finds only the exact user for %s (%s)', async (hostile) => {
    const exact = sim.addUser(seed(hostile));
    sim.addUser(seed('1'));
    sim.addUser(seed('2'));
    const [alone, together] = await Promise.all([
      h.directory.findUsersByEmployeeId(hostile),
      h.directory.findUsersByEmployeeIds([hostile, '1']),
    ]);
    expect(alone.map((u) => u.id)).toEqual([exact.id]);
    expect(together.get(hostile.toLowerCase())?.map((u) => u.id)).toEqual([exact.id]);
  });

  it('refuses an id over 16 characters before any request', async () => {
    await expect(h.directory.findUsersByEmployeeId('12345678901234567')).rejects.toMatchObject({
      code: 'INPUT.INVALID',
    });
    await expect(h.directory.findUsersByEmployeeIds(['1', '12345678901234567'])).rejects.toMatchObject({
      code: 'INPUT.INVALID',
    });
    expect(sim.counters().httpRequests).toBe(0);
  });

  it('looks up an explicit list 15 ids per filter, keyed by lower-cased id', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `W${i}`);
    for (const id of ids) sim.addUser(seed(id));
    const found = await h.directory.findUsersByEmployeeIds(ids);
    expect([...found.keys()]).toEqual(ids.map((id) => id.toLowerCase()));
    expect([...found.values()].every((list) => list.length === 1)).toBe(true);
    expect(sim.counters()).toMatchObject({ httpRequests: 1, subRequests: 3 });
    const filters = sim.requests.filter((r) => r.path === '/users').map((r) => r.query.$filter);
    expect(filters).toHaveLength(3);
    expect(filters.every((filter) => filter?.startsWith('employeeId in ('))).toBe(true);
  });

  it('follows @odata.nextLink to the last page', async () => {
    for (let i = 0; i < 130; i++) sim.addUser(seed('DUP1'));
    const found = await h.directory.findUsersByEmployeeId('DUP1');
    expect(found).toHaveLength(130);
    expect(new Set(found.map((u) => u.id)).size).toBe(130);
    expect(sim.requests.filter((r) => r.path === '/users')).toHaveLength(2);
  });

  it('selects and maps the configured extension attributes', async () => {
    await h.directory.close();
    h = directoryFor(sim, { extensionProperties: [EXT] });
    const user = sim.addUser(seed('100001'));
    user.extensions[EXT] = 'CC-7';
    const [found] = await h.directory.findUsersByEmployeeId('100001');
    expect(found?.extensions).toEqual({ [EXT]: 'CC-7' });
    expect(sim.requests[0]!.query.$select).toContain(EXT);
  });
});

describe('GraphDirectory soft-deleted lookups', () => {
  let sim: GraphSimulator;
  let h: Harness;

  afterEach(async () => {
    await h.directory.close();
    await sim.close();
  });

  it('finds the soft-deleted user by employeeId', async () => {
    sim = await startGraphSimulator();
    h = directoryFor(sim);
    const gone = sim.addUser(seed('300001'));
    sim.softDeleteUser(gone.id);
    sim.addUser(seed('300002'));
    const answer = await h.directory.findDeletedUsersByEmployeeId('300001');
    expect(answer).toEqual({
      supported: true,
      users: [expect.objectContaining({ id: gone.id, employeeId: '300001' })],
    });
    expect(sim.requests[0]).toMatchObject({
      path: '/directory/deletedItems/microsoft.graph.user',
      query: { $filter: "employeeId eq '300001'" },
    });
  });

  it('reports a refused filter as unsupported, warns once and stops asking', async () => {
    sim = await startGraphSimulator({ deletedItemsFilter: 'refused' });
    h = directoryFor(sim);
    expect(await h.directory.findDeletedUsersByEmployeeId('300001')).toEqual({ supported: false });
    expect(await h.directory.findDeletedUsersByEmployeeId('300002')).toEqual({ supported: false });
    expect(sim.counters().httpRequests).toBe(1);
    expect(h.logs.filter((log) => log.level === 'warn')).toHaveLength(1);
  });

  // "List deletedItems" supports the user resource's filters: only Request_UnsupportedQuery says
  // the tenant will not filter; any other 400 is an ordinary failure, and detection stays on.
  it('fails a lookup refused with another 400 code, and keeps asking Graph', async () => {
    sim = await startGraphSimulator({ deletedItemsFilter: { refusedWith: 'BadRequest' } });
    h = directoryFor(sim);
    await expect(h.directory.findDeletedUsersByEmployeeId('300001')).rejects.toMatchObject({
      code: 'GRAPH.REQUEST_REFUSED',
      status: 400,
    });
    await expect(h.directory.findDeletedUsersByEmployeeId('300002')).rejects.toMatchObject({ status: 400 });
    expect(sim.counters().httpRequests).toBe(2);
    expect(h.logs.filter((log) => log.level === 'warn')).toHaveLength(0);
  });
});
