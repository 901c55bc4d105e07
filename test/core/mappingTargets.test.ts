import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { broaderRoleAdvice, planGrants, requiredGraphRoles } from '../../src/core/mappingTargets';
const SCREEN = [
  'RoleManagement.Read.Directory',
  'GroupMember.Read.All',
  'PrivilegedEligibilitySchedule.Read.AzureADGroup',
];

const EXTENSION = 'extension_0123456789abcdef0123456789abcdef_costCenter';
const connector = (...targets: string[]) => ({ mappings: targets.map((target) => ({ source: 'x', target })) });

describe('requiredGraphRoles', () => {
  it('needs User.Read.All, User-Mail.ReadWrite.All and the role-holder reads for otherMails alone', () => {
    expect(requiredGraphRoles(connector('otherMails'))).toEqual([
      'User.Read.All',
      'User-Mail.ReadWrite.All',
      ...SCREEN,
    ]);
  });

  it('needs User.ReadUpdate.All for usageLocation', () => {
    expect(requiredGraphRoles(connector('usageLocation'))).toEqual(['User.Read.All', 'User.ReadUpdate.All']);
  });

  it('needs User.ReadUpdate.All once for a directory extension and usageLocation together', () => {
    expect(requiredGraphRoles(connector(EXTENSION, 'usageLocation'))).toEqual(['User.Read.All', 'User.ReadUpdate.All']);
  });

  it('needs the email-only UserAuthMethod-Email.ReadWrite.All for authenticationEmail, never the Tier-0 role', () => {
    const roles = requiredGraphRoles(connector('otherMails', 'usageLocation', 'authenticationEmail'));
    expect(roles).toEqual([
      'User.Read.All',
      'User-Mail.ReadWrite.All',
      'User.ReadUpdate.All',
      'UserAuthMethod-Email.ReadWrite.All',
      ...SCREEN,
    ]);
    expect(requiredGraphRoles(connector('authenticationEmail'))).not.toContain(
      'UserAuthenticationMethod.ReadWrite.All',
    );
  });

  it('needs no role-holder read when no reset channel is mapped', () => {
    expect(requiredGraphRoles(connector('usageLocation', EXTENSION))).toEqual(['User.Read.All', 'User.ReadUpdate.All']);
  });

  it('needs mail and property writes and the role-holder reads for the shipped example connector', () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../connector.example.json'), 'utf8'));
    expect(requiredGraphRoles(example)).toEqual([
      'User.Read.All',
      'User-Mail.ReadWrite.All',
      'User.ReadUpdate.All',
      ...SCREEN,
    ]);
  });

  it('refuses a target it has no permission for rather than granting nothing', () => {
    expect(() => requiredGraphRoles(connector('displayName'))).toThrow(/no known Graph permission/);
  });

  it('refuses a connector without mappings', () => {
    expect(() => requiredGraphRoles({})).toThrow(/no mappings/);
  });
});

describe('planGrants', () => {
  const graph = {
    id: 'graph-sp',
    appRoles: [
      { id: 'r-read', value: 'User.Read.All' },
      { id: 'r-mail', value: 'User-Mail.ReadWrite.All' },
      { id: 'r-rw', value: 'User.ReadWrite.All' },
      { id: 'r-groups', value: 'Group.Read.All' },
    ],
  };

  it('grants what is missing and keeps what is there', () => {
    const steps = planGrants(['User.Read.All', 'User-Mail.ReadWrite.All'], graph, [
      { id: 'a1', appRoleId: 'r-read', resourceId: 'graph-sp' },
    ]);
    expect(steps).toEqual([
      { action: 'keep', value: 'User.Read.All', appRoleId: 'r-read' },
      { action: 'grant', value: 'User-Mail.ReadWrite.All', appRoleId: 'r-mail' },
    ]);
  });

  it('reports a held role the mapping does not need, flagging the broader ones', () => {
    const steps = planGrants(['User.Read.All'], graph, [
      { id: 'a1', appRoleId: 'r-read', resourceId: 'graph-sp' },
      { id: 'a2', appRoleId: 'r-rw', resourceId: 'graph-sp' },
      { id: 'a3', appRoleId: 'r-groups', resourceId: 'graph-sp' },
    ]);
    expect(steps.slice(1)).toEqual([
      {
        action: 'extra',
        value: 'User.ReadWrite.All',
        appRoleId: 'r-rw',
        assignmentId: 'a2',
        broader: true,
        advice: 'User.ReadWrite.All is broader than needed: it can change any property of any user; remove it',
      },
      { action: 'extra', value: 'Group.Read.All', appRoleId: 'r-groups', assignmentId: 'a3', broader: false },
    ]);
  });

  it("ignores the identity's roles on other APIs", () => {
    const steps = planGrants(['User.Read.All'], graph, [{ id: 'a9', appRoleId: 'r-rw', resourceId: 'some-other-api' }]);
    expect(steps).toEqual([{ action: 'grant', value: 'User.Read.All', appRoleId: 'r-read' }]);
  });

  it('fails when Graph does not offer a required role', () => {
    expect(() => planGrants(['User.ReadUpdate.All'], graph, [])).toThrow(/no application role 'User.ReadUpdate.All'/);
  });
});

describe('broaderRoleAdvice', () => {
  it('names what the Tier-0 authentication-method role can do and the email-only role to grant instead', () => {
    expect(
      broaderRoleAdvice('UserAuthenticationMethod.ReadWrite.All', requiredGraphRoles(connector('authenticationEmail'))),
    ).toBe(
      'UserAuthenticationMethod.ReadWrite.All is broader than needed: it can create a Temporary Access Pass for any account, break-glass admins included; grant UserAuthMethod-Email.ReadWrite.All and remove it',
    );
  });

  it('offers only the narrower roles the mapping needs', () => {
    expect(broaderRoleAdvice('Directory.Read.All', requiredGraphRoles(connector('usageLocation')))).toBe(
      'Directory.Read.All is broader than needed: it reads the whole directory; grant User.Read.All and remove it',
    );
    expect(broaderRoleAdvice('Group.Read.All', ['User.Read.All'])).toBeNull();
  });
});
