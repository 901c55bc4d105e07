/**
 * Renders a list of users as a Graph collection page: projection, @odata.context, nextLink.
 */
import { pageOf } from './paging';
import { parseSelect, projectUser, selectContext } from './projection';
import { jsonResponse, type SimResponse } from './responses';
import { absoluteUrl, metadataUrl, type LogicalRequest, type SimRuntime } from './simRuntime';
import type { SimUser } from './types';

export function userCollection(
  runtime: SimRuntime,
  request: LogicalRequest,
  users: readonly SimUser[],
  options: Record<string, string>,
  entitySet: string,
): SimResponse {
  const selected = parseSelect(options.$select);
  const withoutToken = Object.fromEntries(
    Object.entries(request.query).filter(([name]) => name.toLowerCase() !== '$skiptoken'),
  );
  const page = pageOf(users, options, (skipToken) =>
    absoluteUrl(runtime, request.path, { ...withoutToken, $skiptoken: skipToken }),
  );
  return jsonResponse(200, {
    '@odata.context': metadataUrl(runtime, selectContext(entitySet, selected)),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
    value: page.items.map((user) => projectUser(user, runtime.directory.extraOf(user), selected)),
  });
}

export function userEntity(
  runtime: SimRuntime,
  user: SimUser,
  options: Record<string, string>,
  extra: Record<string, unknown> = {},
): SimResponse {
  const selected = parseSelect(options.$select);
  return jsonResponse(200, {
    '@odata.context': metadataUrl(runtime, `${selectContext('users', selected)}/$entity`),
    ...extra,
    ...projectUser(user, runtime.directory.extraOf(user), selected),
  });
}
