/**
 * What the Workday adapters (RaaS and SOAP) share about HTTP: basic credentials, the deadline
 * every call runs under, and how a status, a network failure or a timeout becomes an AppError
 * with the right code and transient flag.
 */
import { AppError, ensureAppError, isAppError } from '../core/errors';
import { parseRetryAfter } from '../core/retry';

/** `Basic base64(user:password)`, UTF-8, the username as given (`ISU_Entra@contoso`). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** WORKDAY_TIMEOUT_SECONDS' default: a 999-worker page takes Workday tens of seconds at worst. */
export const DEFAULT_WORKDAY_TIMEOUT_MS = 120_000;

/**
 * The longest Retry-After from Workday that is honoured as asked. A maintenance page may ask
 * for an hour; waiting that long would hold the function past its own timeout, so the wait is
 * cut to this and the message says so (the retries then run out and the next cycle tries again).
 */
export const MAX_WORKDAY_RETRY_AFTER_MS = 30_000;

/** The Retry-After to wait, capped, and words for the message when the cap cut it. */
export function cappedRetryAfter(header: string | null): { retryAfterMs?: number; note: string } {
  const asked = parseRetryAfter(header);
  if (asked === undefined) return { note: '' };
  if (asked <= MAX_WORKDAY_RETRY_AFTER_MS) return { retryAfterMs: asked, note: '' };
  return {
    retryAfterMs: MAX_WORKDAY_RETRY_AFTER_MS,
    note: ` (Workday asked to wait ${Math.round(asked / 1000)} s; waiting at most ${MAX_WORKDAY_RETRY_AFTER_MS / 1000} s so the function does not hang)`,
  };
}

/**
 * An idle deadline for one call: it fires when Workday has sent nothing for `timeoutMs`, before
 * the headers or between two parts of a body. A large report may stream for minutes; a silent
 * connection may not.
 */
export interface IdleDeadline {
  readonly signal: AbortSignal;
  /** Workday sent something: the wait starts again. */
  touch(): void;
  clear(): void;
}

export function idleDeadline(timeoutMs: number): IdleDeadline {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')),
      timeoutMs,
    );
  };
  touch();
  return { signal: controller.signal, touch, clear: () => clearTimeout(timer) };
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
export function workdayStatusError(
  call: WorkdayCall,
  status: number,
  retryAfter: string | null,
  detail = '',
): AppError {
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
    return new AppError(
      'CONFIG.INVALID_SETTING',
      `Workday has no ${call.what} at ${call.urlSetting} (HTTP 404); check the URL${suffix}`,
      { status },
    );
  }
  if (status === 400) {
    return new AppError(
      'WORKDAY.VALIDATION',
      `Workday refused the request for ${call.what} as invalid (HTTP 400)${suffix}`,
      { status },
    );
  }
  if (TRANSIENT_STATUSES.has(status)) {
    const { retryAfterMs, note } = cappedRetryAfter(retryAfter);
    return new AppError(
      'WORKDAY.UNAVAILABLE',
      `Workday is unavailable for ${call.what} (HTTP ${status})${suffix}${note}`,
      {
        status,
        transient: true,
        retryAfterMs,
      },
    );
  }
  return new AppError('WORKDAY.BAD_RESPONSE', `Workday answered HTTP ${status} to ${call.what}${suffix}`, { status });
}

/** A failure before any answer (refused, reset, DNS, timeout): transient, so the retry policy decides. */
export function workdayNetworkError(call: WorkdayCall, err: unknown, timeoutMs?: number): AppError {
  if (isAppError(err)) return err;
  if (isTimeout(err)) return workdayTimeoutError(call, timeoutMs, err);
  // fetch says only "fetch failed"; the cause names what went wrong (ECONNREFUSED, ENOTFOUND, …).
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const reason =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof cause?.message === 'string'
        ? cause.message
        : ensureAppError(err).message;
  return new AppError('WORKDAY.UNAVAILABLE', `Workday could not be reached for ${call.what}: ${reason}`, {
    transient: true,
    cause: err,
  });
}

export function workdayTimeoutError(call: WorkdayCall, timeoutMs: number | undefined, cause?: unknown): AppError {
  const within = timeoutMs === undefined ? '' : ` within ${timeoutMs / 1000} s`;
  return new AppError('WORKDAY.UNAVAILABLE', `Workday did not answer ${call.what}${within} (WORKDAY_TIMEOUT_SECONDS)`, {
    transient: true,
    cause,
  });
}

export function isTimeout(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'TimeoutError';
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
  const oneLine = text
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars)}…` : oneLine;
}
