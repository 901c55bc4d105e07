/**
 * The application roles of the calling app, as Graph checks them before anything else about a
 * write: without a granting role every write answers 403 `Authorization_RequestDenied` with the
 * same body a privileged target gets ("Update user" and "Create emailMethod" in the Graph
 * reference list the roles). A role granted in Entra takes a while to reach Graph: tests model
 * that with `setAppRoles`.
 */
import { GraphRefusal } from './responses';
import type { SimRuntime } from './simRuntime';

const OTHER_MAILS = ['User-Mail.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
const USER_PROPERTIES = ['User.ReadUpdate.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
const AUTHENTICATION_EMAIL = ['UserAuthMethod-Email.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'];
/** "List unifiedRoleAssignments" (directory provider), application permissions. */
const ROLE_ASSIGNMENT_READ = [
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'Directory.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.ReadWrite.All',
];
/** "List roleEligibilitySchedules", application permissions. */
const ROLE_ELIGIBILITY_READ = [
  'RoleEligibilitySchedule.Read.Directory',
  'RoleEligibilitySchedule.ReadWrite.Directory',
  'RoleManagement.Read.All',
  'RoleManagement.Read.Directory',
  'RoleManagement.ReadWrite.Directory',
];
/** "List eligibilitySchedules" of PIM for Groups, application permissions. */
const GROUP_ELIGIBILITY_READ = [
  'PrivilegedEligibilitySchedule.Read.AzureADGroup',
  'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup',
];
/** "List group transitive members" and "List group owners", application permissions. */
const GROUP_MEMBER_READ = [
  'GroupMember.Read.All',
  'Directory.Read.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
];

/** PATCH /users/{id}: otherMails needs a mail role, any other property a user-update role. */
export function requireUserPatchRoles(runtime: SimRuntime, body: unknown): void {
  if (runtime.appRoles === null || typeof body !== 'object' || body === null) return;
  for (const name of Object.keys(body)) {
    if (!name.startsWith('@odata.'))
      requireRole(runtime, name.toLowerCase() === 'othermails' ? OTHER_MAILS : USER_PROPERTIES);
  }
}

export function requireAuthenticationEmailRole(runtime: SimRuntime): void {
  requireRole(runtime, AUTHENTICATION_EMAIL);
}

/** Active assignments or PIM eligibilities of directory roles. */
export function requireRoleReadRole(runtime: SimRuntime, kind: 'active' | 'eligible'): void {
  requireRole(runtime, kind === 'active' ? ROLE_ASSIGNMENT_READ : ROLE_ELIGIBILITY_READ);
}

export function requireGroupMemberReadRole(runtime: SimRuntime): void {
  requireRole(runtime, GROUP_MEMBER_READ);
}

export function requireGroupEligibilityReadRole(runtime: SimRuntime): void {
  requireRole(runtime, GROUP_ELIGIBILITY_READ);
}

function requireRole(runtime: SimRuntime, granting: readonly string[]): void {
  const held = runtime.appRoles;
  if (held === null || granting.some((role) => held.has(role))) return;
  throw new GraphRefusal(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}
