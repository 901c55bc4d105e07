/**
 * The retry step of the Graph path: each logical request is retried on its own, with the one
 * retry policy (src/core/retry.ts), while Graph answers it 429/503/504 or cannot be reached. A
 * throttled sub-request is sent again alone, inside whatever `$batch` forms next, not with its
 * whole batch; the server's Retry-After wins. When the attempts run out the error is
 * GRAPH.UNAVAILABLE (transient): the queue retries the job, and the poison handler records `failed`.
 */
import { AppError, isAppError } from '../core/errors';
import type { Logger } from '../core/ports';
import { type RetryPolicy, withRetry } from '../core/retry';
import { type ExecuteRequest, type GraphRequest, type GraphResponse, throwIfTransient } from './graphResponse';

export function retryingEach(
  next: (request: GraphRequest) => Promise<GraphResponse>,
  policy: RetryPolicy,
  logger?: Logger,
): ExecuteRequest {
  const logged: RetryPolicy = {
    ...policy,
    onRetry: (error, attempt, delayMs) => {
      policy.onRetry?.(error, attempt, delayMs);
      logger?.log('debug', `Graph retry in ${delayMs} ms after attempt ${attempt}: ${error.message}`);
    },
  };
  return async (request, what) => {
    try {
      return await withRetry(async () => throwIfTransient(await next(request), what), logged);
    } catch (err) {
      if (!isAppError(err) || !err.transient) throw err;
      throw new AppError('GRAPH.UNAVAILABLE', `${err.message} Gave up after ${policy.maxAttempts} attempts.`, {
        transient: true,
        cause: err,
        status: err.status,
      });
    }
  };
}
