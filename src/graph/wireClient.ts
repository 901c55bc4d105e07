/**
 * The last step of the Graph path: one HTTP exchange through `@microsoft/microsoft-graph-client`,
 * built with `Client.initWithMiddleware` and a chain that only authenticates and sends:
 *
 *   AppErrorBoundary → AuthenticationHandler → FetchHandler
 *
 * - AppErrorBoundary keeps our AppErrors through the SDK's error rewrapping.
 * - AuthenticationHandler over TokenCredentialAuthenticationProvider adds the bearer token from
 *   the `@azure/identity` credential (left out with GRAPH_AUTH=none, loopback simulators only;
 *   LoopbackAuthentication stands in for an http:// simulator, to which the SDK sends no token).
 * - FetchHandler sends with the project's fetch, to the version root only.
 *
 * Pacing, `$batch` gathering and retries happen above, once, before a request reaches this
 * client (docs/graph-request-path.md); the SDK's own RetryHandler is left out on purpose, since
 * it would retry whole `$batch`es and ignore the shared pause.
 *
 * Requests use `ResponseType.RAW`: statuses and headers are ours to read (a 403 is an outcome,
 * a 429 a pacing signal). Paths are given to `client.api()` relative to the version segment,
 * with the query already strictly percent-encoded by odataQuery.ts (the SDK's `.filter()` does
 * not encode), which the SDK passes through; nextLinks are made relative first, because the SDK
 * only recognises https:// absolute URLs and a loopback simulator speaks http://.
 */
import { AuthenticationHandler, Client, type Middleware, ResponseType } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { AppError, ensureAppError } from '../core/errors';
import { AppErrorBoundary, FetchHandler, LoopbackAuthentication, TransportFailure } from './graphMiddleware';
import type { GraphRequest, GraphResponse } from './graphResponse';

/** Sends one request as it is: no pacing, no retry. */
export interface WireClient {
  send(request: GraphRequest): Promise<GraphResponse>;
}

export interface WireClientOptions {
  baseUrl: string;
  /** With `scope`; null for GRAPH_AUTH=none. */
  credential: TokenCredential | null;
  scope: string;
  fetchImpl?: typeof fetch;
}

/** `<base>/v1.0`: every request goes below it, and nextLinks must point below it too. */
export const versionRootOf = (baseUrl: string): string => `${baseUrl}/v1.0`;

export function createWireClient(options: WireClientOptions): WireClient {
  const chain: Middleware[] = [new AppErrorBoundary()];
  if (options.credential) {
    const provider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [options.scope] });
    chain.push(
      options.baseUrl.startsWith('http://')
        ? new LoopbackAuthentication(provider)
        : new AuthenticationHandler(provider),
    );
  }
  chain.push(new FetchHandler(options.fetchImpl ?? fetch, versionRootOf(options.baseUrl)));
  const client = Client.initWithMiddleware({
    middleware: chain,
    baseUrl: options.baseUrl,
    defaultVersion: 'v1.0',
    // The AuthenticationHandler sends the token only to Graph's own hosts and these.
    customHosts: new Set([new URL(options.baseUrl).hostname]),
  });

  return {
    async send(request: GraphRequest): Promise<GraphResponse> {
      const failure = new TransportFailure();
      // Graph support asks for the request-id Graph returns and the client-request-id sent
      // ("Microsoft Graph error responses and resource types", learn.microsoft.com/graph/errors).
      const clientRequestId = randomUUID();
      const call = client
        .api(request.url)
        .header('client-request-id', clientRequestId)
        .middlewareOptions([failure])
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
      return {
        status: response.status,
        headers: { 'client-request-id': clientRequestId, ...lowerCased(response.headers) },
        body: await readJson(response),
      };
    },
  };
}

/** A nextLink as a path relative to the version root; refuses links to any other host. */
export function relativeLink(versionRoot: string, link: string): string {
  if (!link.startsWith(`${versionRoot}/`)) {
    throw new AppError('GRAPH.BAD_RESPONSE', `Graph returned a nextLink outside ${versionRoot}; it is not followed.`);
  }
  return link.slice(versionRoot.length);
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
