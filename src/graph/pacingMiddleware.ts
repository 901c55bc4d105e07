/**
 * The project's pacing as a link of the SDK middleware chain. A logical request (one lookup, one
 * PATCH) does not go on the wire from here: it joins the RequestCoalescer, which gathers
 * concurrent requests into `$batch`es of up to 20, admits them through the Pacer (slots, write
 * and resource-unit budgets, the global pause on 429) and learns from the throttle headers of
 * every answer and sub-answer. What the coalescer sends comes back down this chain marked as a
 * wire request and passes straight on to authentication and the terminal handler.
 *
 * So the shared pause and per-sub-request retry stay where they work (the SDK's RetryHandler
 * would retry whole requests one by one), and each caller still gets its own answer as a
 * `Response`, the way `ResponseType.RAW` hands it back.
 */
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { AppError } from '../core/errors';
import type { GraphMethod, GraphRequest, GraphResponse } from './graphResponse';

/** Marks a request the coalescer already paced: it goes on the wire as it is. */
export class WireRequest implements MiddlewareOptions {}

/** Carries a write's guard through the SDK chain to the coalescer, which asks it just before sending. */
export class SendGuard implements MiddlewareOptions {
  constructor(readonly ask: () => Promise<boolean>) {}
}

/** Statuses whose Response may carry no body (the Fetch standard's null-body statuses). */
const NULL_BODY = new Set([101, 204, 205, 304]);

export class PacingMiddleware implements Middleware {
  private next: Middleware | undefined;

  /**
   * @param versionRoot `<base>/v1.0`: logical requests travel relative to it inside `$batch`.
   * @param submit the coalescer's entry (late-bound: the coalescer sends through this client).
   */
  constructor(
    private readonly versionRoot: string,
    private readonly submit: (request: GraphRequest) => Promise<GraphResponse>,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    if (context.middlewareControl?.getMiddlewareOptions(WireRequest)) return this.next!.execute(context);
    const answer = await this.submit(this.logicalRequestOf(context));
    context.response = toResponse(answer);
  }

  private logicalRequestOf(context: Context): GraphRequest {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (!url.startsWith(`${this.versionRoot}/`)) {
      throw new AppError('INTERNAL', `A Graph request left for ${url.split('?')[0]}, outside ${this.versionRoot}.`);
    }
    const method = (context.options?.method ?? 'GET').toUpperCase() as GraphMethod;
    const body = context.options?.body;
    const guard = context.middlewareControl?.getMiddlewareOptions(SendGuard) as SendGuard | undefined;
    return {
      method,
      url: url.slice(this.versionRoot.length),
      ...(typeof body === 'string' && body !== '' ? { body: JSON.parse(body) as unknown } : {}),
      ...(guard ? { guard: guard.ask } : {}),
    };
  }
}

function toResponse(answer: GraphResponse): Response {
  const headers = new Headers(answer.headers);
  if (NULL_BODY.has(answer.status) || answer.body === null || answer.body === undefined) {
    return new Response(null, { status: answer.status, headers });
  }
  headers.set('content-type', 'application/json');
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
}
