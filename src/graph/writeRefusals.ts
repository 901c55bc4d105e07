/**
 * Who a 403 on a write is about. Graph answers `403 Authorization_RequestDenied` both when the
 * target holds a privileged admin role (a refusal about this one user: outcome `denied`) and when
 * the app lacks the permission or it has not propagated yet (a refusal of every write: marking
 * the population `denied` would settle thousands of workers that were never written). So:
 * - when the token names its app roles, a 403 is about the user only if the roles grant the write;
 * - when there is no token (GRAPH_AUTH=none) or it names no roles, only once this process has
 *   seen a write of that kind succeed.
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
    if (roles && roles.length > 0) return kinds.every((kind) => GRANTING_ROLES[kind].some((role) => roles.includes(role)));
    // Writes answered in the same `$batch` settle in the same turn: count their successes first.
    await nextTurn();
    return kinds.every((kind) => this.proven.has(kind));
  }

  /** What to tell the operator when a refusal is app-wide. */
  describe(kinds: readonly WriteKind[]): string {
    const roles = this.roles();
    const needed = kinds.map((kind) => GRANTING_ROLES[kind][0]).join(' and ');
    return roles && roles.length > 0
      ? `the app's token holds no role that grants it (needs ${needed}; holds ${roles.join(', ')})`
      : `no such write has succeeded from this process yet, so the app's permission (${needed}) may be missing or not yet propagated`;
  }
}
