/**
 * Who a 403 on a write is about. Graph answers `403 Authorization_RequestDenied` both when the
 * target holds a privileged admin role (a refusal about this one user: outcome `denied`) and when
 * the app lacks the permission or it has not propagated yet (a refusal of every write: marking
 * the population `denied` would settle thousands of workers that were never written). A 403 is
 * about the user when
 * - the token's app roles (`roles` claim) grant that kind of write, or
 * - this process has seen a write of that kind succeed (the only evidence without a token, with
 *   GRAPH_AUTH=none, and with a token whose roles say nothing or whose grant is a directory role).
 * Anything else is app-wide: the caller throws GRAPH.REQUEST_REFUSED (403), which stops the run
 * and leaves the jobs queued.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export type WriteKind = 'otherMails' | 'userProperties' | 'authenticationEmail';

/** Application roles that grant each kind of write (least privileged first). */
export const GRANTING_ROLES: Record<WriteKind, readonly string[]> = {
  otherMails: ['User-Mail.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  userProperties: ['User.ReadUpdate.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  authenticationEmail: ['UserAuthMethod-Email.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'],
};

/** The kinds of write a `PATCH /users/{id}` body makes. */
export function userPatchKinds(patch: Record<string, unknown>): WriteKind[] {
  const kinds = new Set<WriteKind>();
  for (const name of Object.keys(patch)) kinds.add(name === 'otherMails' ? 'otherMails' : 'userProperties');
  return [...kinds];
}

export class WriteRefusals {
  private readonly proven = new Set<WriteKind>();

  /** @param roles the app roles of the current token; null when unknown. */
  constructor(private readonly roles: () => readonly string[] | null) {}

  succeeded(kinds: readonly WriteKind[]): void {
    for (const kind of kinds) this.proven.add(kind);
  }

  /** Whether a 403 to a write of these kinds is about the target user alone. */
  async isAboutTheUser(kinds: readonly WriteKind[]): Promise<boolean> {
    const roles = this.roles();
    if (roles && kinds.every((kind) => GRANTING_ROLES[kind].some((role) => roles.includes(role)))) return true;
    // Writes answered in the same `$batch` settle in the same turn: count their successes first.
    await nextTurn();
    return kinds.every((kind) => this.proven.has(kind));
  }

  /** Why a refusal is taken as app-wide, for the operator. */
  whyAppWide(kinds: readonly WriteKind[]): string {
    const roles = this.roles();
    const needed = kinds.map((kind) => GRANTING_ROLES[kind][0]).join(' and ');
    return roles && roles.length > 0
      ? `the app's token holds no role that grants it (needs ${needed}; holds ${roles.join(', ')})`
      : `no such write has succeeded from this process yet, so the app's permission (${needed}) may be missing or not yet propagated`;
  }
}
