/**
 * Who holds or is eligible for a directory role, read app-only with the least-privileged
 * permissions that show it (docs/design.md "Privileged targets"):
 * - "List unifiedRoleAssignments": GET /roleManagement/directory/roleAssignments, active
 *   assignments (RoleManagement.Read.Directory);
 * - "List roleEligibilitySchedules": GET /roleManagement/directory/roleEligibilitySchedules, PIM
 *   eligibilities, current and future (RoleManagement.Read.Directory covers it too);
 * - "List group transitive members": GET /groups/{id}/transitiveMembers/microsoft.graph.user for
 *   each role-assignable group among the principals (GroupMember.Read.All).
 * Both role lists `$expand=principal` so a group is told from a user without another request.
 * One read serves every job of this process for `ttlMs`; concurrent callers share it, and a
 * failed read is not kept, so the next job asks again.
 */
import { AppError, isAppError } from '../core/errors';
import type { GraphRequest, GraphResponse } from './graphResponse';
import { readBody } from './graphResponse';
import { pathSegment } from './odataQuery';
import { collectionValues, isObject } from './toDirectoryUser';

/** A role granted after the read reaches the screen within this time. */
export const PRIVILEGED_USERS_TTL_MS = 5 * 60_000;

/** The application permissions the read needs, least privileged (see the module header). */
export const ROLE_READ_PERMISSIONS = ['RoleManagement.Read.Directory', 'GroupMember.Read.All'] as const;

const ROLE_LISTS = ['roleAssignments', 'roleEligibilitySchedules'] as const;

export interface PrivilegedUsersDeps {
  execute(request: GraphRequest, what: string): Promise<GraphResponse>;
  relativeLink(link: string): string;
  now?: () => number;
  ttlMs?: number;
}

export class PrivilegedUsers {
  private cached: { ids: Promise<ReadonlySet<string>>; at: number } | null = null;

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
      for (const row of await this.all(url, `the ${list} list`)) {
        if (!isObject(row) || typeof row.principalId !== 'string') continue;
        const type = isObject(row.principal) ? row.principal['@odata.type'] : undefined;
        if (type === '#microsoft.graph.group') groups.add(row.principalId);
        // A user, or a principal Graph did not describe: screening an id that is no user costs nothing.
        else if (type !== '#microsoft.graph.servicePrincipal') users.add(row.principalId);
      }
    }
    for (const group of groups) {
      const url = `/groups/${pathSegment(group, 'group id')}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`;
      for (const member of await this.members(url))
        if (isObject(member) && typeof member.id === 'string') users.add(member.id);
    }
    return users;
  }

  /** A group deleted since the role lists were read has no members left to screen. */
  private async members(url: string): Promise<unknown[]> {
    try {
      return await this.all(url, 'the members of a role-assignable group');
    } catch (err) {
      if (isAppError(err) && err.status === 404) return [];
      throw err;
    }
  }

  /** Every row of a collection, following `@odata.nextLink`; a refusal names what the read needs. */
  private async all(url: string, what: string): Promise<unknown[]> {
    const rows: unknown[] = [];
    let next: string | null = url;
    while (next !== null) {
      const body = readBody(await this.deps.execute({ method: 'GET', url: next }, what), what);
      rows.push(...collectionValues(body));
      const link = isObject(body) ? body['@odata.nextLink'] : undefined;
      next = typeof link === 'string' && link.length > 0 ? this.deps.relativeLink(link) : null;
    }
    return rows;
  }
}

/** A refused read stops reset-channel writes for everyone: the operator learns which grant is missing. */
function withGrantHint(err: unknown): unknown {
  if (!isAppError(err) || err.code !== 'GRAPH.REQUEST_REFUSED') return err;
  return new AppError(
    'GRAPH.REQUEST_REFUSED',
    `${err.message} Reset channels are written for nobody until the app can read who holds a directory role (grant ${ROLE_READ_PERMISSIONS.join(' and ')}).`,
    { ...(err.status === undefined ? {} : { status: err.status }), cause: err },
  );
}
