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
 *       extra the assignment id, whether it is broader than anything the connector needs, and
 *       for a broader one what it can do and the narrower role to grant instead
 */
'use strict';

const fs = require('node:fs');

/** Graph roles by mapping target (docs/design.md "Facts the code must respect", least privilege). */
const READ_USERS = 'User.Read.All';
const WRITE_OTHER_MAILS = 'User-Mail.ReadWrite.All';
const WRITE_USER_PROPERTIES = 'User.ReadUpdate.All';
/** The email method alone: never UserAuthenticationMethod.ReadWrite.All (see BROADER_ROLES). */
const WRITE_AUTH_EMAIL = 'UserAuthMethod-Email.ReadWrite.All';
/**
 * The privileged-target screen (docs/privileged-targets.md): who holds or is eligible for a
 * directory role, and who is a member or owner (active or PIM-eligible) of a role-assignable group
 * that does. Needed whenever a reset channel is mapped.
 */
const READ_ROLE_HOLDERS = 'RoleManagement.Read.Directory';
const READ_GROUP_MEMBERS = 'GroupMember.Read.All';
const READ_GROUP_ELIGIBILITIES = 'PrivilegedEligibilitySchedule.Read.AzureADGroup';
const ROLE_HOLDER_READS = [READ_ROLE_HOLDERS, READ_GROUP_MEMBERS, READ_GROUP_ELIGIBILITIES];
const RESET_CHANNEL_TARGETS = new Set(['otherMails', 'authenticationEmail']);

const EXTENSION_TARGET = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;

/**
 * Roles that can do far more than this connector: what each can do, and the narrower roles that
 * cover this connector's part of it. Reported when found, never granted.
 */
const BROADER_THAN_NEEDED = {
  'UserAuthenticationMethod.ReadWrite.All': {
    power: 'it can create a Temporary Access Pass for any account, break-glass admins included',
    narrower: [WRITE_AUTH_EMAIL],
  },
  'User.ReadWrite.All': {
    power: 'it can change any property of any user',
    narrower: [WRITE_OTHER_MAILS, WRITE_USER_PROPERTIES],
  },
  'Directory.ReadWrite.All': {
    power: 'it can change almost anything in the directory',
    narrower: [WRITE_OTHER_MAILS, WRITE_USER_PROPERTIES, READ_USERS, READ_ROLE_HOLDERS, READ_GROUP_MEMBERS],
  },
  'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup': {
    power: 'it can make any user eligible for a role-assignable group, and so for its roles',
    narrower: [READ_GROUP_ELIGIBILITIES],
  },
  'Directory.Read.All': {
    power: 'it reads the whole directory',
    narrower: [READ_USERS, READ_ROLE_HOLDERS, READ_GROUP_MEMBERS],
  },
  'User.ManageIdentities.All': { power: "it can change any user's sign-in identities", narrower: [] },
  'User.EnableDisableAccount.All': { power: 'it can disable any account', narrower: [] },
  'RoleManagement.ReadWrite.Directory': {
    power: 'it can grant any directory role, Global Administrator included',
    narrower: [READ_ROLE_HOLDERS],
  },
  'AppRoleAssignment.ReadWrite.All': { power: 'it can grant any app, itself included, any permission', narrower: [] },
  'Application.ReadWrite.All': { power: 'it can add credentials to any app and act as it', narrower: [] },
};
const BROADER_ROLES = new Set(Object.keys(BROADER_THAN_NEEDED));

/**
 * What to tell an operator about a broader role: what it can do, and the narrower roles among
 * `required` that do this connector's part, e.g. "UserAuthenticationMethod.ReadWrite.All is broader
 * than needed: it can create a Temporary Access Pass for any account, break-glass admins included;
 * grant UserAuthMethod-Email.ReadWrite.All and remove it". Null for a role that is not broader.
 */
function broaderRoleAdvice(role, required) {
  const entry = BROADER_THAN_NEEDED[role];
  if (!entry) return null;
  const narrower = entry.narrower.filter((name) => required.includes(name));
  const fix = narrower.length > 0 ? `grant ${narrower.join(' and ')} and remove it` : 'remove it';
  return `${role} is broader than needed: ${entry.power}; ${fix}`;
}

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
    // No reset channel is written before the screen has read who holds a role.
    if (RESET_CHANNEL_TARGETS.has(mapping.target)) for (const role of ROLE_HOLDER_READS) roles.add(role);
  }
  const order = [
    READ_USERS,
    WRITE_OTHER_MAILS,
    WRITE_USER_PROPERTIES,
    WRITE_AUTH_EMAIL,
    READ_ROLE_HOLDERS,
    READ_GROUP_MEMBERS,
    READ_GROUP_ELIGIBILITIES,
  ];
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
    const advice = broaderRoleAdvice(value, required);
    steps.push({
      action: 'extra',
      value,
      appRoleId: assignment.appRoleId,
      assignmentId: assignment.id,
      broader: advice !== null,
      ...(advice ? { advice } : {}),
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
      const tail = s.action === 'extra' ? [s.assignmentId, s.broader ? 'broader' : 'unneeded', s.advice || ''] : [];
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

module.exports = {
  requiredGraphRoles,
  planGrants,
  broaderRoleAdvice,
  BROADER_ROLES,
  ROLE_HOLDER_READS,
};
