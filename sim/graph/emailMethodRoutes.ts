/**
 * /users/{id}/authentication/emailMethods: the SSPR email method. A user has at most one, and
 * Graph gives it the same well-known id for every user.
 */
import { requireAuthenticationEmailRole } from './appRoles';
import { badRequest, GraphRefusal, jsonResponse, noContent, type SimResponse } from './responses';
import { metadataUrl, systemOptions, type LogicalRequest, type SimRuntime } from './simRuntime';
import type { SimUser } from './types';
import { unreadablePayload } from './userPatch';
import { activeUser } from './userRoutes';

export const EMAIL_METHOD_ID = '3ddfcfc8-9383-446f-83cc-3ab9be4be18f';

/** "List emailMethods" (Graph reference): the method supports no optional query parameters. */
export function listEmailMethods(runtime: SimRuntime, request: LogicalRequest, [userId]: string[]): SimResponse {
  systemOptions(request, []);
  const user = activeUser(runtime, userId!);
  return jsonResponse(200, {
    '@odata.context': metadataUrl(runtime, `users('${user.id}')/authentication/emailMethods`),
    value: user.emailMethod ? [{ ...user.emailMethod }] : [],
  });
}

export function createEmailMethod(runtime: SimRuntime, request: LogicalRequest, [userId]: string[]): SimResponse {
  const user = activeUser(runtime, userId!);
  requireAuthenticationEmailRole(runtime);
  const emailAddress = emailAddressOf(request);
  if (user.emailMethod)
    throw badRequest(
      'badRequest',
      'A user may only have one email authentication method; update or delete the existing one.',
    );
  user.emailMethod = { id: EMAIL_METHOD_ID, emailAddress };
  return jsonResponse(201, {
    '@odata.context': metadataUrl(runtime, `users('${user.id}')/authentication/emailMethods/$entity`),
    ...user.emailMethod,
  });
}

export function getEmailMethod(
  runtime: SimRuntime,
  request: LogicalRequest,
  [userId, methodId]: string[],
): SimResponse {
  systemOptions(request, ['$select']);
  const user = activeUser(runtime, userId!);
  const method = existingMethod(user, methodId!);
  return jsonResponse(200, {
    '@odata.context': metadataUrl(runtime, `users('${user.id}')/authentication/emailMethods/$entity`),
    ...method,
  });
}

export function updateEmailMethod(
  runtime: SimRuntime,
  request: LogicalRequest,
  [userId, methodId]: string[],
): SimResponse {
  const user = activeUser(runtime, userId!);
  requireAuthenticationEmailRole(runtime);
  const method = existingMethod(user, methodId!);
  method.emailAddress = emailAddressOf(request);
  return noContent();
}

export function deleteEmailMethod(
  runtime: SimRuntime,
  _request: LogicalRequest,
  [userId, methodId]: string[],
): SimResponse {
  const user = activeUser(runtime, userId!);
  existingMethod(user, methodId!);
  user.emailMethod = null;
  return noContent();
}

function existingMethod(user: SimUser, methodId: string): { id: string; emailAddress: string } {
  if (!user.emailMethod || user.emailMethod.id.toLowerCase() !== methodId.toLowerCase()) {
    throw new GraphRefusal(404, 'itemNotFound', 'The requested email authentication method was not found.');
  }
  return user.emailMethod;
}

function emailAddressOf(request: LogicalRequest): string {
  const body = request.body;
  if (request.malformedBody || typeof body !== 'object' || body === null || Array.isArray(body))
    throw unreadablePayload();
  const emailAddress = (body as Record<string, unknown>).emailAddress;
  if (
    typeof emailAddress !== 'string' ||
    !/^[\x21-\x7e]+@[\x21-\x7e]+\.[\x21-\x7e]+$/.test(emailAddress) ||
    emailAddress.length > 254
  ) {
    throw badRequest(
      'badRequest',
      "Invalid value specified for property 'emailAddress' of resource 'emailAuthenticationMethod'.",
    );
  }
  return emailAddress;
}
