/**
 * The JSON `$batch` envelope ("Combine multiple HTTP requests using JSON batching",
 * learn.microsoft.com/graph/json-batching): up to 20 requests in one POST, answers matched back
 * by id, in any order. Built and read here rather than with the SDK's BatchRequestContent /
 * BatchResponseContent: those take fetch `Request`s and hand back a `Response` per step, so every
 * sub-request would be serialised and every sub-answer parsed once more, while the pacer needs
 * each sub-answer's status and headers as plain values.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../core/errors';
import { type GraphRequest, type GraphResponse, isSuccess, isTransientStatus, refused } from './graphResponse';
import { isObject } from './toDirectoryUser';
import { lowerCased } from './wireClient';

/** Graph's limit on requests in one `$batch`. */
export const MAX_BATCH_REQUESTS = 20;

interface SubRequest {
  id: string;
  headers: Record<string, string>;
}

/** One `POST /$batch`; each sub-request carries its own client-request-id, so a refused one can be named to support. */
export function toBatch(requests: readonly GraphRequest[]): { request: GraphRequest; sent: SubRequest[] } {
  const sent = requests.map(({ method, url, body }, index) => ({
    id: String(index + 1),
    method,
    url,
    headers: {
      'client-request-id': randomUUID(),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body }),
  }));
  return { request: { method: 'POST', url: '/$batch', body: { requests: sent } }, sent };
}

/**
 * Each sub-request's answer, in the order sent. A `$batch` refused as a whole (a 403 for a missing
 * permission, a 400, a 500) says nothing about the workers inside it: it throws one error for all
 * of them, never their per-user outcome. Throttled or unavailable as a whole (429, 503, 504) with
 * no sub-responses, every sub-request gets that answer and is retried by its own caller. An outer
 * answer of another status that still carries sub-responses (Graph's JSON batching guidance once
 * described a 424 with the 429s inside) is read per sub-response.
 */
export function fromBatch(outer: GraphResponse, sent: readonly SubRequest[]): Array<GraphResponse | AppError> {
  const answers = subResponses(outer.body);
  if (answers.size === 0 && !isSuccess(outer.status)) {
    if (isTransientStatus(outer.status)) return sent.map(() => outer);
    throw refused(outer, 'a $batch request');
  }
  return sent.map(({ id, headers }) => {
    const answer = answers.get(id);
    if (!answer)
      return new AppError('GRAPH.BAD_RESPONSE', `Graph's $batch answer held no response for sub-request ${id}.`, {
        transient: true,
      });
    // A sub-response may carry no ids of its own: it keeps what was sent and the envelope's.
    const requestId = outer.headers['request-id'];
    return {
      ...answer,
      headers: {
        'client-request-id': headers['client-request-id']!,
        ...(requestId ? { 'request-id': requestId } : {}),
        ...answer.headers,
      },
    };
  });
}

/** A `$batch` answer's sub-responses by id. */
function subResponses(body: unknown): Map<string, GraphResponse> {
  const byId = new Map<string, GraphResponse>();
  const answers = isObject(body) && Array.isArray(body.responses) ? body.responses : [];
  for (const answer of answers) {
    if (!isObject(answer) || typeof answer.status !== 'number') continue;
    byId.set(String(answer.id), {
      status: answer.status,
      headers: lowerCased(answer.headers as Record<string, unknown> | undefined),
      body: answer.body ?? null,
    });
  }
  return byId;
}
