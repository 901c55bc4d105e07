/**
 * Injected failures: the next `count` matching logical requests fail with the given status,
 * before any budget is charged, as a Graph front end that gave up would answer.
 */
import { graphError, type SimResponse } from './responses';
import type { GraphFault } from './types';

const BODIES: Record<GraphFault['status'], [code: string, message: string]> = {
  429: ['TooManyRequests', 'Too many requests.'],
  500: ['generalException', 'General exception while processing.'],
  503: ['serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.'],
  504: ['gatewayTimeout', 'The gateway did not receive a response from the service in time.'],
};

export class FaultQueue {
  private readonly pending: GraphFault[] = [];

  add(fault: GraphFault): void {
    if (fault.count > 0) this.pending.push({ ...fault });
  }

  /** Consumes one matching fault and renders its response, or answers null. */
  take(method: string, path: string, isBatchEnvelope: boolean): SimResponse | null {
    const fault = this.pending.find((candidate) =>
      candidate.match ? candidate.match(method, path) : !isBatchEnvelope,
    );
    if (!fault) return null;
    fault.count -= 1;
    if (fault.count <= 0) this.pending.splice(this.pending.indexOf(fault), 1);
    const [code, message] = BODIES[fault.status];
    const headers: Record<string, string> =
      fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
    return graphError(fault.status, code, message, headers);
  }
}
