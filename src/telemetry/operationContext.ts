/**
 * One operation id ties a run's records together, from the timer through the queue to Graph.
 * The Functions host records each invocation under the W3C trace id of its `traceparent`; using
 * that trace id for our records puts them in the same Application Insights operation
 * (`operation_Id`) as the host's request and log lines for the invocation that started the run.
 */

export interface OperationContext {
  /** 32 lower-case hex digits: Application Insights' `operation_Id`. */
  traceId: string;
  /** 16 hex digits of the invocation's span (`operation_ParentId`), when the id carried one. */
  spanId?: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const ALL_ZERO = /^0+$/;

/**
 * Reads an operation id as a `traceparent` (`00-<trace>-<span>-<flags>`), a bare trace id, or
 * an invocation id (a GUID, whose 32 hex digits make a valid trace id). Anything else: null.
 */
export function parseOperationId(operationId: string | undefined | null): OperationContext | null {
  if (!operationId) return null;
  const value = operationId.trim().toLowerCase();
  const parent = TRACEPARENT.exec(value);
  if (parent) {
    const [, traceId, spanId] = parent as unknown as [string, string, string];
    if (ALL_ZERO.test(traceId)) return null;
    return ALL_ZERO.test(spanId) ? { traceId } : { traceId, spanId };
  }
  const compact = value.replace(/-/g, '');
  return TRACE_ID.test(compact) && !ALL_ZERO.test(compact) ? { traceId: compact } : null;
}

/** The subset of `@azure/functions`' InvocationContext this needs (kept structural: no SDK import). */
export interface InvocationLike {
  invocationId: string;
  traceContext?: { traceParent?: string | null } | undefined;
}

/**
 * The operation id a function should carry in its jobs: the invocation's `traceparent` when the
 * host gave one (it matches the host's own telemetry), else the invocation id.
 */
export function operationIdOf(invocation: InvocationLike): string {
  return invocation.traceContext?.traceParent || invocation.invocationId;
}
