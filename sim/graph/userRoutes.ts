/**
 * /users and /users/{id}: lookups by employeeId, reads, PATCH — and the operations the writer
 * must never call (create, delete), served as Graph would so the request log can prove it.
 */
import { parseEmployeeIdFilter } from './employeeIdFilter';
import { projectUser } from './projection';
import { badRequest, jsonResponse, noContent, notFound, type SimResponse } from './responses';
import { metadataUrl, systemOptions, type LogicalRequest, type SimRuntime } from './simRuntime';
import type { SimUser } from './types';
import { userCollection, userEntity } from './userCollection';
import { requireUserPatchRoles } from './appRoles';
import { applyUserPatch, planUserPatch, unreadablePayload } from './userPatch';

const LIST_OPTIONS = ['$filter', '$select', '$top', '$skiptoken'];

export function listUsers(runtime: SimRuntime, request: LogicalRequest): SimResponse {
  const options = systemOptions(request, LIST_OPTIONS);
  const users =
    options.$filter === undefined
      ? runtime.directory.active()
      : runtime.directory.activeByEmployeeIds(parseEmployeeIdFilter(options.$filter).values);
  return userCollection(runtime, request, users, options, 'users');
}

export function getUser(runtime: SimRuntime, request: LogicalRequest, [id]: string[]): SimResponse {
  const options = systemOptions(request, ['$select']);
  return userEntity(runtime, activeUser(runtime, id!), options);
}

export function patchUser(runtime: SimRuntime, request: LogicalRequest, [id]: string[]): SimResponse {
  const user = activeUser(runtime, id!);
  requireUserPatchRoles(runtime, request.body);
  const changes = planUserPatch(
    user,
    request.body,
    request.malformedBody,
    runtime.directory.roles.holdsActiveRole(user.id),
  );
  applyUserPatch(runtime.directory, user, changes);
  return noContent();
}

export function deleteUser(runtime: SimRuntime, _request: LogicalRequest, [id]: string[]): SimResponse {
  runtime.directory.softDelete(activeUser(runtime, id!));
  return noContent();
}

const REQUIRED_ON_CREATE = ['accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName'];

/** A cloud-only user, as POST /users makes one. */
export function createUser(runtime: SimRuntime, request: LogicalRequest): SimResponse {
  const body = request.body;
  if (request.malformedBody || typeof body !== 'object' || body === null || Array.isArray(body))
    throw unreadablePayload();
  const fields = body as Record<string, unknown>;
  const missing = REQUIRED_ON_CREATE.find((name) => fields[name] === undefined || fields[name] === null);
  if (missing) throw badRequest('Request_BadRequest', `Property '${missing}' is required when creating the object.`);
  const upn = String(fields.userPrincipalName);
  if (runtime.directory.all().some((user) => user.userPrincipalName.toLowerCase() === upn.toLowerCase())) {
    throw badRequest(
      'Request_BadRequest',
      'Another object with the same value for property userPrincipalName already exists.',
    );
  }
  const user = runtime.directory.add({
    employeeId: null,
    displayName: String(fields.displayName),
    userPrincipalName: upn,
    onPremisesSyncEnabled: null,
  });
  const { userPrincipalName: _upn, displayName: _name, passwordProfile: _password, ...rest } = fields;
  applyUserPatch(runtime.directory, user, planUserPatch(user, rest, false));
  return jsonResponse(201, {
    '@odata.context': metadataUrl(runtime, 'users/$entity'),
    ...projectUser(user, runtime.directory.extraOf(user), null),
  });
}

export function activeUser(runtime: SimRuntime, id: string): SimUser {
  const user = runtime.directory.findActive(id);
  if (!user) throw notFound(id);
  return user;
}
