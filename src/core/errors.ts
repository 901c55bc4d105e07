import { maskPersonalData } from './mask';

/** Stable error codes; operators and tests match on these, never on message text. */
export type ErrorCode =
  | 'CONFIG.INVALID_SETTING'
  | 'CONFIG.INVALID_CONNECTOR'
  /** This process's clock is too far from the shared (storage) time to version plans or move watermarks. */
  | 'CONFIG.CLOCK_SKEW'
  | 'WORKDAY.AUTHENTICATION'
  | 'WORKDAY.VALIDATION'
  | 'WORKDAY.UNAVAILABLE'
  | 'WORKDAY.BAD_RESPONSE'
  | 'GRAPH.UNAVAILABLE'
  | 'GRAPH.BAD_RESPONSE'
  | 'GRAPH.REQUEST_REFUSED'
  /** A write's guard stopped it before it left (a newer plan exists): nothing was sent. */
  | 'GRAPH.NOT_SENT'
  | 'STORAGE.UNAVAILABLE'
  | 'INPUT.INVALID'
  /** The operator stopped a CLI run (Ctrl-C): the jobs in flight finished, the run is recorded as stopped. */
  | 'RUN.INTERRUPTED'
  | 'INTERNAL';

const MARKER = Symbol.for('entra-attribute-writer.AppError');

/** The one error type of the app: a stable code, whether a retry may help, a masked message. */
export class AppError extends Error {
  readonly [MARKER] = true;
  readonly code: ErrorCode;
  readonly transient: boolean;
  /** How long the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number;
  /** HTTP status of the failed call, when there was one. */
  readonly status?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { transient?: boolean; cause?: unknown; retryAfterMs?: number; status?: number } = {},
  ) {
    super(maskPersonalData(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.transient = options.transient ?? false;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.status !== undefined) this.status = options.status;
  }

  /** Whether the CLI should exit 2 (a setting or the connector file is wrong). */
  get isConfiguration(): boolean {
    return this.code.startsWith('CONFIG.') || this.code === 'WORKDAY.AUTHENTICATION';
  }
}

export function isAppError(value: unknown): value is AppError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}

/** Turns anything thrown into an AppError with personal data masked. */
export function ensureAppError(err: unknown, fallback: ErrorCode = 'INTERNAL'): AppError {
  if (isAppError(err)) return err;
  if (err instanceof Error) {
    return new AppError(fallback, err.message, { transient: isNetworkError(err) });
  }
  return new AppError(fallback, typeof err === 'string' ? err : describe(err));
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular objects and BigInts cannot be serialised; the error must still be reported.
    return String(value);
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function isNetworkError(err: Error): boolean {
  const code = (err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code;
  return (
    (typeof code === 'string' && NETWORK_CODES.has(code)) || err.name === 'AbortError' || err.message === 'fetch failed'
  );
}
