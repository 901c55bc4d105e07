/** Calls the HTTP handlers as the host would, for the bad-input table and the fuzzer. */
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { OPERATOR_ROLES } from '../../src/app/entraCallers';
import { resyncRoute } from '../../src/functions/resyncRoute';
import { workerStatusRoute } from '../../src/functions/workerStatusRoute';
import { sharedTokenIssuer } from '../../sim/entra/tokenIssuer';

export interface HttpCall {
  route: 'resync' | 'status';
  method?: string;
  workerId: string;
  query?: string;
  body?: string;
}

const context = () => new InvocationContext({ invocationId: 'http-bad-input', functionName: 'http' });

/** Calls a handler as the host would, the id given as the host hands it over (decoded, as a route parameter). */
export async function call(c: HttpCall): Promise<HttpResponseInit> {
  // An operator with both roles: these tables are about input, not about who may call.
  const token = (await sharedTokenIssuer()).token({ roles: [OPERATOR_ROLES.resync, OPERATOR_ROLES.read] });
  const path = c.route === 'resync' ? 'workers/id/resync' : 'workers/id';
  const request = new HttpRequest({
    method: c.method ?? (c.route === 'resync' ? 'POST' : 'GET'),
    url: `http://localhost/api/${path}${c.query ?? ''}`,
    params: { workerId: c.workerId },
    headers: { authorization: `Bearer ${token}` },
    ...(c.body === undefined ? {} : { body: { string: c.body } }),
  });
  return (c.route === 'resync' ? resyncRoute : workerStatusRoute)(request, context());
}
