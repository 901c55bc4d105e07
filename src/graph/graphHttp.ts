/**
 * One HTTP exchange with Graph: the version segment, the bearer token, a timeout, and network
 * failures as transient AppErrors. No retry and no pacing here: those live one level up, where
 * a `$batch` sub-request can be retried on its own.
 *
 * Why fetch and not `@microsoft/microsoft-graph-client`: its request layer rewraps every thrown
 * error into a GraphError (our transient flag and network cause are lost), throws on non-2xx
 * unless asked for raw responses, only recognises https:// absolute URLs (nextLinks from a
 * loopback simulator), ends its middleware chain in the global fetch, and its RetryHandler
 * retries whole requests one by one — the opposite of a shared pause and per-sub-request retry.
 * With all of that bypassed, what remained was string concatenation.
 */
import { AppError, ensureAppError } from '../core/errors';
import type { GraphRequest, GraphResponse } from './graphResponse';
import type { TokenSource } from './graphToken';

const REQUEST_TIMEOUT_MS = 60_000;

export interface GraphHttp {
  send(request: GraphRequest): Promise<GraphResponse>;
  /** A nextLink as a path relative to the version segment; refuses links to any other host. */
  relativeLink(link: string): string;
}

export function createGraphHttp(options: { baseUrl: string; token: TokenSource | null; fetchImpl?: typeof fetch }): GraphHttp {
  const versionRoot = `${options.baseUrl.replace(/\/+$/, '')}/v1.0`;
  const fetchImpl = options.fetchImpl ?? fetch;

  async function send(request: GraphRequest): Promise<GraphResponse> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.token) headers.Authorization = `Bearer ${await options.token()}`;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(`${versionRoot}${request.url}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const error = ensureAppError(err, 'GRAPH.UNAVAILABLE');
      // Whatever failed before an answer came back (reset, refused, timeout) may pass on retry.
      throw new AppError('GRAPH.UNAVAILABLE', `Graph could not be reached (${request.method} ${pathOf(request.url)}): ${error.message}`, {
        transient: true,
        cause: err,
      });
    }
    return { status: response.status, headers: lowerCased(response.headers), body: await readJson(response) };
  }

  function relativeLink(link: string): string {
    if (!link.startsWith(`${versionRoot}/`)) {
      throw new AppError('GRAPH.BAD_RESPONSE', `Graph returned a nextLink outside ${versionRoot}; it is not followed.`);
    }
    return link.slice(versionRoot.length);
  }

  return { send, relativeLink };
}

/** The path without its query: filters hold worker ids, which stay out of messages. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
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
    throw new AppError('GRAPH.UNAVAILABLE', 'The connection broke while Graph answered.', { transient: true, cause: err });
  }
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
