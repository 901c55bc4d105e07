/**
 * /directory/deletedItems: soft-deleted users (kept 30 days in Entra). As documented ("List
 * deletedItems", https://learn.microsoft.com/graph/api/directory-deleteditems-list), the cast to
 * microsoft.graph.user supports the user resource's filters, employeeId included; the 'refused'
 * and `refusedWith` options model a tenant that answers otherwise, for the writer's fallbacks.
 */
import { parseEmployeeIdFilter } from './employeeIdFilter';
import { badRequest, noContent, notFound, type SimResponse } from './responses';
import { systemOptions, type LogicalRequest, type SimRuntime } from './simRuntime';
import type { SimUser } from './types';
import { userCollection, userEntity } from './userCollection';

const TYPED = { '@odata.type': '#microsoft.graph.user' };

export function listDeletedUsers(runtime: SimRuntime, request: LogicalRequest): SimResponse {
  const options = systemOptions(request, ['$filter', '$select', '$top', '$skiptoken']);
  let users = runtime.directory.deleted();
  if (options.$filter !== undefined) {
    const refusal = runtime.deletedItemsFilter;
    if (refusal !== 'supported') {
      const code = refusal === 'refused' ? 'Request_UnsupportedQuery' : refusal.refusedWith;
      throw badRequest(
        code,
        "Unsupported or invalid query filter clause specified for property 'employeeId' of resource 'User'.",
      );
    }
    const wanted = new Set(parseEmployeeIdFilter(options.$filter).values.map((value) => value.toLowerCase()));
    users = users.filter((user) => user.employeeId !== null && wanted.has(user.employeeId.toLowerCase()));
  }
  return userCollection(runtime, request, users, options, 'directory/deletedItems/microsoft.graph.user');
}

export function getDeletedItem(runtime: SimRuntime, request: LogicalRequest, [id]: string[]): SimResponse {
  return userEntity(runtime, deletedUser(runtime, id!), systemOptions(request, ['$select']), TYPED);
}

/** Restores a soft-deleted user — an operation the writer must never call. */
export function restoreDeletedItem(runtime: SimRuntime, _request: LogicalRequest, [id]: string[]): SimResponse {
  const user = deletedUser(runtime, id!);
  runtime.directory.restore(user);
  return userEntity(runtime, user, {}, TYPED);
}

/** Deletes a user for good — an operation the writer must never call. */
export function purgeDeletedItem(runtime: SimRuntime, _request: LogicalRequest, [id]: string[]): SimResponse {
  runtime.directory.purge(deletedUser(runtime, id!));
  return noContent();
}

function deletedUser(runtime: SimRuntime, id: string): SimUser {
  const user = runtime.directory.findDeleted(id);
  if (!user) throw notFound(id);
  return user;
}
