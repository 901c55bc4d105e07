/**
 * Who holds a directory role in the simulated tenant: active assignments and PIM eligibilities,
 * made to a user directly or to a role-assignable group (whose members then hold the role), as
 * "unifiedRoleAssignment" and "unifiedRoleEligibilitySchedule" in the Graph reference describe
 * them. Graph refuses a sensitive property such as otherMails only for ACTIVE role holders; an
 * eligible admin is not refused (the role is not theirs until they activate it).
 */
import { randomUUID } from 'node:crypto';

/** The built-in Global Administrator role definition id (the same in every tenant). */
export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

export type RoleKind = 'active' | 'eligible';

export interface SimRoleGrant {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  kind: RoleKind;
}

export interface SimGroup {
  id: string;
  displayName: string;
  isAssignableToRole: boolean;
  members: Set<string>;
  /** Owners manage membership: an owner of a role-holding group can add themselves. */
  owners: Set<string>;
  /** PIM for Groups: users eligible for membership or ownership, not yet active. */
  eligible: Array<{ principalId: string; accessId: 'member' | 'owner' }>;
}

export interface SimGroupSeed {
  members?: readonly string[];
  owners?: readonly string[];
  eligibleMembers?: readonly string[];
  eligibleOwners?: readonly string[];
}

export class RoleDirectory {
  readonly grants: SimRoleGrant[] = [];
  readonly groups = new Map<string, SimGroup>();

  grant(principalId: string, kind: RoleKind, roleDefinitionId = GLOBAL_ADMINISTRATOR): SimRoleGrant {
    const grant = { id: randomUUID(), principalId, roleDefinitionId, directoryScopeId: '/', kind };
    this.grants.push(grant);
    return grant;
  }

  /** A role-assignable group (members are users: such a group cannot nest groups). */
  addGroup(displayName: string, seed: SimGroupSeed = {}): SimGroup {
    const group: SimGroup = {
      id: randomUUID(),
      displayName,
      isAssignableToRole: true,
      members: new Set(seed.members ?? []),
      owners: new Set(seed.owners ?? []),
      eligible: [
        ...(seed.eligibleMembers ?? []).map((principalId) => ({ principalId, accessId: 'member' as const })),
        ...(seed.eligibleOwners ?? []).map((principalId) => ({ principalId, accessId: 'owner' as const })),
      ],
    };
    this.groups.set(group.id, group);
    return group;
  }

  of(kind: RoleKind): SimRoleGrant[] {
    return this.grants.filter((grant) => grant.kind === kind);
  }

  /** Whether the user holds an active role, directly or through a group: Graph's otherMails refusal. */
  holdsActiveRole(userId: string): boolean {
    return this.of('active').some(
      (grant) => grant.principalId === userId || this.groups.get(grant.principalId)?.members.has(userId) === true,
    );
  }
}
