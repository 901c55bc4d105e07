import { describe, expect, it } from 'vitest';
import { AppError, ensureAppError, isAppError } from '../../src/core/errors';

describe('AppError', () => {
  it('masks personal emails in its message', () => {
    expect(new AppError('INPUT.INVALID', 'bad value jane.doe@home.example').message).toBe(
      'bad value j***@home.example',
    );
  });

  it('is not transient unless told', () => {
    expect(new AppError('INTERNAL', 'x').transient).toBe(false);
    expect(new AppError('GRAPH.UNAVAILABLE', 'x', { transient: true, retryAfterMs: 2000, status: 429 })).toMatchObject({
      transient: true,
      retryAfterMs: 2000,
      status: 429,
    });
  });

  it.each([
    ['CONFIG.INVALID_SETTING', true],
    ['CONFIG.INVALID_CONNECTOR', true],
    ['WORKDAY.AUTHENTICATION', true],
    ['WORKDAY.UNAVAILABLE', false],
    ['GRAPH.UNAVAILABLE', false],
  ] as const)('%s is a configuration error: %s', (code, expected) => {
    expect(new AppError(code, 'x').isConfiguration).toBe(expected);
  });
});

describe('isAppError', () => {
  it('recognises an AppError and nothing else', () => {
    expect(isAppError(new AppError('INTERNAL', 'x'))).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
    expect(isAppError(null)).toBe(false);
    expect(isAppError({ code: 'INTERNAL' })).toBe(false);
  });
});

describe('ensureAppError', () => {
  it('returns an AppError as it is', () => {
    const error = new AppError('GRAPH.UNAVAILABLE', 'x', { transient: true });
    expect(ensureAppError(error)).toBe(error);
  });

  it('wraps an Error under the fallback code, masking its message', () => {
    const error = ensureAppError(new Error('user jane@home.example not found'), 'GRAPH.BAD_RESPONSE');
    expect(error).toMatchObject({
      code: 'GRAPH.BAD_RESPONSE',
      transient: false,
      message: 'user j***@home.example not found',
    });
  });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN'])('treats a network error (%s) as transient', (code) => {
    expect(ensureAppError(Object.assign(new Error('socket'), { code })).transient).toBe(true);
  });

  it('treats fetch failed with a network cause as transient', () => {
    expect(ensureAppError(new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } })).transient).toBe(true);
  });

  it('treats an abort (timeout) as transient', () => {
    expect(ensureAppError(Object.assign(new Error('aborted'), { name: 'AbortError' })).transient).toBe(true);
  });

  it('wraps a thrown string or object as INTERNAL', () => {
    expect(ensureAppError('boom')).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(ensureAppError({ status: 500 }).message).toBe('{"status":500}');
    expect(ensureAppError(undefined).message).toBe('undefined');
  });
});

describe('ensureAppError on values JSON cannot hold', () => {
  // Regression, fixed: `JSON.stringify(err)` throws for a circular object or a BigInt, so the one function that
  // must turn anything into an AppError throws a TypeError itself (inside a catch block).
  // Fix: wrap the stringify in try/catch and fall back to String(err).
  it('turns a circular object into an AppError instead of throwing', () => {
    const circular: Record<string, unknown> = { status: 500 };
    circular.self = circular;
    expect(ensureAppError(circular).code).toBe('INTERNAL');
  });
});
