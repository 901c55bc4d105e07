/**
 * The OData queries the adapter sends. Every worker id becomes a quoted OData literal with its
 * quotes doubled, and the whole expression is percent-encoded, so no id (quotes, ` or `,
 * parentheses, `&`, `#`, unicode) can widen a filter or add a query option.
 */
import { isExtensionAttribute } from '../core/mappingTargets';
import { AppError } from '../core/errors';
import { CONTROL_CHARACTERS } from '../core/worker';

/** Entra's limit on `employeeId` (docs/design.md, "Facts the code must respect"). */
export const MAX_EMPLOYEE_ID_LENGTH = 16;
/** Graph takes at most 15 values in one `in (…)` filter. */
export const MAX_IN_VALUES = 15;

/** What the writer reads from a user; Graph returns none of these unless `$select`ed. */
const USER_PROPERTIES = [
  'id',
  'employeeId',
  'otherMails',
  'usageLocation',
  'onPremisesSyncEnabled',
  // Read only to name the users of a duplicate employeeId; it costs nothing more in the same request.
  'userPrincipalName',
] as const;

/** Refuses ids that Graph could never hold, before any request is sent. */
export function assertEmployeeId(employeeId: string): void {
  if (typeof employeeId !== 'string' || employeeId.length === 0) {
    throw new AppError('INPUT.INVALID', 'An employeeId lookup needs a non-empty id.');
  }
  if ([...employeeId].length > MAX_EMPLOYEE_ID_LENGTH) {
    throw new AppError(
      'INPUT.INVALID',
      `An employeeId holds at most ${MAX_EMPLOYEE_ID_LENGTH} characters; got ${[...employeeId].length}.`,
    );
  }
  if (CONTROL_CHARACTERS.test(employeeId)) {
    throw new AppError('INPUT.INVALID', 'An employeeId holds no control characters.');
  }
}

/** `'O''Brien'`: an OData string literal, quotes doubled. */
export function odataLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `employeeId eq '…'` for one id, `employeeId in ('…','…')` for up to 15. */
export function employeeIdFilter(employeeIds: readonly string[]): string {
  if (employeeIds.length === 0 || employeeIds.length > MAX_IN_VALUES) {
    throw new AppError(
      'INTERNAL',
      `An employeeId filter takes 1 to ${MAX_IN_VALUES} values; got ${employeeIds.length}.`,
    );
  }
  employeeIds.forEach(assertEmployeeId);
  if (employeeIds.length === 1) return `employeeId eq ${odataLiteral(employeeIds[0]!)}`;
  return `employeeId in (${employeeIds.map(odataLiteral).join(',')})`;
}

/** RFC 3986 strict: encodeURIComponent leaves `'()*!` alone; we encode them too. */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The `$select` list: the user properties plus the mapped extension attributes. */
export function userSelect(extensionProperties: readonly string[] = []): string {
  for (const name of extensionProperties) {
    if (!isExtensionAttribute(name)) {
      throw new AppError(
        'CONFIG.INVALID_CONNECTOR',
        `'${name}' is not a directory extension name (extension_<appId>_<name>).`,
      );
    }
  }
  return [...USER_PROPERTIES, ...new Set(extensionProperties)].join(',');
}

/** `/users?$filter=…&$select=…`, relative to the version segment. */
export function usersByEmployeeIdPath(employeeIds: readonly string[], select: string): string {
  return `/users?$filter=${encodeQueryValue(employeeIdFilter(employeeIds))}&$select=${select}`;
}

/**
 * Soft-deleted users, 15 ids per `in (…)` like the live ones ("List deletedItems" supports the
 * cast resource's filters); Graph may still refuse this filter (Request_UnsupportedQuery).
 */
export function deletedUsersByEmployeeIdPath(employeeIds: readonly string[], select: string): string {
  return `/directory/deletedItems/microsoft.graph.user?$filter=${encodeQueryValue(employeeIdFilter(employeeIds))}&$select=${select}`;
}

/** A user or method id as one path segment; `.`/`..` would climb out of `/users/`. */
export function pathSegment(id: string, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id === '.' || id === '..' || CONTROL_CHARACTERS.test(id)) {
    throw new AppError('INPUT.INVALID', `Not a valid ${what}.`);
  }
  return encodeQueryValue(id);
}
