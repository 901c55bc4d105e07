/**
 * The caller of an HTTP route, or the 401/403 that refuses them, before any use case runs. A
 * function key names nobody, so the routes take none: only a Microsoft Entra token that holds one
 * of the route's app roles (src/app/entraCallers.ts says why the app validates it itself).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { AppServices } from '../app/services';
import type { Requester } from '../core/ports';

export async function callerOf(
  services: Pick<AppServices, 'callers'>,
  request: HttpRequest,
  roles: readonly string[],
): Promise<{ caller: Requester } | { refusal: HttpResponseInit }> {
  if (!services.callers) {
    return {
      refusal: {
        status: 500,
        jsonBody: {
          error: 'CONFIG.INVALID_SETTING',
          message: 'AUTH_TENANT_ID and AUTH_CLIENT_ID are not set: this deployment accepts no HTTP caller',
        },
      },
    };
  }
  const check = await services.callers.verify(request.headers.get('authorization'), roles);
  if (check.ok) return { caller: check.caller };
  return {
    refusal: {
      status: check.status,
      headers: check.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : undefined,
      jsonBody: { error: check.status === 401 ? 'AUTH.UNAUTHENTICATED' : 'AUTH.FORBIDDEN', message: check.reason },
    },
  };
}
