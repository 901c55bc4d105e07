/**
 * One logical request end to end, whether it came alone or inside a $batch: injected fault,
 * route, budget admission, handler, usage headers, request log.
 */
import { GRAPH_ROUTES } from './graphRoutes';
import { throttleLimitHeader, type Admission, type RequestCost } from './identityBudgets';
import { graphError, GraphRefusal, type SimResponse } from './responses';
import { costOf, isWriteMethod, matchRoute } from './routeTable';
import type { LogicalRequest, SimRuntime } from './simRuntime';

export function serveLogical(runtime: SimRuntime, request: LogicalRequest): SimResponse {
  const { response, charged } = answer(runtime, request);
  runtime.recorder.recordLogical(
    {
      method: request.method,
      path: request.path,
      query: request.query,
      body: request.body,
      status: response.status,
      inBatch: request.inBatch,
      at: runtime.clock(),
    },
    charged,
    isWriteMethod(request.method),
  );
  return response;
}

function answer(runtime: SimRuntime, request: LogicalRequest): { response: SimResponse; charged: number } {
  const fault = runtime.faults.take(request.method, request.path, false);
  if (fault) return { response: fault, charged: 0 };
  const match = matchRoute(GRAPH_ROUTES, request.method, request.path);
  if ('status' in match) return { response: match, charged: 0 };

  const cost = costOf(match.route, request);
  const now = runtime.clock();
  const admission = runtime.budgets?.admit(cost, now) ?? { admitted: true };
  if (!admission.admitted) return { response: throttled(admission, cost), charged: 0 };

  const response = runHandler(() => match.handler(runtime, request, match.params));
  const usage = runtime.budgets?.usage(now) ?? 0;
  response.headers = {
    ...response.headers,
    'x-ms-resource-unit': String(cost.resourceUnits),
    ...throttleLimitHeader(usage),
  };
  return { response, charged: cost.resourceUnits };
}

function runHandler(handler: () => SimResponse): SimResponse {
  try {
    return handler();
  } catch (err) {
    if (err instanceof GraphRefusal) return err.response;
    throw err;
  }
}

function throttled(admission: Extract<Admission, { admitted: false }>, cost: RequestCost): SimResponse {
  return graphError(429, 'TooManyRequests', 'Too many requests.', {
    'Retry-After': String(admission.retryAfterSeconds),
    'x-ms-resource-unit': String(cost.resourceUnits),
    ...throttleLimitHeader(admission.usage),
    'x-ms-throttle-scope': admission.scope,
    'x-ms-throttle-information': admission.information,
  });
}
