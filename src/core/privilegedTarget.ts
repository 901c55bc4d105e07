/**
 * Safety rule 4: no password-reset channel on a privileged account. A user who holds or is
 * eligible for a directory role (directly or through a role-assignable group) gets nothing from
 * this connector: Graph refuses `otherMails` only for active role holders, and documents no
 * refusal at all for an app's write of the email method, so its 403 is only the second line.
 *
 * The whole worker is denied, not only its reset channels: a partly written admin would still be
 * linked to a Workday record that anyone editing personal data can steer, and one outcome per
 * worker keeps the operator's picture exact (docs/design.md "Safety rules").
 */
import type { Mapping } from './connector';
import type { Outcome } from './outcome';
import type { Directory, Privilege } from './ports';
import { roleName } from './roleNames';

/** The targets a password reset can be sent to. */
export const RESET_CHANNEL_TARGETS: ReadonlySet<string> = new Set(['otherMails', 'authenticationEmail']);

export function mapsResetChannel(mappings: readonly Pick<Mapping, 'target'>[]): boolean {
  return mappings.some((mapping) => RESET_CHANNEL_TARGETS.has(mapping.target));
}

/**
 * `denied privilegedTarget` for a privileged user when the mapping writes a reset channel, else
 * null. A mapping without one needs no screen and makes no lookup. When the lookup is refused
 * the AppError propagates: no worker is written unscreened, and the run stops as for any
 * refusal of the app as a whole.
 */
export async function screenPrivilegedTarget(
  userId: string,
  mappings: readonly Pick<Mapping, 'target'>[],
  directory: Pick<Directory, 'privilegedUserIds'>,
  previouslyWritten: Record<string, string> = {},
): Promise<Pick<Outcome, 'code' | 'reason' | 'detail'> | null> {
  if (!mapsResetChannel(mappings)) return null;
  const privilege = (await directory.privilegedUserIds()).get(userId);
  if (!privilege) return null;
  // Written before the user became an admin: the connector removes nothing (safety rule 1), a person must.
  const left = Object.keys(previouslyWritten).filter((target) => RESET_CHANNEL_TARGETS.has(target));
  const leftover =
    left.length > 0 ? `; this connector set ${left.join(' and ')} before the role was held: remove it by hand` : '';
  return {
    code: 'denied',
    reason: 'privilegedTarget',
    detail: `the user ${howHeld(privilege)}: this connector sets no password-reset channel on an administrator, and writes nothing to it${leftover}. ${WHAT_TO_DO}`,
  };
}

/** E.g. `is PIM-eligible for Global Administrator through role-assignable group 3f2a…`. */
export function howHeld(privilege: Privilege): string {
  const held = `${privilege.eligible ? 'is PIM-eligible for' : 'holds'} ${roleName(privilege.roleDefinitionId)}`;
  return privilege.groupId
    ? `${held} through role-assignable group ${privilege.groupId} (a member, an owner or eligible for it)`
    : `${held} (${privilege.eligible ? 'an eligible' : 'an active'} assignment)`;
}

const WHAT_TO_DO =
  'What to do: if the person needs an alternate email, a Privileged Authentication Administrator sets it by hand; if the role is not meant to be held, remove it and run `resync <workerId>`';
