/**
 * Who a 403 on a write is about. Graph answers `403 Authorization_RequestDenied` both when the
 * target holds a privileged admin role (a refusal about this one user: outcome `denied`) and when
 * the app lacks the permission or it has not propagated yet (a refusal of every write: marking
 * the population `denied` would settle thousands of workers that were never written). A 403 is
 * about the user only when the token's app roles (`roles` claim) grant that kind of write. A
 * write that succeeded earlier proves nothing: the grant may have been removed since, and a warm
 * instance would then settle the whole population `denied`. Anything else (roles that do not grant
 * it, or no roles to read: GRAPH_AUTH=none against a simulator) is app-wide: the caller throws
 * GRAPH.REQUEST_REFUSED (403), which stops the run and leaves the jobs for a retry. Privileged
 * targets, the usual per-user 403, are screened before any write (privilegedTarget.ts), so this
 * is the second line.
 */

import { rolesGranting, type WriteKind } from '../core/mappingTargets';

export type { WriteKind };

/** The kinds of write a `PATCH /users/{id}` body makes. */
export function userPatchKinds(patch: Record<string, unknown>): WriteKind[] {
  const kinds = new Set<WriteKind>();
  for (const name of Object.keys(patch)) kinds.add(name === 'otherMails' ? 'otherMails' : 'userProperties');
  return [...kinds];
}

export class WriteRefusals {
  /** @param roles the app roles of the current token; null when unknown. */
  constructor(private readonly roles: () => readonly string[] | null) {}

  /** Whether a 403 to a write of these kinds is about the target user alone. */
  isAboutTheUser(kinds: readonly WriteKind[]): boolean {
    const roles = this.roles();
    return roles !== null && kinds.every((kind) => rolesGranting(kind).some((role) => roles.includes(role)));
  }

  /** Why a refusal is taken as app-wide, for the operator. */
  whyAppWide(kinds: readonly WriteKind[]): string {
    const roles = this.roles();
    const needed = kinds.map((kind) => rolesGranting(kind)[0]).join(' and ');
    return roles && roles.length > 0
      ? `the app's token holds no role that grants it (needs ${needed}; holds ${roles.join(', ')})`
      : `the app's token carries no application roles to tell a refused user from a missing or not yet propagated permission (${needed})`;
  }
}
