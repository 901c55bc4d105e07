import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors';
import { toStorageError } from '../../src/state/storageErrors';

const restError = (statusCode: number | undefined, code: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`${code} happened for jane@example.com`), {
    statusCode,
    code,
    response: { headers: { get: (name: string) => headers[name] } },
  });

describe('toStorageError', () => {
  it.each([
    ['a network failure', restError(undefined, 'REQUEST_SEND_ERROR')],
    ['a refused connection', restError(undefined, 'ECONNREFUSED')],
    ['503 Server Busy', restError(503, 'ServerBusy')],
    ['500', restError(500, 'InternalError')],
    ['429', restError(429, 'TooManyRequests')],
    ['408', restError(408, 'OperationTimedOut')],
  ])('turns %s into a transient STORAGE.UNAVAILABLE', (_, err) => {
    const error = toStorageError(err, 'writing');
    expect(error.code).toBe('STORAGE.UNAVAILABLE');
    expect(error.transient).toBe(true);
  });

  it("keeps the server's Retry-After", () => {
    expect(toStorageError(restError(503, 'ServerBusy', { 'retry-after': '7' }), 'writing').retryAfterMs).toBe(7000);
  });

  it('reports a refused credential as STORAGE.UNAVAILABLE that a retry will not fix', () => {
    const error = toStorageError(restError(403, 'AuthorizationFailure'), 'writing');
    expect([error.code, error.transient, error.status]).toEqual(['STORAGE.UNAVAILABLE', false, 403]);
    expect(error.message).toContain('AzureWebJobsStorage');
  });

  it('reports any other rejection as a non-transient INTERNAL error', () => {
    const error = toStorageError(restError(400, 'PropertyValueTooLarge'), 'writing');
    expect([error.code, error.transient]).toEqual(['INTERNAL', false]);
  });

  it('says what was being done and masks personal data', () => {
    const error = toStorageError(restError(503, 'ServerBusy'), 'reading the ledger entry of W1');
    expect(error.message).toContain('reading the ledger entry of W1');
    expect(error.message).not.toContain('jane@example.com');
  });

  it('passes an AppError through unchanged', () => {
    const original = new AppError('INPUT.INVALID', 'bad');
    expect(toStorageError(original, 'writing')).toBe(original);
  });
});
