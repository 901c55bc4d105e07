/**
 * One logical Graph request and its answer, whether it travelled alone or inside a `$batch`,
 * and how an answer turns into a value, a `WriteResult` or an AppError.
 */
import { AppError } from '../core/errors';
import { maskPersonalData } from '../core/mask';
import type { WriteResult } from '../core/ports';
import { parseRetryAfter } from '../core/retry';
import { collectionValues, isObject } from './toDirectoryUser';

export type GraphMethod = 'GET' | 'POST' | 'PATCH';

export interface GraphRequest {
  method: GraphMethod;
  /** Relative to the version segment, starting with `/` (as `$batch` wants it). */
  url: string;
  body?: unknown;
  /** For writes: asked just before the request leaves (after pacing); false stops it unsent. */
  guard?: () => Promise<boolean>;
  /** Already gathered by its caller (a lookup group): it leaves without waiting out another window. */
  gathered?: boolean;
}

/** Sends one logical request, retried (requestRetry.ts); `what` names it in errors, never a worker's data. */
export type ExecuteRequest = (request: GraphRequest, what: string) => Promise<GraphResponse>;

export interface GraphResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: unknown;
}

/** What a retry may fix: throttling, an overloaded or timed-out service. */
const TRANSIENT_STATUSES = new Set([429, 503, 504]);

export const isWrite = (request: GraphRequest): boolean => request.method !== 'GET';
export const isTransientStatus = (status: number): boolean => TRANSIENT_STATUSES.has(status);
export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/**
 * Graph's `error.code` and masked `error.message` (the status when the body holds no code),
 * followed by the request's ids: Graph support asks for `request-id` and `client-request-id`
 * on every refused or throttled request (learn.microsoft.com/graph/errors).
 */
export function graphError(response: GraphResponse): { code: string; message: string } {
  const error = isObject(response.body) && isObject(response.body.error) ? response.body.error : {};
  const code = typeof error.code === 'string' && error.code ? error.code : `HTTP${response.status}`;
  const text = typeof error.message === 'string' ? maskPersonalData(error.message) : '';
  const ids = requestIds(response);
  return { code, message: ids && text ? `${text} (${ids})` : text || (ids ? `(${ids})` : '') };
}

/** `request-id …, client-request-id …` from an answer's headers, or '' when it carries neither. */
export function requestIds(response: Pick<GraphResponse, 'headers'>): string {
  const ids = ['request-id', 'client-request-id']
    .filter((name) => response.headers[name])
    .map((name) => `${name} ${response.headers[name]}`);
  return ids.join(', ');
}

/** Throws the transient AppError that `withRetry` retries, carrying the server's Retry-After. */
export function throwIfTransient(response: GraphResponse, what: string): GraphResponse {
  if (!isTransientStatus(response.status)) return response;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  const ids = requestIds(response);
  throw new AppError('GRAPH.UNAVAILABLE', `Graph answered ${response.status} to ${what}${ids ? ` (${ids})` : ''}.`, {
    transient: true,
    status: response.status,
    retryAfterMs,
  });
}

/** A read's answer: the body on 2xx, else an AppError naming Graph's code. */
export function readBody(response: GraphResponse, what: string): unknown {
  if (isSuccess(response.status)) return response.body;
  throw refused(response, what);
}

/** Every row of a collection from its first page on, following `@odata.nextLink` to the last. */
export async function readCollection(
  deps: { execute: ExecuteRequest; relativeLink(link: string): string },
  first: GraphResponse,
  what: string,
): Promise<unknown[]> {
  const rows: unknown[] = [];
  for (let response = first; ; ) {
    const body = readBody(response, what);
    rows.push(...collectionValues(body));
    const next = isObject(body) ? body['@odata.nextLink'] : undefined;
    if (typeof next !== 'string' || next.length === 0) return rows;
    response = await deps.execute({ method: 'GET', url: deps.relativeLink(next) }, what);
  }
}

/** A write's answer: 403 and 400 are outcomes (the data or the user's roles), not faults. */
export function toWriteResult(response: GraphResponse, what: string): WriteResult {
  if (isSuccess(response.status)) return { status: 'ok' };
  if (response.status === 403) return { status: 'denied', ...graphError(response) };
  if (response.status === 400) return { status: 'invalid', ...graphError(response) };
  throw refused(response, what);
}

export function refused(response: GraphResponse, what: string): AppError {
  const { code, message } = graphError(response);
  const kind = response.status >= 500 ? 'GRAPH.BAD_RESPONSE' : 'GRAPH.REQUEST_REFUSED';
  return new AppError(kind, `Graph answered ${response.status} ${code} to ${what}${message ? `: ${message}` : '.'}`, {
    status: response.status,
  });
}
