/** Maps an error of a use case to an HTTP answer: 400 bad input, 503 upstream unavailable, 500 otherwise. */
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { ensureAppError } from '../core/errors';
import { maskPersonalData } from '../core/mask';

export function errorResponse(err: unknown, context: InvocationContext): HttpResponseInit {
  const ensured = ensureAppError(err);
  // AppError masks its message; an error body is a boundary all the same, so it is masked here too.
  const error = { code: ensured.code, transient: ensured.transient, message: maskPersonalData(ensured.message) };
  if (error.code === 'INPUT.INVALID') return { status: 400, jsonBody: { error: error.code, message: error.message } };
  context.error(`${error.code}: ${error.message}`);
  if (error.transient || error.code.startsWith('WORKDAY.') || error.code.startsWith('GRAPH.')) {
    return { status: 503, headers: { 'Retry-After': '60' }, jsonBody: { error: error.code, message: error.message } };
  }
  return { status: 500, jsonBody: { error: error.code, message: error.message } };
}
