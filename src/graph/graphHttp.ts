/**
 * Every Graph request goes through `@microsoft/microsoft-graph-client`, built with
 * `Client.initWithMiddleware` and this chain:
 *
 *   AppErrorBoundary → PacingMiddleware → AuthenticationHandler → FetchHandler
 *
 * - AppErrorBoundary keeps our AppErrors through the SDK's error rewrapping.
 * - PacingMiddleware hands logical requests to the RequestCoalescer (`$batch`, the Pacer); the
 *   coalescer's own requests pass it as wire requests.
 * - AuthenticationHandler over TokenCredentialAuthenticationProvider adds the bearer token from
 *   the `@azure/identity` credential (left out with GRAPH_AUTH=none, loopback simulators only;
 *   LoopbackAuthentication stands in for an http:// simulator, to which the SDK sends no token).
 * - FetchHandler sends with the project's fetch.
 *
 * Requests use `ResponseType.RAW`: statuses and headers are ours to read (a 403 is an outcome,
 * a 429 a pacing signal). Paths are given to `client.api()` relative to the version segment,
 * with the query already strictly percent-encoded by odataQuery.ts (the SDK's `.filter()` does
 * not encode), which the SDK passes through; nextLinks are made relative first, because the SDK
 * only recognises https:// absolute URLs and a loopback simulator speaks http://.
 *
 * `$batch` bodies are built and read by the coalescer, not by BatchRequestContent /
 * BatchResponseContent: those take fetch `Request` objects and hand back `Response` objects per
 * step, so every sub-request would be serialised and every sub-answer parsed one more time, while
 * the coalescer needs each sub-answer's status and headers as plain values to pace on them.
 */
import { AuthenticationHandler, Client, type Middleware, ResponseType } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { AppError, ensureAppError } from '../core/errors';
import { AppErrorBoundary, FetchHandler, LoopbackAuthentication, TransportFailure } from './graphMiddleware';
import { type GraphRequest, type GraphResponse, isSuccess, isTransientStatus, refused } from './graphResponse';
import { PacingMiddleware, SendGuard, WireRequest } from './pacingMiddleware';

export { pathOf } from './graphMiddleware';

export interface GraphHttp {
  send(request: GraphRequest): Promise<GraphResponse>;
  /** A nextLink as a path relative to the version segment; refuses links to any other host. */
  relativeLink(link: string): string;
}

export interface GraphTransport {
  /** Logical requests: paced, coalesced into `$batch`, each answered on its own. */
  logical: GraphHttp;
  /** What the coalescer sends: straight to the wire. */
  wire: GraphHttp;
}

export interface GraphTransportOptions {
  baseUrl: string;
  /** With `scope`; null for GRAPH_AUTH=none. */
  credential: TokenCredential | null;
  scope: string;
  fetchImpl?: typeof fetch;
  /** The coalescer's entry; called only once requests flow, so it may be bound after this returns. */
  submit(request: GraphRequest): Promise<GraphResponse>;
}

export function createGraphTransport(options: GraphTransportOptions): GraphTransport {
  const versionRoot = `${options.baseUrl}/v1.0`;
  const host = new URL(options.baseUrl).hostname;
  const chain: Middleware[] = [new AppErrorBoundary(), new PacingMiddleware(versionRoot, options.submit)];
  if (options.credential) {
    const provider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [options.scope] });
    chain.push(
      options.baseUrl.startsWith('http://')
        ? new LoopbackAuthentication(provider)
        : new AuthenticationHandler(provider),
    );
  }
  chain.push(new FetchHandler(options.fetchImpl ?? fetch));
  const client = Client.initWithMiddleware({
    middleware: chain,
    baseUrl: options.baseUrl,
    defaultVersion: 'v1.0',
    // The AuthenticationHandler sends the token only to Graph's own hosts and these.
    customHosts: new Set([host]),
  });

  const relativeLink = (link: string): string => {
    if (!link.startsWith(`${versionRoot}/`)) {
      throw new AppError('GRAPH.BAD_RESPONSE', `Graph returned a nextLink outside ${versionRoot}; it is not followed.`);
    }
    return link.slice(versionRoot.length);
  };

  const sendWith =
    (wire: boolean) =>
    async (request: GraphRequest): Promise<GraphResponse> => {
      const failure = new TransportFailure();
      // Graph support asks for the request-id Graph returns and the client-request-id sent
      // ("Microsoft Graph error responses and resource types", learn.microsoft.com/graph/errors).
      const clientRequestId = randomUUID();
      const call = client
        .api(request.url)
        .header('client-request-id', clientRequestId)
        .middlewareOptions(
          wire ? [failure, new WireRequest()] : request.guard ? [failure, new SendGuard(request.guard)] : [failure],
        )
        .responseType(ResponseType.RAW);
      let response: Response;
      try {
        response = (await (request.method === 'GET'
          ? call.get()
          : request.method === 'POST'
            ? call.post(request.body)
            : call.patch(request.body))) as Response;
      } catch (err) {
        throw failure.error ?? ensureAppError(err, 'GRAPH.UNAVAILABLE');
      }
      const answer: GraphResponse = {
        status: response.status,
        headers: { 'client-request-id': clientRequestId, ...lowerCased(response.headers) },
        body: await readJson(response),
      };
      if (wire && request.url === '/$batch') refuseWholeBatch(answer);
      return answer;
    };

  return { logical: { send: sendWith(false), relativeLink }, wire: { send: sendWith(true), relativeLink } };
}

/**
 * A `$batch` refused as a whole (a 403 for a missing permission, a 400, a 500) says nothing about
 * the 20 workers inside it: it becomes one error for each of them, never their per-user outcome.
 * Throttling and unavailability pass through: the coalescer pauses on them and each caller retries.
 * An outer answer of another status that still carries sub-responses (Graph's JSON batching
 * guidance once described a 424 with the 429s inside) is read per sub-response by the coalescer.
 */
function refuseWholeBatch(answer: GraphResponse): void {
  if (isSuccess(answer.status) || isTransientStatus(answer.status) || hasSubResponses(answer.body)) return;
  throw refused(answer, 'a $batch request');
}

/** Whether a `$batch` answer holds a non-empty `responses` array. */
export function hasSubResponses(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { responses?: unknown }).responses) &&
    (body as { responses: unknown[] }).responses.length > 0
  );
}

export function lowerCased(headers: Headers | Record<string, unknown> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value !== undefined && value !== null) result[name.toLowerCase()] = String(value);
  }
  return result;
}

async function readJson(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new AppError('GRAPH.UNAVAILABLE', 'The connection broke while Graph answered.', {
      transient: true,
      cause: err,
    });
  }
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
