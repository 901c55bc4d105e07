/**
 * Who holds a directory role, as an app reads it: "List unifiedRoleAssignments"
 * (GET /roleManagement/directory/roleAssignments, active assignments), "List
 * roleEligibilitySchedules" (GET /roleManagement/directory/roleEligibilitySchedules, PIM
 * eligibilities), both with `$expand=principal`, and "List group transitive members"
 * (GET /groups/{id}/transitiveMembers/microsoft.graph.user), "List group owners"
 * (GET /groups/{id}/owners/microsoft.graph.user) and PIM for Groups "List eligibilitySchedules"
 * (GET /identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=groupId eq '…')
 * for role-assignable groups. Each answers 403 without one of the read roles its reference page
 * lists; the PIM lists answer 400 AadPremiumLicenseRequired in a tenant without Entra ID P2.
 */
import { requireGroupEligibilityReadRole, requireGroupMemberReadRole, requireRoleReadRole } from './appRoles';
import { pageOf } from './paging';
import { badRequest, jsonResponse, notFound, type SimResponse } from './responses';
import type { RoleKind, SimRoleGrant } from './roleDirectory';
import { absoluteUrl, metadataUrl, systemOptions, type LogicalRequest, type SimRuntime } from './simRuntime';
import { userCollection } from './userCollection';

const GRANT_PROPERTIES = ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId'];

export function listRoleAssignments(runtime: SimRuntime, request: LogicalRequest): SimResponse {
  requireRoleReadRole(runtime, 'active');
  return grantCollection(runtime, request, 'active', 'roleManagement/directory/roleAssignments');
}

export function listRoleEligibilitySchedules(runtime: SimRuntime, request: LogicalRequest): SimResponse {
  requireRoleReadRole(runtime, 'eligible');
  requirePimLicence(runtime);
  return grantCollection(runtime, request, 'eligible', 'roleManagement/directory/roleEligibilitySchedules');
}

export function listGroupTransitiveUsers(
  runtime: SimRuntime,
  request: LogicalRequest,
  [groupId]: string[],
): SimResponse {
  requireGroupMemberReadRole(runtime);
  const options = systemOptions(request, ['$select', '$top', '$skiptoken']);
  const group = runtime.directory.roles.groups.get(groupId!);
  if (!group) throw notFound(groupId!);
  const members = runtime.directory.active().filter((user) => group.members.has(user.id));
  return userCollection(runtime, request, members, options, 'users');
}

export function listGroupUserOwners(runtime: SimRuntime, request: LogicalRequest, [groupId]: string[]): SimResponse {
  requireGroupMemberReadRole(runtime);
  const options = systemOptions(request, ['$select', '$top', '$skiptoken']);
  const group = runtime.directory.roles.groups.get(groupId!);
  if (!group) throw notFound(groupId!);
  const owners = runtime.directory.active().filter((user) => group.owners.has(user.id));
  return userCollection(runtime, request, owners, options, 'users');
}

/** PIM for Groups: the method requires `$filter` on groupId (or principalId); this one serves groupId. */
export function listGroupEligibilitySchedules(runtime: SimRuntime, request: LogicalRequest): SimResponse {
  requireGroupEligibilityReadRole(runtime);
  requirePimLicence(runtime);
  const options = systemOptions(request, ['$filter', '$select', '$skiptoken']);
  const groupId = /^groupId eq '([^']+)'$/.exec(options.$filter?.trim() ?? '')?.[1];
  if (!groupId)
    throw badRequest('BadRequest', "This request requires a $filter on groupId or principalId, e.g. groupId eq '…'.");
  const rows = runtime.directory.roles.groups.get(groupId)?.eligible ?? [];
  const selected = options.$select?.split(',').map((name) => name.trim()) ?? ['principalId', 'accessId', 'groupId'];
  const withoutToken = Object.fromEntries(
    Object.entries(request.query).filter(([name]) => name.toLowerCase() !== '$skiptoken'),
  );
  const page = pageOf(rows, options, (skipToken) =>
    absoluteUrl(runtime, request.path, { ...withoutToken, $skiptoken: skipToken }),
  );
  return jsonResponse(200, {
    '@odata.context': metadataUrl(runtime, 'identityGovernance/privilegedAccess/group/eligibilitySchedules'),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
    value: page.items.map((row) => {
      const rendered: Record<string, unknown> = { ...row, groupId };
      return Object.fromEntries(selected.map((name) => [name, rendered[name]]));
    }),
  });
}

function requirePimLicence(runtime: SimRuntime): void {
  if (!runtime.pimLicensed)
    throw badRequest(
      'AadPremiumLicenseRequired',
      'The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.',
    );
}

function grantCollection(runtime: SimRuntime, request: LogicalRequest, kind: RoleKind, entitySet: string): SimResponse {
  const options = systemOptions(request, ['$select', '$expand', '$skiptoken']);
  const selected = selectedProperties(options.$select);
  const expand = options.$expand?.trim();
  if (expand !== undefined && expand.toLowerCase() !== 'principal') {
    throw badRequest('BadRequest', `Parsing OData Select and Expand failed: '${expand}' is not expandable here.`);
  }
  const withoutToken = Object.fromEntries(
    Object.entries(request.query).filter(([name]) => name.toLowerCase() !== '$skiptoken'),
  );
  const page = pageOf(runtime.directory.roles.of(kind), options, (skipToken) =>
    absoluteUrl(runtime, request.path, { ...withoutToken, $skiptoken: skipToken }),
  );
  return jsonResponse(200, {
    '@odata.context': metadataUrl(runtime, entitySet),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
    value: page.items.map((grant) => ({
      ...project(grant, selected),
      ...(expand ? { principal: principalOf(runtime, grant) } : {}),
    })),
  });
}

function selectedProperties(raw: string | undefined): string[] {
  if (raw === undefined) return GRANT_PROPERTIES;
  return raw.split(',').map((name) => {
    const known = GRANT_PROPERTIES.find((property) => property.toLowerCase() === name.trim().toLowerCase());
    if (!known) throw badRequest('BadRequest', `Could not find a property named '${name.trim()}' on this type.`);
    return known;
  });
}

function project(grant: SimRoleGrant, selected: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(selected.map((name) => [name, grant[name as keyof SimRoleGrant]]));
}

/** The principal as a directoryObject with its `@odata.type`; null for one the tenant no longer has. */
function principalOf(runtime: SimRuntime, grant: SimRoleGrant): Record<string, unknown> | null {
  const group = runtime.directory.roles.groups.get(grant.principalId);
  if (group)
    return {
      '@odata.type': '#microsoft.graph.group',
      id: group.id,
      displayName: group.displayName,
      isAssignableToRole: group.isAssignableToRole,
    };
  const user = runtime.directory.get(grant.principalId);
  if (!user) return null;
  return {
    '@odata.type': '#microsoft.graph.user',
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
  };
}
