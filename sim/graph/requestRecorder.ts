/**
 * The request log and counters that tests and the benchmark read: every request, every $batch
 * sub-request (inBatch) and the POST /$batch envelope itself.
 */
import type { GraphCounters, GraphRequestLogEntry } from './types';

export class RequestRecorder {
  readonly requests: GraphRequestLogEntry[] = [];
  private tally: GraphCounters = emptyCounters();

  countHttpRequest(): void {
    this.tally.httpRequests += 1;
  }

  /** A plain request or a sub-request: what the client asked Graph to do. */
  recordLogical(entry: GraphRequestLogEntry, resourceUnits: number, isWrite: boolean): void {
    this.requests.push(entry);
    this.tally.subRequests += 1;
    this.tally.resourceUnits += resourceUnits;
    if (entry.status === 429) this.tally.throttled += 1;
    if (isWrite && entry.status >= 200 && entry.status < 300) this.tally.writes += 1;
  }

  recordEnvelope(entry: GraphRequestLogEntry): void {
    this.requests.push(entry);
    if (entry.status === 429) this.tally.throttled += 1;
  }

  counters(): GraphCounters {
    return { ...this.tally };
  }

  /** Clears in place, so a caller holding `requests` sees the reset. */
  reset(): void {
    this.requests.length = 0;
    this.tally = emptyCounters();
  }
}

function emptyCounters(): GraphCounters {
  return { httpRequests: 0, subRequests: 0, throttled: 0, writes: 0, resourceUnits: 0 };
}
