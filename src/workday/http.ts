/**
 * What the Workday adapters (RaaS and SOAP) share about HTTP: basic credentials, and how a
 * status or a network failure becomes an AppError with the right code and transient flag.
 */
import { AppError, ensureAppError, isAppError } from '../core/errors';
import { parseRetryAfter } from '../http/retry';

/** `Basic base64(user:password)`, UTF-8, the username as given (`ISU_Entra@contoso`). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Statuses a later attempt may answer differently (maintenance windows answer 503). */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

export interface WorkdayCall {
  /** What was called, for messages: `the RaaS report`, `Get_Workers`. */
  what: string;
  /** The setting that names the endpoint, for 404s: `WORKDAY_RAAS_URL`. */
  urlSetting: string;
}

/**
 * The error for a non-2xx answer: 401/403 → WORKDAY.AUTHENTICATION (a setting is wrong, not
 * retried), 404 → CONFIG.INVALID_SETTING, 400 → WORKDAY.VALIDATION (e.g. a prompt value Workday
 * refuses), 408/429/5xx → WORKDAY.UNAVAILABLE (transient, with Retry-After), anything else →
 * WORKDAY.BAD_RESPONSE. `detail` is appended (it is masked).
 */
export function workdayStatusError(call: WorkdayCall, status: number, retryAfter: string | null, detail = ''): AppError {
  const suffix = detail ? `: ${detail}` : '';
  if (status === 401 || status === 403) {
    return new AppError(
      'WORKDAY.AUTHENTICATION',
      `Workday refused the credentials for ${call.what} (HTTP ${status}): check WORKDAY_USERNAME (the integration system user as ISU_name@tenant) ` +
        `and WORKDAY_PASSWORD, and that the user may run it`,
      { status },
    );
  }
  if (status === 404) {
    return new AppError('CONFIG.INVALID_SETTING', `Workday has no ${call.what} at ${call.urlSetting} (HTTP 404); check the URL${suffix}`, { status });
  }
  if (status === 400) {
    return new AppError('WORKDAY.VALIDATION', `Workday refused the request for ${call.what} as invalid (HTTP 400)${suffix}`, { status });
  }
  if (TRANSIENT_STATUSES.has(status)) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return new AppError('WORKDAY.UNAVAILABLE', `Workday is unavailable for ${call.what} (HTTP ${status})${suffix}`, {
      status,
      transient: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return new AppError('WORKDAY.BAD_RESPONSE', `Workday answered HTTP ${status} to ${call.what}${suffix}`, { status });
}

/** A failure before any answer (refused, reset, DNS): transient, so the retry policy decides. */
export function workdayNetworkError(call: WorkdayCall, err: unknown): AppError {
  if (isAppError(err)) return err;
  // fetch says only "fetch failed"; the cause names what went wrong (ECONNREFUSED, ENOTFOUND, …).
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const reason = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : ensureAppError(err).message;
  return new AppError('WORKDAY.UNAVAILABLE', `Workday could not be reached for ${call.what}: ${reason}`, { transient: true, cause: err });
}

/** The start of an error body, one line, for a message (the AppError built from it masks it). */
export async function errorSnippet(response: Response, maxChars = 200): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let text = '';
  try {
    // Read only the start: an error page can be large, and only its first words are useful.
    while (text.length < 4 * maxChars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body that breaks off still gave its status; the snippet is a courtesy.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const oneLine = text.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars)}…` : oneLine;
}
