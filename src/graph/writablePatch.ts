/**
 * Safety rule 2 at the last line of defence: a PATCH may only carry cloud-only properties that
 * Cloud Sync does not own. The connector schema refuses other targets already; this refuses
 * them again where the request is built, whatever the caller.
 */
import { AppError } from '../core/errors';

const WRITABLE = new Set(['otherMails', 'usageLocation']);
const EXTENSION = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;

export function isWritableProperty(name: string): boolean {
  return WRITABLE.has(name) || EXTENSION.test(name);
}

export function assertWritablePatch(patch: Record<string, unknown>): void {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch) || Object.keys(patch).length === 0) {
    throw new AppError('INPUT.INVALID', 'A user PATCH needs at least one property.');
  }
  const refused = Object.keys(patch).filter((name) => !isWritableProperty(name));
  if (refused.length > 0) {
    throw new AppError('INPUT.INVALID', `Refusing to write ${refused.join(', ')}: only otherMails, usageLocation and directory extensions are written.`);
  }
}
