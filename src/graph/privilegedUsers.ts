/**
 * Who holds or is eligible for a directory role, read app-only with the least-privileged
 * permissions that show it (docs/privileged-targets.md):
 * - "List unifiedRoleAssignments": GET /roleManagement/directory/roleAssignments, active
 *   assignments (RoleManagement.Read.Directory);
 * - "List roleEligibilitySchedules": GET /roleManagement/directory/roleEligibilitySchedules, PIM
 *   eligibilities, current and future (RoleManagement.Read.Directory covers it too);
 * and for each role-assignable group among those principals:
 * - "List group transitive members" and "List group owners" (GroupMember.Read.All): an owner can
 *   add themselves;
 * - PIM for Groups "List eligibilitySchedules" filtered on the group
 *   (PrivilegedEligibilitySchedule.Read.AzureADGroup): members and owners not yet activated.
 * Both role lists `$expand=principal` so a group is told from a user without another request.
 * A tenant without Entra ID P2 / ID Governance answers the PIM lists 400 AadPremiumLicenseRequired:
 * it has no eligibilities, so those lists count as empty (said once in the log).
 * One read serves every job of this process for `ttlMs`; concurrent callers share it, and a
 * failed read is not kept, so the next job asks again.
 */
import { AppError, isAppError } from '../core/errors';
import { ROLE_HOLDER_READS } from '../core/mappingTargets';
import type { Logger, Privilege } from '../core/ports';
import { type ExecuteRequest, graphError, readCollection } from './graphResponse';
import { encodeQueryValue, odataLiteral, pathSegment } from './odataQuery';
import { isObject } from './toDirectoryUser';

/** A role granted after the read reaches the screen within this time. */
export const PRIVILEGED_USERS_TTL_MS = 5 * 60_000;

const ROLE_LISTS = ['roleAssignments', 'roleEligibilitySchedules'] as const;
const UNLICENSED = 'AadPremiumLicenseRequired';

export interface PrivilegedUsersDeps {
  execute: ExecuteRequest;
  relativeLink(link: string): string;
  logger?: Logger;
  now?: () => number;
  ttlMs?: number;
}

export class PrivilegedUsers {
  private cached: { ids: Promise<ReadonlyMap<string, Privilege>>; at: number } | null = null;
  private unlicensedSaid = false;

  constructor(private readonly deps: PrivilegedUsersDeps) {}

  /** Each privileged user with one way it holds a role (an active one first, as read first). */
  ids(): Promise<ReadonlyMap<string, Privilege>> {
    const now = (this.deps.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.deps.ttlMs ?? PRIVILEGED_USERS_TTL_MS)) return this.cached.ids;
    const ids = this.read().catch((err: unknown) => {
      throw withGrantHint(err);
    });
    const entry = { ids, at: now };
    this.cached = entry;
    ids.catch(() => {
      if (this.cached === entry) this.cached = null;
    });
    return ids;
  }

  private async read(): Promise<ReadonlyMap<string, Privilege>> {
    const users = new Map<string, Privilege>();
    const groups = new Map<string, Privilege>();
    const keepFirst = (map: Map<string, Privilege>, id: string, privilege: Privilege) => {
      if (!map.has(id)) map.set(id, privilege);
    };
    for (const list of ROLE_LISTS) {
      const url = `/roleManagement/directory/${list}?$select=principalId,roleDefinitionId&$expand=principal`;
      const pim = list === 'roleEligibilitySchedules';
      for (const row of await this.all(url, `the ${list} list`, pim)) {
        if (!isObject(row) || typeof row.principalId !== 'string') continue;
        const type = isObject(row.principal) ? row.principal['@odata.type'] : undefined;
        const role = typeof row.roleDefinitionId === 'string' ? row.roleDefinitionId : null;
        const privilege: Privilege = { roleDefinitionId: role, eligible: pim };
        if (type === '#microsoft.graph.group') keepFirst(groups, row.principalId, privilege);
        // A user, or a principal Graph did not describe: screening an id that is no user costs nothing.
        else if (type !== '#microsoft.graph.servicePrincipal') keepFirst(users, row.principalId, privilege);
      }
    }
    for (const [group, privilege] of groups)
      for (const id of await this.groupUsers(group)) keepFirst(users, id, { ...privilege, groupId: group });
    return users;
  }

  /** Members, owners and PIM-for-Groups eligible members and owners of one role-holding group. */
  private async groupUsers(group: string): Promise<string[]> {
    const id = pathSegment(group, 'group id');
    const filter = encodeQueryValue(`groupId eq ${odataLiteral(group)}`);
    const lists = [
      { url: `/groups/${id}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`, key: 'id', pim: false },
      { url: `/groups/${id}/owners/microsoft.graph.user?$select=id&$top=999`, key: 'id', pim: false },
      {
        url: `/identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=${filter}&$select=principalId`,
        key: 'principalId',
        pim: true,
      },
    ];
    const ids: string[] = [];
    for (const { url, key, pim } of lists) {
      for (const row of await this.groupList(url, pim)) {
        const value = isObject(row) ? row[key] : undefined;
        if (typeof value === 'string') ids.push(value);
      }
    }
    return ids;
  }

  /** A group deleted since the role lists were read has no one left to screen. */
  private async groupList(url: string, pim: boolean): Promise<unknown[]> {
    try {
      return await this.all(url, 'a role-assignable group', pim);
    } catch (err) {
      if (isAppError(err) && err.status === 404) return [];
      throw err;
    }
  }

  /** Every row of a collection, following `@odata.nextLink`; a PIM list in an unlicensed tenant is empty. */
  private async all(url: string, what: string, pim: boolean): Promise<unknown[]> {
    const first = await this.deps.execute({ method: 'GET', url }, what);
    if (pim && first.status === 400 && graphError(first).code === UNLICENSED) {
      this.sayUnlicensed();
      return [];
    }
    return readCollection(this.deps, first, what);
  }

  private sayUnlicensed(): void {
    if (this.unlicensedSaid) return;
    this.unlicensedSaid = true;
    this.deps.logger?.log(
      'warn',
      'This tenant has no Microsoft Entra ID P2 or ID Governance licence (Graph answered AadPremiumLicenseRequired): there are no PIM eligibilities, so the privileged-target screen reads active role holders only.',
    );
  }
}

/** A refused read stops reset-channel writes for everyone: the operator learns which grant is missing. */
function withGrantHint(err: unknown): unknown {
  if (!isAppError(err) || err.code !== 'GRAPH.REQUEST_REFUSED' || (err.status !== 401 && err.status !== 403))
    return err;
  return new AppError(
    'GRAPH.REQUEST_REFUSED',
    `${err.message} Reset channels are written for nobody until the app can read who holds a directory role (grant ${ROLE_HOLDER_READS.join(', ')}).`,
    { status: err.status, cause: err },
  );
}
