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
import type { Logger } from '../core/ports';
import type { GraphRequest, GraphResponse } from './graphResponse';
import { graphError, readBody } from './graphResponse';
import { encodeQueryValue, odataLiteral, pathSegment } from './odataQuery';
import { collectionValues, isObject } from './toDirectoryUser';

/** A role granted after the read reaches the screen within this time. */
export const PRIVILEGED_USERS_TTL_MS = 5 * 60_000;

const ROLE_LISTS = ['roleAssignments', 'roleEligibilitySchedules'] as const;
const UNLICENSED = 'AadPremiumLicenseRequired';

export interface PrivilegedUsersDeps {
  execute(request: GraphRequest, what: string): Promise<GraphResponse>;
  relativeLink(link: string): string;
  logger?: Logger;
  now?: () => number;
  ttlMs?: number;
}

export class PrivilegedUsers {
  private cached: { ids: Promise<ReadonlySet<string>>; at: number } | null = null;
  private unlicensedSaid = false;

  constructor(private readonly deps: PrivilegedUsersDeps) {}

  ids(): Promise<ReadonlySet<string>> {
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

  private async read(): Promise<ReadonlySet<string>> {
    const users = new Set<string>();
    const groups = new Set<string>();
    for (const list of ROLE_LISTS) {
      const url = `/roleManagement/directory/${list}?$select=principalId&$expand=principal`;
      const pim = list === 'roleEligibilitySchedules';
      for (const row of await this.all(url, `the ${list} list`, pim)) {
        if (!isObject(row) || typeof row.principalId !== 'string') continue;
        const type = isObject(row.principal) ? row.principal['@odata.type'] : undefined;
        if (type === '#microsoft.graph.group') groups.add(row.principalId);
        // A user, or a principal Graph did not describe: screening an id that is no user costs nothing.
        else if (type !== '#microsoft.graph.servicePrincipal') users.add(row.principalId);
      }
    }
    for (const group of groups) for (const id of await this.groupUsers(group)) users.add(id);
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
    const rows: unknown[] = [];
    let next: string | null = url;
    while (next !== null) {
      const response = await this.deps.execute({ method: 'GET', url: next }, what);
      if (pim && response.status === 400 && graphError(response).code === UNLICENSED) {
        this.sayUnlicensed();
        return [];
      }
      const body = readBody(response, what);
      rows.push(...collectionValues(body));
      const link = isObject(body) ? body['@odata.nextLink'] : undefined;
      next = typeof link === 'string' && link.length > 0 ? this.deps.relativeLink(link) : null;
    }
    return rows;
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
    { ...(err.status === undefined ? {} : { status: err.status }), cause: err },
  );
}
