/**
 * Which handler serves a path and method, and what the request costs against Graph's identity
 * budgets (throttling-limits: GET `users` costs 2, any other identity request 1; a write adds one
 * write; `$select` takes 1 off, `$top` under 20 takes 1 off; never below 1).
 */
import type { RequestCost } from './identityBudgets';
import { graphError, type SimResponse } from './responses';
import type { LogicalRequest, SimRuntime } from './simRuntime';

export type Handler = (runtime: SimRuntime, request: LogicalRequest, params: string[]) => SimResponse;

export interface Route {
  /** Literal segments match case-insensitively; `{}` captures one segment. */
  segments: string[];
  methods: Partial<Record<string, Handler>>;
  /** Base resource-unit cost of a GET (1 unless the throttling table says otherwise). */
  readCost?: number;
}

export interface RouteMatch {
  handler: Handler;
  params: string[];
  route: Route;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export function isWriteMethod(method: string): boolean {
  return WRITE_METHODS.has(method);
}

/** The handler for the request, or Graph's answer to a path or method it does not serve. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | SimResponse {
  const segments = path.split('/').filter((segment) => segment !== '');
  let best: { route: Route; params: string[] } | null = null;
  for (const route of routes) {
    const params = matchSegments(route.segments, segments);
    if (params && (!best || literalCount(route) > literalCount(best.route))) best = { route, params };
  }
  if (!best) {
    const unknown =
      segments.find((segment, index) => !routes.some((route) => segmentFits(route.segments[index], segment))) ??
      segments[0] ??
      '';
    return graphError(400, 'BadRequest', `Resource not found for the segment '${unknown}'.`);
  }
  const handler = best.route.methods[method];
  if (!handler)
    return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
  return { handler, params: best.params, route: best.route };
}

export function costOf(route: Route, request: LogicalRequest): RequestCost {
  const write = isWriteMethod(request.method);
  let units = write ? 1 : (route.readCost ?? 1);
  if (!write) {
    const names = Object.keys(request.query).map((name) => name.toLowerCase());
    if (names.includes('$select')) units -= 1;
    const top = Number(Object.entries(request.query).find(([name]) => name.toLowerCase() === '$top')?.[1]);
    if (top < 20) units -= 1;
  }
  return { resourceUnits: Math.max(1, units), writes: write ? 1 : 0 };
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): string[] | null {
  if (pattern.length !== segments.length) return null;
  const params: string[] = [];
  for (const [index, expected] of pattern.entries()) {
    const actual = segments[index]!;
    if (expected === '{}') params.push(actual);
    else if (expected.toLowerCase() !== actual.toLowerCase()) return null;
  }
  return params;
}

function segmentFits(expected: string | undefined, actual: string): boolean {
  return expected === '{}' || expected?.toLowerCase() === actual.toLowerCase();
}

function literalCount(route: Route): number {
  return route.segments.filter((segment) => segment !== '{}').length;
}
