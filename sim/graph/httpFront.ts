/**
 * The HTTP side of the simulator: version prefix, bearer check, body parsing, $batch or a plain
 * request, latency, and writing the answer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { graphError, type SimResponse } from './responses';
import { serveBatch } from './serveBatch';
import { serveLogical } from './serveLogical';
import type { LogicalRequest, SimRuntime } from './simRuntime';

export interface FrontOptions {
  latencyMs: number;
  requireAuthorization: boolean;
  /**
   * How long a request travels before Graph acts on it (ms), per request: a write sent in time
   * can still land after a later one, as on a slow path to a real front end.
   */
  landingDelayMs?: (method: string, path: string) => number;
}

export async function handleHttp(
  runtime: SimRuntime,
  options: FrontOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  runtime.recorder.countHttpRequest();
  const text = await readBody(req);
  const { request, versioned } = logicalRequestOf(req, text);
  const landing = options.landingDelayMs?.(request.method, request.path) ?? 0;
  if (landing > 0) await new Promise((resolve) => setTimeout(resolve, landing));
  const response = versioned
    ? answerHttp(runtime, options, request)
    : recordedEnvelope(
        runtime,
        request,
        graphError(400, 'BadRequest', `Invalid version: the simulator serves /v1.0 only, got '${request.path}'.`),
      );
  if (options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
  send(res, response, req.headers['client-request-id']);
}

function answerHttp(runtime: SimRuntime, options: FrontOptions, request: LogicalRequest): SimResponse {
  if (options.requireAuthorization && !/^Bearer\s+\S+/i.test(request.headers.authorization ?? '')) {
    return recordedEnvelope(runtime, request, graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.'));
  }
  if (request.path.toLowerCase() !== '/$batch') return serveLogical(runtime, request);
  if (request.method !== 'POST')
    return recordedEnvelope(
      runtime,
      request,
      graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'),
    );
  const fault = runtime.faults.take(request.method, request.path, true);
  return recordedEnvelope(runtime, request, fault ?? serveBatch(runtime, request.body, request.malformedBody));
}

function recordedEnvelope(runtime: SimRuntime, request: LogicalRequest, response: SimResponse): SimResponse {
  runtime.recorder.recordEnvelope({
    method: request.method,
    path: request.path,
    query: request.query,
    body: request.body,
    status: response.status,
    inBatch: false,
    at: runtime.clock(),
  });
  return response;
}

/** The request as the handlers see it; a path outside /v1.0 is kept whole so the log shows it. */
function logicalRequestOf(req: IncomingMessage, text: string): { request: LogicalRequest; versioned: boolean } {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const versioned = url.pathname.startsWith('/v1.0/');
  let body: unknown;
  let malformedBody = false;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
      malformedBody = true;
    }
  }
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value.join(', ') : (value ?? ''),
    ]),
  );
  const request: LogicalRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: decodePath(versioned ? url.pathname.slice('/v1.0'.length) : url.pathname),
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    malformedBody,
    inBatch: false,
  };
  return { request, versioned };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, response: SimResponse, clientRequestId: string | string[] | undefined): void {
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    ...response.headers,
    'request-id': requestId,
    'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId,
  };
  if (response.body === undefined) {
    res.writeHead(response.status, headers).end();
    return;
  }
  res.writeHead(response.status, headers).end(JSON.stringify(response.body));
}
