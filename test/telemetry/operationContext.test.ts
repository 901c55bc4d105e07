import { describe, expect, it } from 'vitest';
import { operationIdOf, parseOperationId } from '../../src/telemetry/operationContext';

describe('parseOperationId', () => {
  it('reads the trace and span ids of a traceparent', () => {
    expect(parseOperationId('00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    });
  });

  it('turns an invocation id (a GUID) into a trace id', () => {
    expect(parseOperationId('5b6f3a2e-1d4c-4e8a-9f00-0123456789ab')).toEqual({
      traceId: '5b6f3a2e1d4c4e8a9f000123456789ab',
    });
  });

  it('accepts a bare 32-digit trace id', () => {
    expect(parseOperationId('0af7651916cd43dd8448eb211c80319c')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });

  it('refuses the all-zero trace id, which W3C declares invalid', () => {
    expect(parseOperationId('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeNull();
  });

  it('drops an all-zero span id but keeps the trace', () => {
    expect(parseOperationId('00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });

  it('returns null for absent or free-form ids', () => {
    expect(parseOperationId(undefined)).toBeNull();
    expect(parseOperationId('')).toBeNull();
    expect(parseOperationId('cli-run-7')).toBeNull();
  });
});

describe('operationIdOf', () => {
  it("prefers the host's traceparent, which matches the host's own telemetry", () => {
    const traceParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(operationIdOf({ invocationId: '5b6f3a2e-1d4c-4e8a-9f00-0123456789ab', traceContext: { traceParent } })).toBe(
      traceParent,
    );
  });

  it('falls back to the invocation id without a trace context', () => {
    expect(operationIdOf({ invocationId: 'abc', traceContext: { traceParent: null } })).toBe('abc');
    expect(operationIdOf({ invocationId: 'abc' })).toBe('abc');
  });
});
