/**
 * The two ends of the SDK middleware chain that are this project's own: a boundary on top that
 * keeps our AppErrors (the SDK's GraphRequest rewraps anything a middleware throws into a
 * GraphError, losing the transient flag and the cause), and a terminal handler at the bottom
 * that sends with the project's fetch (injectable for tests; the SDK's HTTPMessageHandler only
 * knows the global one), with a timeout, and reports a failure before any answer as transient.
 */
import type { AuthenticationProvider, Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { AppError, ensureAppError } from '../core/errors';

const REQUEST_TIMEOUT_MS = 60_000;

/** Per request: where the boundary leaves the AppError for the caller to throw as is. */
export class TransportFailure implements MiddlewareOptions {
  error: AppError | null = null;
}

/** The first link of the chain: whatever fails below becomes an AppError, kept for the caller. */
export class AppErrorBoundary implements Middleware {
  private next: Middleware | undefined;

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    try {
      await this.next!.execute(context);
    } catch (err) {
      const error = ensureAppError(err, 'GRAPH.UNAVAILABLE');
      const slot = context.middlewareControl?.getMiddlewareOptions(TransportFailure) as TransportFailure | undefined;
      if (slot) slot.error = error;
      throw error;
    }
  }
}

/** The last link: one HTTP exchange with the project's fetch, below the version root only. */
export class FetchHandler implements Middleware {
  /** @param versionRoot `<base>/v1.0`: a request built for any other place (an absolute path given to the SDK) never leaves. */
  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly versionRoot: string,
  ) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (!url.startsWith(`${this.versionRoot}/`)) {
      throw new AppError('INTERNAL', `A Graph request was built for ${pathOf(url)}, outside ${this.versionRoot}.`);
    }
    const options = context.options ?? {};
    const headers = { Accept: 'application/json', ...(options.headers as Record<string, string> | undefined) };
    try {
      context.response = await this.fetchImpl(url, {
        ...(options as RequestInit),
        headers,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const error = ensureAppError(err, 'GRAPH.UNAVAILABLE');
      // Whatever failed before an answer came back (reset, refused, timeout) may pass on retry.
      throw new AppError(
        'GRAPH.UNAVAILABLE',
        `Graph could not be reached (${options.method ?? 'GET'} ${pathOf(url)}): ${error.message}`,
        {
          transient: true,
          cause: err,
        },
      );
    }
  }
}

/** The path without its query: filters hold worker ids, which stay out of messages. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The bearer token for an http:// loopback simulator. The SDK's AuthenticationHandler sends its
 * token to https:// URLs only (it recognises hosts by that prefix), which is right for every real
 * Graph endpoint; a simulator run with GRAPH_AUTH=azure (to test the token path) needs this.
 */
export class LoopbackAuthentication implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly provider: AuthenticationProvider) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const token = await this.provider.getAccessToken();
    context.options = {
      ...context.options,
      headers: {
        ...(context.options?.headers as Record<string, string> | undefined),
        Authorization: `Bearer ${token}`,
      },
    };
    await this.next!.execute(context);
  }
}
