/**
 * The role-holder read behind safety rule 4 (src/graph/privilegedUsers.ts) against the simulator:
 * active assignments, PIM eligibilities and role-assignable groups' members, one read per
 * process for a few minutes, and a refusal that names the missing grant.
 */
import { describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../sim/graph/index';
import { PrivilegedUsers } from '../../src/graph/privilegedUsers';
import { directoryFor, seed, type Harness, useSimulatedDirectory } from './directoryHarness';

let sim: GraphSimulator;
let harness: Harness;
useSimulatedDirectory((s, h) => {
  sim = s;
  harness = h;
});

const roleReads = () => sim.requests.filter((r) => r.path.startsWith('/roleManagement/')).length;

describe('privilegedUserIds', () => {
  it('holds active, PIM-eligible and group-held admins, and no one else', async () => {
    const active = sim.addUser(seed('800001', { privileged: true })).id;
    const eligible = sim.addUser(seed('800002', { eligibleAdmin: true })).id;
    const grouped = sim.addUser(seed('800003')).id;
    const ordinary = sim.addUser(seed('800004')).id;
    sim.grantDirectoryRole(sim.addRoleAssignableGroup('admins', { members: [grouped] }), 'eligible');
    const ids = await harness.directory.privilegedUserIds();
    expect([active, eligible, grouped].every((id) => ids.has(id))).toBe(true);
    expect(ids.has(ordinary)).toBe(false);
  });

  // A denied worker's detail says how its user is privileged, so someone knows which assignment to look at.
  it('says how each user holds its role: active or eligible, directly or through which group', async () => {
    const active = sim.addUser(seed('850001', { privileged: true })).id;
    const eligible = sim.addUser(seed('850002', { eligibleAdmin: true })).id;
    const grouped = sim.addUser(seed('850003')).id;
    const group = sim.addRoleAssignableGroup('admins', { members: [grouped] });
    sim.grantDirectoryRole(group, 'eligible');
    const privileges = await harness.directory.privilegedUserIds();
    const globalAdmin = '62e90394-69f5-4237-9190-012177145e10';
    expect(privileges.get(active)).toEqual({ roleDefinitionId: globalAdmin, eligible: false });
    expect(privileges.get(eligible)).toEqual({ roleDefinitionId: globalAdmin, eligible: true });
    expect(privileges.get(grouped)).toEqual({ roleDefinitionId: globalAdmin, eligible: true, groupId: group });
  });

  it("holds a role-holding group's owners and its PIM-for-Groups eligible members and owners", async () => {
    const [owner, eligibleMember, eligibleOwner, bystander] = ['830001', '830002', '830003', '830004'].map(
      (id) => sim.addUser(seed(id)).id,
    ) as [string, string, string, string];
    const group = sim.addRoleAssignableGroup('Tier-0', {
      owners: [owner],
      eligibleMembers: [eligibleMember],
      eligibleOwners: [eligibleOwner],
    });
    sim.grantDirectoryRole(group, 'active');
    sim.addRoleAssignableGroup('holds no role', { members: [bystander], owners: [bystander] });
    const ids = await harness.directory.privilegedUserIds();
    expect([owner, eligibleMember, eligibleOwner].filter((id) => !ids.has(id))).toEqual([]);
    expect(ids.has(bystander)).toBe(false);
  });

  it('reads active role holders in a tenant without Entra ID P2, where the PIM lists answer 400, and says so once', async () => {
    const unlicensed = await startGraphSimulator({ pimLicensed: false });
    const { directory, logs } = directoryFor(unlicensed);
    try {
      const admin = unlicensed.addUser(seed('840001', { privileged: true })).id;
      const member = unlicensed.addUser(seed('840002')).id;
      unlicensed.grantDirectoryRole(unlicensed.addRoleAssignableGroup('admins', { members: [member] }), 'active');
      const ids = await directory.privilegedUserIds();
      expect([ids.has(admin), ids.has(member)]).toEqual([true, true]);
      expect(logs.filter((line) => line.message.includes('AadPremiumLicenseRequired'))).toHaveLength(1);
    } finally {
      await directory.close();
      await unlicensed.close();
    }
  });

  it('follows @odata.nextLink through a long list of role holders', async () => {
    const admins = Array.from(
      { length: 230 },
      (_, i) => sim.addUser(seed(String(810000 + i), { privileged: true })).id,
    );
    const ids = await harness.directory.privilegedUserIds();
    expect(admins.every((id) => ids.has(id))).toBe(true);
    expect(roleReads()).toBeGreaterThan(2);
  });

  it('reads once for many concurrent callers and again only after the cache has aged', async () => {
    sim.addUser(seed('820001', { privileged: true }));
    let now = 0;
    const users = new PrivilegedUsers({
      execute: async (request) => {
        const response = await fetch(`${sim.url}/v1.0${request.url}`);
        return { status: response.status, headers: {}, body: await response.json() };
      },
      relativeLink: (link) => link.slice(`${sim.url}/v1.0`.length),
      now: () => now,
      ttlMs: 60_000,
    });
    await Promise.all(Array.from({ length: 20 }, () => users.ids()));
    expect(roleReads()).toBe(2);
    now = 59_000;
    await users.ids();
    expect(roleReads()).toBe(2);
    now = 61_000;
    await users.ids();
    expect(roleReads()).toBe(4);
  });

  it('refuses with GRAPH.REQUEST_REFUSED (403) naming the grant when the app may not read roles, and asks again next time', async () => {
    sim.setAppRoles(['User.Read.All', 'User-Mail.ReadWrite.All']);
    const refusal = harness.directory.privilegedUserIds();
    await expect(refusal).rejects.toMatchObject({ code: 'GRAPH.REQUEST_REFUSED', status: 403 });
    await expect(refusal).rejects.toThrow(
      /RoleManagement\.Read\.Directory, GroupMember\.Read\.All, PrivilegedEligibilitySchedule\.Read\.AzureADGroup/,
    );
    sim.setAppRoles(null);
    await expect(harness.directory.privilegedUserIds()).resolves.toBeInstanceOf(Map);
  });
});
