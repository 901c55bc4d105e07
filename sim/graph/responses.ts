/**
 * What a simulated Graph answer is, and Graph's error body:
 * `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`.
 */
import { randomUUID } from 'node:crypto';

export interface SimResponse {
  status: number;
  /** Header names as Graph spells them (they also appear verbatim in $batch sub-responses). */
  headers: Record<string, string>;
  body?: unknown;
}

export const JSON_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers }, body };
}

export function noContent(): SimResponse {
  return { status: 204, headers: {} };
}

export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): SimResponse {
  const requestId = randomUUID();
  return jsonResponse(
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
    headers,
  );
}

/**
 * Graph's validation ends a request at whatever depth it finds the problem; parsers and
 * validators throw this and the dispatcher turns it into the response it carries.
 */
export class GraphRefusal extends Error {
  readonly response: SimResponse;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'GraphRefusal';
    this.response = graphError(status, code, message);
  }
}

export function badRequest(code: string, message: string): GraphRefusal {
  return new GraphRefusal(400, code, message);
}

export function notFound(id: string): GraphRefusal {
  return new GraphRefusal(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}
