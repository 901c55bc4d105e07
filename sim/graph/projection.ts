/**
 * `$select` and the default property set: what part of a user Graph puts in an answer.
 * Without $select only the default set comes back (no employeeId, otherMails, usageLocation,
 * onPremisesSyncEnabled); with it, exactly the selected properties — `id` too only if selected.
 */
import { badRequest } from './responses';
import type { SimUser } from './types';
import { canonicalUserProperty, DEFAULT_USER_PROPERTIES, EXTENSION_PROPERTY, unsetValueOf } from './userProperties';

/** Canonical property names, or null when the request has no $select. */
export function parseSelect(raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  const names = raw.split(',').map((name) => name.trim());
  return names.map((name) => {
    if (name === '*') return name;
    const canonical = canonicalUserProperty(name) ?? (EXTENSION_PROPERTY.test(name) ? name : undefined);
    if (!canonical) {
      throw badRequest(
        'BadRequest',
        `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.user'.`,
      );
    }
    return canonical;
  });
}

/** The user as Graph would render it for this $select. */
export function projectUser(
  user: SimUser,
  extra: Record<string, unknown>,
  selected: string[] | null,
): Record<string, unknown> {
  const names = selected ?? DEFAULT_USER_PROPERTIES;
  const rendered: Record<string, unknown> = {};
  for (const name of names) {
    if (name === '*') {
      Object.assign(rendered, everything(user, extra));
    } else if (EXTENSION_PROPERTY.test(name)) {
      // Graph leaves an unset extension attribute out rather than rendering null.
      const key = Object.keys(user.extensions).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
      if (key !== undefined) rendered[key] = user.extensions[key];
    } else {
      rendered[name] = propertyValue(user, extra, name);
    }
  }
  return rendered;
}

export function selectContext(entitySet: string, selected: string[] | null): string {
  return selected ? `${entitySet}(${selected.join(',')})` : entitySet;
}

function propertyValue(user: SimUser, extra: Record<string, unknown>, name: string): unknown {
  switch (name) {
    case 'id':
      return user.id;
    case 'employeeId':
      return user.employeeId;
    case 'displayName':
      return user.displayName;
    case 'userPrincipalName':
      return user.userPrincipalName;
    case 'onPremisesSyncEnabled':
      return user.onPremisesSyncEnabled;
    case 'otherMails':
      return [...user.otherMails];
    case 'usageLocation':
      return user.usageLocation;
    case 'deletedDateTime':
      return user.deletedDateTime;
    default:
      return name in extra ? extra[name] : unsetValueOf(name);
  }
}

function everything(user: SimUser, extra: Record<string, unknown>): Record<string, unknown> {
  const modelled = [
    'id',
    'employeeId',
    'displayName',
    'userPrincipalName',
    'onPremisesSyncEnabled',
    'otherMails',
    'usageLocation',
    'deletedDateTime',
  ];
  const rendered: Record<string, unknown> = {};
  for (const name of [...DEFAULT_USER_PROPERTIES, ...modelled, ...Object.keys(extra)])
    rendered[name] = propertyValue(user, extra, name);
  return { ...rendered, ...user.extensions };
}
