/**
 * Directory role holders as an app sees them app-only. Followed pages (Microsoft Graph v1.0
 * reference): "List unifiedRoleAssignments" (rbacapplication-list-roleassignments), "List
 * roleEligibilitySchedules" (rbacapplication-list-roleeligibilityschedules), "List group
 * transitive members" (group-list-transitivemembers), "List group owners" (group-list-owners),
 * PIM for Groups "List eligibilitySchedules" (privilegedaccessgroup-list-eligibilityschedules,
 * which requires a $filter on groupId or principalId), "Update user" (otherMails is refused on
 * users with privileged administrator roles) and "Create emailMethod" (whose role restrictions
 * are documented for delegated callers only: an app's write is accepted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_ADMINISTRATOR, startGraphSimulator, type GraphSimulator } from '../../../sim/graph/index';
import { call, seed } from './simHttp';

describe('directory role holders', () => {
  let sim: GraphSimulator;
  let active: string;
  let eligible: string;
  let grouped: string;
  let groupId: string;
  let owner: string;
  let eligibleMember: string;
  beforeAll(async () => {
    sim = await startGraphSimulator();
    active = sim.addUser(seed('700001', { privileged: true })).id;
    eligible = sim.addUser(seed('700002', { eligibleAdmin: true })).id;
    grouped = sim.addUser(seed('700003')).id;
    sim.addUser(seed('700004'));
    owner = sim.addUser(seed('700005')).id;
    eligibleMember = sim.addUser(seed('700006')).id;
    groupId = sim.addRoleAssignableGroup('Tier-0 admins', {
      members: [grouped],
      owners: [owner],
      eligibleMembers: [eligibleMember],
    });
    sim.grantDirectoryRole(groupId, 'active');
  });
  afterAll(() => sim.close());

  it('lists active assignments with their principal, a user or a role-assignable group', async () => {
    const answer = await call(
      sim,
      'GET',
      '/roleManagement/directory/roleAssignments?$select=principalId&$expand=principal',
    );
    expect(answer.status).toBe(200);
    const rows = answer.body.value as Array<{ principalId: string; principal: Record<string, unknown> }>;
    expect(rows.map((row) => row.principalId).sort()).toEqual([active, groupId].sort());
    expect(rows.find((row) => row.principalId === groupId)?.principal['@odata.type']).toBe('#microsoft.graph.group');
    expect(rows.find((row) => row.principalId === active)?.principal['@odata.type']).toBe('#microsoft.graph.user');
  });

  it('lists PIM eligibilities apart from active assignments', async () => {
    const answer = await call(sim, 'GET', '/roleManagement/directory/roleEligibilitySchedules?$expand=principal');
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual([
      expect.objectContaining({ principalId: eligible, roleDefinitionId: GLOBAL_ADMINISTRATOR }),
    ]);
  });

  it("lists a role-assignable group's user members", async () => {
    const answer = await call(sim, 'GET', `/groups/${groupId}/transitiveMembers/microsoft.graph.user?$select=id`);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual([{ id: grouped }]);
  });

  it("lists a role-assignable group's owners and its PIM-for-Groups eligibilities, the latter only by groupId", async () => {
    const owners = await call(sim, 'GET', `/groups/${groupId}/owners/microsoft.graph.user?$select=id`);
    expect(owners.body.value).toEqual([{ id: owner }]);
    const path = '/identityGovernance/privilegedAccess/group/eligibilitySchedules';
    const filter = encodeURIComponent(`groupId eq '${groupId}'`);
    const eligibilities = await call(sim, 'GET', `${path}?$filter=${filter}&$select=principalId,accessId`);
    expect(eligibilities.body.value).toEqual([{ principalId: eligibleMember, accessId: 'member' }]);
    expect((await call(sim, 'GET', path)).status).toBe(400);
  });

  it('refuses otherMails for active role holders only, and accepts an app-only email method for every admin', async () => {
    const otherMails = { otherMails: ['x@example.org'] };
    expect((await call(sim, 'PATCH', `/users/${active}`, otherMails)).status).toBe(403);
    expect((await call(sim, 'PATCH', `/users/${grouped}`, otherMails)).status).toBe(403);
    expect((await call(sim, 'PATCH', `/users/${eligible}`, otherMails)).status).toBe(204);
    for (const id of [active, eligible, grouped]) {
      const created = await call(sim, 'POST', `/users/${id}/authentication/emailMethods`, {
        emailAddress: 'x@example.org',
      });
      expect(created.status).toBe(201);
    }
  });
});

describe('an app without the role-read permission', () => {
  it('is refused every role-holder list with 403', async () => {
    const sim = await startGraphSimulator({ appRoles: ['User.Read.All', 'User-Mail.ReadWrite.All'] });
    try {
      const groupId = sim.addRoleAssignableGroup('admins', {});
      for (const path of [
        '/roleManagement/directory/roleAssignments?$expand=principal',
        '/roleManagement/directory/roleEligibilitySchedules?$expand=principal',
        `/groups/${groupId}/transitiveMembers/microsoft.graph.user`,
        `/groups/${groupId}/owners/microsoft.graph.user`,
        `/identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=groupId eq '${groupId}'`,
      ]) {
        const answer = await call(sim, 'GET', path);
        expect([path, answer.status, answer.body.error.code]).toEqual([path, 403, 'Authorization_RequestDenied']);
      }
      sim.setAppRoles(['RoleManagement.Read.Directory', 'GroupMember.Read.All']);
      expect((await call(sim, 'GET', '/roleManagement/directory/roleAssignments')).status).toBe(200);
      expect((await call(sim, 'GET', '/roleManagement/directory/roleEligibilitySchedules')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});

describe('a tenant without Microsoft Entra ID P2 or ID Governance', () => {
  it('answers the PIM eligibility lists 400 AadPremiumLicenseRequired, and active assignments as usual', async () => {
    const sim = await startGraphSimulator({ pimLicensed: false });
    try {
      const groupId = sim.addRoleAssignableGroup('admins', {});
      for (const path of [
        '/roleManagement/directory/roleEligibilitySchedules?$expand=principal',
        `/identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=groupId eq '${groupId}'`,
      ]) {
        const answer = await call(sim, 'GET', path);
        expect([path, answer.status, answer.body.error.code]).toEqual([path, 400, 'AadPremiumLicenseRequired']);
      }
      expect((await call(sim, 'GET', '/roleManagement/directory/roleAssignments')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
