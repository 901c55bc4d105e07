#!/usr/bin/env node
/*
 * Which Microsoft Graph application roles the connector file needs, and what to do about the
 * roles a managed identity already holds. Plain CommonJS with no dependencies: the grant script
 * runs it with the operator's `node`, before (and without) any build.
 *
 *   node required-graph-roles.cjs [connector.json]
 *       prints the required role names, one a line
 *   node required-graph-roles.cjs plan <connector.json> <graph-service-principal.json> <assignments.json>
 *       prints one tab-separated line per role: grant|keep|extra, name, app role id, and for
 *       extra the assignment id and whether it is broader than anything the connector needs
 */
'use strict';

const fs = require('node:fs');

/** Graph roles by mapping target (docs/design.md "Facts the code must respect", least privilege). */
const READ_USERS = 'User.Read.All';
const WRITE_OTHER_MAILS = 'User-Mail.ReadWrite.All';
const WRITE_USER_PROPERTIES = 'User.ReadUpdate.All';
const WRITE_AUTH_EMAIL = 'UserAuthenticationMethod.ReadWrite.All';

const EXTENSION_TARGET = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;

/** Roles that can do far more than this connector; reported as a warning when found. */
const BROADER_ROLES = new Set([
  'User.ReadWrite.All',
  'Directory.ReadWrite.All',
  'Directory.Read.All',
  'User.ManageIdentities.All',
  'User.EnableDisableAccount.All',
  'UserAuthenticationMethod.ReadWrite.All',
  'RoleManagement.ReadWrite.Directory',
  'AppRoleAssignment.ReadWrite.All',
  'Application.ReadWrite.All',
]);

function roleForTarget(target) {
  if (target === 'otherMails') return WRITE_OTHER_MAILS;
  if (target === 'usageLocation' || EXTENSION_TARGET.test(target)) return WRITE_USER_PROPERTIES;
  if (target === 'authenticationEmail') return WRITE_AUTH_EMAIL;
  // The connector schema refuses any other target; refusing here too keeps a new target from
  // silently getting no permission.
  throw new Error(`mapping target '${target}' has no known Graph permission; update infra/required-graph-roles.cjs`);
}

/** The app roles a connector document needs, in a stable order, User.Read.All first. */
function requiredGraphRoles(connector) {
  const mappings = connector && Array.isArray(connector.mappings) ? connector.mappings : null;
  if (!mappings || mappings.length === 0) throw new Error('the connector file has no mappings[]');
  const roles = new Set([READ_USERS]);
  for (const mapping of mappings) {
    if (!mapping || typeof mapping.target !== 'string') throw new Error('every mapping needs a string target');
    roles.add(roleForTarget(mapping.target));
  }
  const order = [READ_USERS, WRITE_OTHER_MAILS, WRITE_USER_PROPERTIES, WRITE_AUTH_EMAIL];
  return order.filter((role) => roles.has(role));
}

/**
 * Compares the required roles with the identity's current Graph assignments.
 * graphServicePrincipal: `{ id, appRoles: [{ id, value }] }`; assignments: `[{ id, appRoleId, resourceId }]`.
 */
function planGrants(required, graphServicePrincipal, assignments) {
  const byValue = new Map(graphServicePrincipal.appRoles.map((role) => [role.value, role.id]));
  const byId = new Map(graphServicePrincipal.appRoles.map((role) => [role.id, role.value]));
  const onGraph = assignments.filter((a) => a.resourceId === graphServicePrincipal.id);
  const held = new Set(onGraph.map((a) => a.appRoleId));
  const steps = required.map((value) => {
    const id = byValue.get(value);
    if (!id) throw new Error(`Microsoft Graph has no application role '${value}' in this tenant`);
    return { action: held.has(id) ? 'keep' : 'grant', value, appRoleId: id };
  });
  const requiredIds = new Set(steps.map((step) => step.appRoleId));
  for (const assignment of onGraph) {
    if (requiredIds.has(assignment.appRoleId)) continue;
    const value = byId.get(assignment.appRoleId) || assignment.appRoleId;
    steps.push({
      action: 'extra',
      value,
      appRoleId: assignment.appRoleId,
      assignmentId: assignment.id,
      broader: BROADER_ROLES.has(value),
    });
  }
  return steps;
}

function readJson(file, what) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${err.message}`);
  }
}

/** `az rest` returns `{ value: [...] }`; a bare array is accepted too. */
function listOf(document) {
  return Array.isArray(document) ? document : document.value || [];
}

function main(argv) {
  if (argv[0] === 'plan') {
    const [, connectorFile, graphFile, assignmentsFile] = argv;
    const required = requiredGraphRoles(readJson(connectorFile, 'connector file'));
    const steps = planGrants(
      required,
      readJson(graphFile, 'Graph service principal'),
      listOf(readJson(assignmentsFile, 'assignments')),
    );
    for (const s of steps) {
      const tail = s.action === 'extra' ? [s.assignmentId, s.broader ? 'broader' : 'unneeded'] : [];
      process.stdout.write(`${[s.action, s.value, s.appRoleId, ...tail].join('\t')}\n`);
    }
    return;
  }
  const connectorFile = argv[0] || 'connector.json';
  for (const role of requiredGraphRoles(readJson(connectorFile, 'connector file'))) process.stdout.write(`${role}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`required-graph-roles: ${err.message}\n`);
    process.exit(2);
  }
}

module.exports = { requiredGraphRoles, planGrants, BROADER_ROLES };
