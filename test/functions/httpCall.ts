/** Calls the HTTP handlers as the host would, for the bad-input table and the fuzzer. */
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { resyncRoute } from '../../src/functions/resyncRoute';
import { workerStatusRoute } from '../../src/functions/workerStatusRoute';

export interface HttpCall {
  route: 'resync' | 'status';
  method?: string;
  workerId: string;
  query?: string;
  body?: string;
}

const context = () => new InvocationContext({ invocationId: 'http-bad-input', functionName: 'http' });

/** Calls a handler as the host would, the id given as the host hands it over (decoded, as a route parameter). */
export function call(c: HttpCall): Promise<HttpResponseInit> {
  const path = c.route === 'resync' ? 'workers/id/resync' : 'workers/id';
  const request = new HttpRequest({
    method: c.method ?? (c.route === 'resync' ? 'POST' : 'GET'),
    url: `http://localhost/api/${path}${c.query ?? ''}`,
    params: { workerId: c.workerId },
    ...(c.body === undefined ? {} : { body: { string: c.body } }),
  });
  return (c.route === 'resync' ? resyncRoute : workerStatusRoute)(request, context());
}
