/**
 * What the HTTP functions refuse before any use case runs, each with a 4xx and a reason. The host
 * routes only the registered method, but a handler must not trust that; a query parameter it does
 * not know, or a body, is refused rather than ignored: `?dryrun=true` (wrong case) or a body
 * `{"dryRun":true}` ignored would turn what the operator meant as a dry run into a write.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

/** The function key travels as `?code=` when it is not in the x-functions-key header. */
const HOST_PARAMETERS = ['code'];

function refused(status: number, message: string, headers?: Record<string, string>): HttpResponseInit {
  return { status, headers, jsonBody: { error: 'INPUT.INVALID', message } };
}

/** A 4xx answer for a request this route does not take, or null when it may go on. */
export async function refuseRequest(
  request: HttpRequest,
  route: { method: string; queryParameters: readonly string[] },
): Promise<HttpResponseInit | null> {
  if (request.method.toUpperCase() !== route.method) {
    return refused(405, `this route takes ${route.method} only`, { Allow: route.method });
  }
  const allowed = [...route.queryParameters, ...HOST_PARAMETERS];
  const names = [...request.query.keys()];
  const unknown = [...new Set(names.filter((name) => !allowed.includes(name)))];
  if (unknown.length > 0) {
    const known = route.queryParameters.length > 0 ? route.queryParameters.join(', ') : 'none';
    return refused(
      400,
      `unknown query parameter ${unknown.map((name) => JSON.stringify(name.slice(0, 40))).join(', ')}; this route takes ${known}`,
    );
  }
  const repeated = route.queryParameters.find((name) => request.query.getAll(name).length > 1);
  if (repeated) return refused(400, `query parameter ${repeated} is given more than once`);
  if (!isEmptyBody(await bodyText(request))) {
    return refused(
      400,
      `this route takes no body${route.queryParameters.length > 0 ? `; use the query parameters (${route.queryParameters.join(', ')})` : ''}`,
    );
  }
  return null;
}

/** The start of the body, enough to tell empty or `{}` from anything else; the rest is never read. */
async function bodyText(request: HttpRequest, maxBytes = 64): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value as Uint8Array);
      size += (value as Uint8Array).length;
    }
  } catch {
    // A body that cannot be read is still a body.
    return '\u0000';
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return size > maxBytes ? '\u0000' : Buffer.concat(chunks).toString('utf8');
}

/** Portals and some clients send `{}` with every POST: that says nothing, so it is no body. */
function isEmptyBody(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === '' || trimmed === '{}';
}
