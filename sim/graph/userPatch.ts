/**
 * PATCH /users/{id} as Graph validates it: every property is checked before anything is applied,
 * so a refused PATCH changes nothing. Properties the writer must never send (displayName…) are
 * still accepted where Graph accepts them: the request log, not a refusal, proves they were not sent.
 */
import { isAssignedCountryCode } from './countries';
import { badRequest, GraphRefusal } from './responses';
import type { TenantDirectory } from './tenantDirectory';
import type { SimUser } from './types';
import {
  canonicalUserProperty,
  EXTENSION_PROPERTY,
  isOnPremisesMastered,
  isReadOnlyProperty,
  SENSITIVE_PROPERTIES,
} from './userProperties';

export const MAX_OTHER_MAILS = 250;
export const MAX_OTHER_MAIL_LENGTH = 250;
const MAX_EXTENSION_STRING = 256;

export interface UserChange {
  name: string;
  value: unknown;
  isExtension: boolean;
}

/** `activeRoleHolder`: the user holds a directory role now (directly or through a group). */
export function planUserPatch(
  user: SimUser,
  body: unknown,
  malformedBody: boolean,
  activeRoleHolder = user.privileged,
): UserChange[] {
  if (malformedBody || typeof body !== 'object' || body === null || Array.isArray(body)) throw unreadablePayload();
  const changes: UserChange[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@odata.')) continue;
    if (EXTENSION_PROPERTY.test(key)) {
      checkExtensionValue(key, value);
      changes.push({ name: key, value, isExtension: true });
      continue;
    }
    const name = canonicalUserProperty(key);
    if (!name)
      throw badRequest(
        'Request_BadRequest',
        `Property '${key}' does not exist as a declared property or extension property.`,
      );
    checkWritable(user, name);
    checkValue(name, value);
    changes.push({ name, value, isExtension: false });
  }
  if (activeRoleHolder && changes.some((change) => SENSITIVE_PROPERTIES.has(change.name))) {
    throw new GraphRefusal(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
  return changes;
}

export function applyUserPatch(directory: TenantDirectory, user: SimUser, changes: readonly UserChange[]): void {
  const extra = directory.extraOf(user);
  for (const { name, value, isExtension } of changes) {
    if (isExtension) setExtension(user, name, value);
    else if (name === 'otherMails') user.otherMails = [...(value as string[])];
    else if (name === 'usageLocation') user.usageLocation = value as string;
    else if (name === 'displayName') user.displayName = value as string;
    else if (name === 'userPrincipalName') user.userPrincipalName = value as string;
    else if (name === 'employeeId') directory.setEmployeeId(user, value as string | null);
    else extra[name] = value;
  }
}

export function unreadablePayload(): GraphRefusal {
  return badRequest(
    'BadRequest',
    'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
  );
}

function checkWritable(user: SimUser, name: string): void {
  if (isReadOnlyProperty(name))
    throw badRequest('Request_BadRequest', `Property '${name}' is read-only and cannot be set.`);
  if (user.onPremisesSyncEnabled === true && isOnPremisesMastered(name)) {
    throw badRequest(
      'Request_BadRequest',
      'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
    );
  }
}

function checkValue(name: string, value: unknown): void {
  const problem = problemWith(name, value);
  if (problem) throw invalidValue(name, problem);
}

function problemWith(name: string, value: unknown): string | null {
  switch (name) {
    case 'otherMails':
      return otherMailsProblem(value);
    case 'usageLocation':
      // Not nullable in Graph's user resource: a null is refused, not a way to clear it.
      return typeof value === 'string' && isAssignedCountryCode(value)
        ? null
        : 'expected an assigned ISO 3166-1 alpha-2 code in upper case';
    case 'displayName':
    case 'userPrincipalName':
      return typeof value === 'string' && value.trim() !== '' ? null : 'expected a non-empty string';
    case 'employeeId':
      return value === null || (typeof value === 'string' && value.length <= 16)
        ? null
        : 'expected null or a string of at most 16 characters';
    default:
      return null;
  }
}

function otherMailsProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'expected an array of strings';
  if (value.length > MAX_OTHER_MAILS) return `at most ${MAX_OTHER_MAILS} values are allowed, got ${value.length}`;
  for (const [index, mail] of value.entries()) {
    if (typeof mail !== 'string') return `value ${index} is not a string`;
    if (mail.length > MAX_OTHER_MAIL_LENGTH) return `value ${index} is longer than ${MAX_OTHER_MAIL_LENGTH} characters`;
    // Graph refuses accented (non-ASCII) characters in otherMails.
    if (!/^[\x20-\x7e]*$/.test(mail)) return `value ${index} holds characters outside printable ASCII`;
  }
  return null;
}

function checkExtensionValue(name: string, value: unknown): void {
  const fits = (item: unknown): boolean =>
    (typeof item === 'string' && item.length <= MAX_EXTENSION_STRING) ||
    typeof item === 'number' ||
    typeof item === 'boolean';
  const ok =
    value === null ||
    fits(value) ||
    (Array.isArray(value) && value.every((item) => typeof item === 'string' && fits(item)));
  if (!ok)
    throw invalidValue(
      name,
      'expected null, a string of at most 256 characters, a number, a boolean or an array of strings',
    );
}

function setExtension(user: SimUser, name: string, value: unknown): void {
  const existing = Object.keys(user.extensions).find((key) => key.toLowerCase() === name.toLowerCase());
  if (existing !== undefined) delete user.extensions[existing];
  // Writing null removes the attribute, as Graph does.
  if (value !== null) user.extensions[name] = Array.isArray(value) ? [...value] : value;
}

function invalidValue(name: string, problem: string): GraphRefusal {
  return badRequest(
    'Request_BadRequest',
    `Invalid value specified for property '${name}' of resource 'User'. (${problem})`,
  );
}
