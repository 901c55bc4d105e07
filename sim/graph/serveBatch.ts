/**
 * POST /$batch (JSON batching): up to 20 sub-requests with URLs relative to the version
 * (`/users?…`, never `/v1.0/users`). Each sub-request is faulted, charged and throttled on its
 * own, so one batch can hold a 429 beside 200s; the envelope itself answers 200.
 */
import { badRequest, GraphRefusal, jsonResponse, type SimResponse } from './responses';
import { serveLogical } from './serveLogical';
import type { LogicalRequest, SimRuntime } from './simRuntime';

export const MAX_BATCH_REQUESTS = 20;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export function serveBatch(runtime: SimRuntime, body: unknown, malformedBody: boolean): SimResponse {
  let items: BatchItem[];
  try {
    items = batchItemsOf(body, malformedBody);
  } catch (err) {
    if (err instanceof GraphRefusal) return err.response;
    throw err;
  }
  const responses = items.map((item) => {
    const response = serveLogical(runtime, subRequest(item));
    return {
      id: item.id,
      status: response.status,
      headers: response.headers,
      ...(response.body === undefined ? {} : { body: response.body }),
    };
  });
  return jsonResponse(200, { responses });
}

function batchItemsOf(body: unknown, malformedBody: boolean): BatchItem[] {
  const requests =
    !malformedBody && typeof body === 'object' && body !== null ? (body as { requests?: unknown }).requests : undefined;
  if (!Array.isArray(requests) || requests.length === 0)
    throw invalidBatch('the body must be {"requests":[…]} with at least one request');
  if (requests.length > MAX_BATCH_REQUESTS)
    throw invalidBatch(`${requests.length} requests in one batch; at most ${MAX_BATCH_REQUESTS} are allowed`);
  const seen = new Set<string>();
  return requests.map((raw: unknown, index) => {
    const item = batchItemOf(raw, index);
    if (seen.has(item.id.toLowerCase())) throw invalidBatch(`the request id '${item.id}' appears more than once`);
    seen.add(item.id.toLowerCase());
    return item;
  });
}

function batchItemOf(raw: unknown, index: number): BatchItem {
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const { id, method, url, body } = fields;
  if (typeof id !== 'string' || id === '') throw invalidBatch(`request ${index} has no string id`);
  if (typeof method !== 'string' || typeof url !== 'string')
    throw invalidBatch(`request '${id}' needs a method and a url`);
  const headers = Object.fromEntries(
    Object.entries(
      (typeof fields.headers === 'object' && fields.headers !== null ? fields.headers : {}) as Record<string, unknown>,
    ).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  if (body !== undefined && headers['content-type'] === undefined)
    throw invalidBatch(`request '${id}' has a body but no Content-Type header`);
  return { id, method: method.toUpperCase(), url, headers, body };
}

function subRequest(item: BatchItem): LogicalRequest {
  const cut = item.url.indexOf('?');
  const rawPath = cut < 0 ? item.url : item.url.slice(0, cut);
  const rawQuery = cut < 0 ? '' : item.url.slice(cut + 1);
  return {
    method: item.method,
    path: `/${safeDecode(rawPath).replace(/^\/+/, '')}`,
    query: Object.fromEntries(new URLSearchParams(rawQuery)),
    headers: item.headers,
    body: item.body,
    malformedBody: false,
    inBatch: true,
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function invalidBatch(reason: string): GraphRefusal {
  return badRequest('BadRequest', `Invalid batch payload format: ${reason}.`);
}
