/**
 * Posts one Get_Workers envelope to the Human_Resources endpoint under the one retry policy:
 * outages are retried with backoff (a server's Retry-After first, capped), refusals are not.
 * A 200 answer is parsed as it arrives and each Worker is handed to the caller's mapper and
 * dropped, so a page never exists as one string or one tree; the page's workers are returned
 * only once the whole page parsed, so a retried page never repeats or half-delivers them.
 */
import { AppError } from '../core/errors';
import type { Logger } from '../core/ports';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../core/retry';
import {
  DEFAULT_WORKDAY_TIMEOUT_MS,
  idleDeadline,
  isTimeout,
  workdayNetworkError,
  workdayTimeoutError,
  type IdleDeadline,
} from './http';
import { checkedGetWorkersResponse, getWorkersCall, getWorkersResponseOf, type AnswerContext } from './soapResponse';
import { xmlStream, type XmlElement } from './soapXml';

export interface SoapClientOptions {
  endpoint: string;
  username: string;
  retry?: RetryPolicy;
  logger?: Logger;
  fetchImpl?: typeof fetch;
  /** How long Workday may stay silent, before answering or mid-answer (WORKDAY_TIMEOUT_SECONDS). */
  timeoutMs?: number;
}

export interface GetWorkersAnswer<T> {
  /** The Get_Workers_Response element, without its workers (Response_Results and the echo). */
  response: XmlElement;
  /** Each Response_Data/Worker as the mapper made it, in document order. */
  workers: T[];
}

export interface SoapClient {
  getWorkers<T>(envelope: string, label: string, mapWorker: (worker: XmlElement) => T): Promise<GetWorkersAnswer<T>>;
}

/** Enough of a body's start to recognise an HTML page. */
const BODY_START_CHARS = 2000;

export function createSoapClient(options: SoapClientOptions): SoapClient {
  const fetchImpl = options.fetchImpl ?? fetch;
  const base = options.retry ?? DEFAULT_RETRY;
  const host = new URL(options.endpoint).host;
  const timeoutMs = options.timeoutMs ?? DEFAULT_WORKDAY_TIMEOUT_MS;

  const policy = (label: string): RetryPolicy => ({
    ...base,
    onRetry: (error, attempt, delayMs) => {
      options.logger?.log('warn', `Workday Get_Workers (${label}) failed, retrying`, {
        attempt,
        delayMs,
        code: error.code,
        status: error.status,
        error: error.message,
      });
      base.onRetry?.(error, attempt, delayMs);
    },
  });

  async function post<T>(
    envelope: string,
    label: string,
    mapWorker: (worker: XmlElement) => T,
  ): Promise<GetWorkersAnswer<T>> {
    const context: AnswerContext = { username: options.username, label };
    const deadline = idleDeadline(timeoutMs);
    try {
      let response: Response;
      try {
        response = await fetchImpl(options.endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml' },
          body: envelope,
          signal: deadline.signal,
        });
      } catch (err) {
        throw workdayNetworkError(getWorkersCall(label), err, timeoutMs);
      }
      const retryAfter = response.headers.get('retry-after');
      const workers: T[] = [];
      const stream = xmlStream({
        name: 'Worker',
        parent: 'Response_Data',
        onElement: (worker) => workers.push(mapWorker(worker)),
      });
      // Error answers are small and judged whole; only a 200 is parsed as it arrives.
      let text = '';
      const write =
        response.status === 200
          ? (chunk: string) => stream.write(chunk)
          : (chunk: string) => {
              text += chunk;
            };
      const bodyStart = await feed(response.body, write, deadline, { label, host, timeoutMs });
      if (response.status !== 200)
        return {
          response: getWorkersResponseOf({ status: response.status, body: text, retryAfter }, context),
          workers,
        };
      const parsed = bodyStart.trimStart().startsWith('<') ? stream.end() : null;
      return {
        response: checkedGetWorkersResponse(parsed, { status: 200, body: bodyStart, retryAfter }, context),
        workers,
      };
    } finally {
      deadline.clear();
    }
  }

  return {
    getWorkers: (envelope, label, mapWorker) => withRetry(() => post(envelope, label, mapWorker), policy(label)),
  };
}

/** Decodes the body chunk by chunk into `write`; returns the body's start. */
async function feed(
  body: ReadableStream<Uint8Array> | null,
  write: (chunk: string) => void,
  deadline: IdleDeadline,
  call: { label: string; host: string; timeoutMs: number },
): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  let start = '';
  const take = (chunk: string): void => {
    if (start.length < BODY_START_CHARS) start += chunk.slice(0, BODY_START_CHARS - start.length);
    write(chunk);
  };
  try {
    if (body) {
      for await (const bytes of body) {
        deadline.touch();
        take(decoder.decode(bytes, { stream: true }));
      }
    }
    take(decoder.decode());
  } catch (err) {
    // A connection dropped (or silent too long) mid-body is an outage like any other.
    if (isTimeout(err)) throw workdayTimeoutError(getWorkersCall(call.label), call.timeoutMs, err);
    throw new AppError(
      'WORKDAY.UNAVAILABLE',
      `Workday's answer from ${call.host} (${call.label}) broke off: ${(err as Error).message}`,
      { transient: true, cause: err },
    );
  }
  return start;
}
