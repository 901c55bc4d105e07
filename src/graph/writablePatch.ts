/**
 * Safety rule 2 at the last line of defence: a PATCH may only carry cloud-only properties that
 * Cloud Sync does not own. The connector schema refuses other targets already; this refuses
 * them again where the request is built, whatever the caller.
 */
import { isExtensionAttribute, USER_PROPERTY_TARGETS } from '../core/mappingTargets';
import { AppError } from '../core/errors';

export function isWritableProperty(name: string): boolean {
  return USER_PROPERTY_TARGETS.has(name) || isExtensionAttribute(name);
}

export function assertWritablePatch(patch: Record<string, unknown>): void {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch) || Object.keys(patch).length === 0) {
    throw new AppError('INPUT.INVALID', 'A user PATCH needs at least one property.');
  }
  const refused = Object.keys(patch).filter((name) => !isWritableProperty(name));
  if (refused.length > 0) {
    throw new AppError(
      'INPUT.INVALID',
      `Refusing to write ${refused.join(', ')}: only otherMails, usageLocation and directory extensions are written.`,
    );
  }
}
