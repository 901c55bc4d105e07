// Generated from src/core/mappingTargets.ts by `npm run infra:roles`: edit that file, not this one.
"use strict";
/**
 * What a mapping may write, and the Microsoft Graph application roles each target needs: the one
 * home of this knowledge. The connector schema takes its targets from here; `check` reads the
 * token's roles against it; the write path tells a refused user from a missing grant with it; and
 * the grant script runs a copy compiled to infra/graph-roles.cjs (`npm run infra:roles`, checked
 * current by a test), because it runs at `azd up`'s postprovision, before anything is built.
 *
 * No imports, so the compiled copy runs alone under the operator's `node`. Least privilege, per
 * Microsoft's "Microsoft Graph permissions reference" and docs/design.md "Facts the code must respect".
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.ROLE_HOLDER_READS = exports.isExtensionAttribute = exports.USER_PROPERTY_TARGETS = exports.CLOUD_ONLY_TARGETS = void 0;
exports.rolesGranting = rolesGranting;
exports.broaderRoleAdvice = broaderRoleAdvice;
exports.requiredGraphRoles = requiredGraphRoles;
exports.planGrants = planGrants;
/**
 * Safety rule 2: the only targets Cloud Sync does not own. Everything else, above all the synced
 * properties and anything that could sign a user in or out, is refused by the connector schema.
 */
exports.CLOUD_ONLY_TARGETS = ['otherMails', 'usageLocation', 'authenticationEmail'];
/** The targets that are properties of the user itself (one PATCH); authenticationEmail is a method of its own. */
exports.USER_PROPERTY_TARGETS = new Set(['otherMails', 'usageLocation']);
/** A directory extension attribute: `extension_<application id without dashes>_<name>`. */
const EXTENSION_ATTRIBUTE = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;
const isExtensionAttribute = (name) => EXTENSION_ATTRIBUTE.test(name);
exports.isExtensionAttribute = isExtensionAttribute;
const READ_USERS = 'User.Read.All';
const WRITE_OTHER_MAILS = 'User-Mail.ReadWrite.All';
const WRITE_USER_PROPERTIES = 'User.ReadUpdate.All';
/** The email method alone: never UserAuthenticationMethod.ReadWrite.All (see BROADER_THAN_NEEDED). */
const WRITE_AUTH_EMAIL = 'UserAuthMethod-Email.ReadWrite.All';
/**
 * The privileged-target screen (docs/privileged-targets.md): who holds or is eligible for a
 * directory role, and who is a member or owner (active or PIM-eligible) of a role-assignable group
 * that does. Needed whenever a reset channel is mapped: without them no reset channel is written.
 */
const READ_ROLE_HOLDERS = 'RoleManagement.Read.Directory';
const READ_GROUP_MEMBERS = 'GroupMember.Read.All';
const READ_GROUP_ELIGIBILITIES = 'PrivilegedEligibilitySchedule.Read.AzureADGroup';
exports.ROLE_HOLDER_READS = [READ_ROLE_HOLDERS, READ_GROUP_MEMBERS, READ_GROUP_ELIGIBILITIES];
const RESET_CHANNEL_TARGETS = new Set(['otherMails', 'authenticationEmail']);
/** The order roles are listed in, User.Read.All first. */
const ROLE_ORDER = [
    READ_USERS,
    WRITE_OTHER_MAILS,
    WRITE_USER_PROPERTIES,
    WRITE_AUTH_EMAIL,
    READ_ROLE_HOLDERS,
    READ_GROUP_MEMBERS,
    READ_GROUP_ELIGIBILITIES,
];
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
const WRITE_ROLE = {
    otherMails: WRITE_OTHER_MAILS,
    userProperties: WRITE_USER_PROPERTIES,
    authenticationEmail: WRITE_AUTH_EMAIL,
};
/** The application roles that allow a kind of write: its least-privileged role, then the broader ones. */
function rolesGranting(kind) {
    const least = WRITE_ROLE[kind];
    const broader = Object.keys(BROADER_THAN_NEEDED).filter((role) => BROADER_THAN_NEEDED[role].narrower.includes(least));
    return [least, ...broader];
}
/**
 * What to tell an operator about a broader role: what it can do, and the narrower roles among
 * `required` that do this connector's part, e.g. "UserAuthenticationMethod.ReadWrite.All is broader
 * than needed: it can create a Temporary Access Pass for any account, break-glass admins included;
 * grant UserAuthMethod-Email.ReadWrite.All and remove it". Null for a role that is not broader.
 */
function broaderRoleAdvice(role, required) {
    const entry = BROADER_THAN_NEEDED[role];
    if (!entry)
        return null;
    const narrower = entry.narrower.filter((name) => required.includes(name));
    const fix = narrower.length > 0 ? `grant ${narrower.join(' and ')} and remove it` : 'remove it';
    return `${role} is broader than needed: ${entry.power}; ${fix}`;
}
function roleForTarget(target) {
    if (target === 'otherMails')
        return WRITE_OTHER_MAILS;
    if (target === 'usageLocation' || (0, exports.isExtensionAttribute)(target))
        return WRITE_USER_PROPERTIES;
    if (target === 'authenticationEmail')
        return WRITE_AUTH_EMAIL;
    // The connector schema refuses any other target; refusing here too keeps a new target from
    // silently getting no permission (and the grant script reads the file unvalidated).
    throw new Error(`mapping target '${target}' has no known Graph permission; update src/core/mappingTargets.ts`);
}
/**
 * The app roles a connector document needs, in a stable order, User.Read.All first. Takes the
 * document as read from disk (the grant script validates nothing else), so it checks its shape.
 */
function requiredGraphRoles(connector) {
    const mappings = connector?.mappings;
    if (!Array.isArray(mappings) || mappings.length === 0)
        throw new Error('the connector file has no mappings[]');
    const roles = new Set([READ_USERS]);
    for (const mapping of mappings) {
        const target = mapping?.target;
        if (typeof target !== 'string')
            throw new Error('every mapping needs a string target');
        roles.add(roleForTarget(target));
        // No reset channel is written before the screen has read who holds a role.
        if (RESET_CHANNEL_TARGETS.has(target))
            for (const role of exports.ROLE_HOLDER_READS)
                roles.add(role);
    }
    return ROLE_ORDER.filter((role) => roles.has(role));
}
/** Compares the required roles with the identity's current Graph assignments (the grant script's plan). */
function planGrants(required, graphServicePrincipal, assignments) {
    const byValue = new Map(graphServicePrincipal.appRoles.map((role) => [role.value, role.id]));
    const byId = new Map(graphServicePrincipal.appRoles.map((role) => [role.id, role.value]));
    const onGraph = assignments.filter((a) => a.resourceId === graphServicePrincipal.id);
    const held = new Set(onGraph.map((a) => a.appRoleId));
    const steps = required.map((value) => {
        const id = byValue.get(value);
        if (!id)
            throw new Error(`Microsoft Graph has no application role '${value}' in this tenant`);
        return { action: held.has(id) ? 'keep' : 'grant', value, appRoleId: id };
    });
    const requiredIds = new Set(steps.map((step) => step.appRoleId));
    for (const assignment of onGraph) {
        if (requiredIds.has(assignment.appRoleId))
            continue;
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
