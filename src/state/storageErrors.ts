/**
 * Turns what the storage SDKs throw into the app's one error type. What a retry may fix
 * (network, timeouts, 429, 5xx) is STORAGE.UNAVAILABLE with transient=true, so the queue's
 * retry and the CLI's exit code treat it as "try again", not as a bug.
 */
import { AppError, isAppError } from '../core/errors';

interface SdkError {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

const NETWORK_CODES = new Set([
  'REQUEST_SEND_ERROR',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function statusOf(err: unknown): number | undefined {
  const status = (err as SdkError | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

/** `action` says what we were doing, e.g. "reading the ledger entry of W1". */
export function toStorageError(err: unknown, action: string): AppError {
  if (isAppError(err)) return err;
  const sdk = (err ?? {}) as SdkError;
  const status = statusOf(err);
  const reason = `${sdk.code ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${sdk.message ?? String(err)}`;
  const options = { cause: err, status: status || undefined };
  if (isTransient(sdk, status)) {
    const retryAfterMs = retryAfterOf(sdk);
    return new AppError('STORAGE.UNAVAILABLE', `Storage failed while ${action}: ${reason}`, {
      ...options,
      transient: true,
      retryAfterMs,
    });
  }
  if (status === 401 || status === 403) {
    return new AppError(
      'STORAGE.UNAVAILABLE',
      `Storage refused access while ${action}: ${reason}; check AzureWebJobsStorage and the app's storage roles`,
      options,
    );
  }
  return new AppError('INTERNAL', `Storage rejected a request while ${action}: ${reason}`, options);
}

function isTransient(sdk: SdkError, status: number | undefined): boolean {
  if (status === undefined)
    return NETWORK_CODES.has(sdk.code ?? '') || (sdk as Error).name === 'AbortError' || isNetworkCause(sdk);
  return status === 408 || status === 429 || status >= 500;
}

function isNetworkCause(sdk: SdkError): boolean {
  const cause = (sdk as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' && NETWORK_CODES.has(cause.code);
}

function retryAfterOf(sdk: SdkError): number | undefined {
  const header = sdk.response?.headers?.get?.('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Runs one storage call and converts its failure. */
export async function storageCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toStorageError(err, action);
  }
}
