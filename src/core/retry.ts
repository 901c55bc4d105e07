/**
 * The one retry policy for outbound HTTP (Workday and Graph): exponential backoff with jitter,
 * a server's Retry-After wins over our own guess, and only transient AppErrors are retried.
 */
import { type AppError, ensureAppError } from '../core/errors';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injectable for tests and simulated time. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait (for logs and counters). */
  onRetry?: (error: AppError, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, throws a non-transient error, or the attempts run out. */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  const wait = policy.sleep ?? sleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const error = ensureAppError(err);
      if (!error.transient || n >= policy.maxAttempts) throw error;
      const delay = retryDelayMs(error, n, policy);
      policy.onRetry?.(error, n, delay);
      await wait(delay);
    }
  }
}

/** Retry-After when the server gave one, else full-jitter exponential backoff. */
export function retryDelayMs(error: AppError, attemptNumber: number, policy: RetryPolicy): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
