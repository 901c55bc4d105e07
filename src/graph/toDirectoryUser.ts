/**
 * Turns a Graph user object into the `DirectoryUser` the core reads. Graph leaves out
 * properties that hold no value, so missing collections become [] and missing scalars null.
 */
import { AppError } from '../core/errors';
import type { AuthenticationEmailMethod, DirectoryUser } from '../core/ports';

type Json = Record<string, unknown>;

export function toDirectoryUser(raw: unknown, extensionProperties: readonly string[] = []): DirectoryUser {
  if (!isObject(raw) || typeof raw.id !== 'string' || raw.id.length === 0) {
    throw new AppError('GRAPH.BAD_RESPONSE', 'Graph returned a user without an id.');
  }
  const extensions: Record<string, unknown> = {};
  for (const name of extensionProperties) extensions[name] = raw[name] ?? null;
  return {
    id: raw.id,
    employeeId: typeof raw.employeeId === 'string' ? raw.employeeId : null,
    onPremisesSyncEnabled: typeof raw.onPremisesSyncEnabled === 'boolean' ? raw.onPremisesSyncEnabled : null,
    otherMails: Array.isArray(raw.otherMails)
      ? raw.otherMails.filter((mail): mail is string => typeof mail === 'string')
      : [],
    usageLocation: typeof raw.usageLocation === 'string' && raw.usageLocation.length > 0 ? raw.usageLocation : null,
    userPrincipalName: typeof raw.userPrincipalName === 'string' ? raw.userPrincipalName : null,
    extensions,
  };
}

/** The `value` array of a collection response. */
export function collectionValues(body: unknown): unknown[] {
  if (!isObject(body) || !Array.isArray(body.value)) {
    throw new AppError('GRAPH.BAD_RESPONSE', 'Graph returned a collection without a value array.');
  }
  return body.value;
}

export function toEmailMethod(raw: unknown): AuthenticationEmailMethod {
  if (!isObject(raw) || typeof raw.id !== 'string' || typeof raw.emailAddress !== 'string') {
    throw new AppError('GRAPH.BAD_RESPONSE', 'Graph returned an email method without id or emailAddress.');
  }
  return { id: raw.id, emailAddress: raw.emailAddress };
}

/** Whether a user's employeeId is the looked-up one; Graph compares case-insensitively. */
export function sameEmployeeId(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
