/**
 * Posts one Get_Workers envelope to the Human_Resources endpoint under the one retry policy:
 * outages are retried with backoff (a server's Retry-After first), refusals are not.
 */
import { AppError } from '../core/errors';
import type { Logger } from '../core/ports';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../http/retry';
import { workdayNetworkError } from './http';
import { getWorkersCall, getWorkersResponseOf } from './soapResponse';
import type { XmlElement } from './soapXml';

export interface SoapClientOptions {
  endpoint: string;
  username: string;
  retry?: RetryPolicy;
  logger?: Logger;
  fetchImpl?: typeof fetch;
  /** Per attempt; a page of 999 workers can take Workday a while to assemble. */
  timeoutMs?: number;
}

export interface SoapClient {
  /** The Get_Workers_Response element of a successful answer. */
  getWorkers(envelope: string, label: string): Promise<XmlElement>;
}

const DEFAULT_TIMEOUT_MS = 180_000;

export function createSoapClient(options: SoapClientOptions): SoapClient {
  const fetchImpl = options.fetchImpl ?? fetch;
  const base = options.retry ?? DEFAULT_RETRY;
  const host = new URL(options.endpoint).host;

  const policy = (label: string): RetryPolicy => ({
    ...base,
    onRetry: (error, attempt, delayMs) => {
      options.logger?.log('warn', `Workday Get_Workers (${label}) failed, retrying`, { attempt, delayMs, code: error.code, status: error.status, error: error.message });
      base.onRetry?.(error, attempt, delayMs);
    },
  });

  async function post(envelope: string, label: string): Promise<XmlElement> {
    let response: Response;
    try {
      response = await fetchImpl(options.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml' },
        body: envelope,
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      throw workdayNetworkError(getWorkersCall(label), err);
    }
    const body = await readBody(response, label, host);
    return getWorkersResponseOf({ status: response.status, body, retryAfter: response.headers.get('retry-after') }, { username: options.username, label });
  }

  return { getWorkers: (envelope, label) => withRetry(() => post(envelope, label), policy(label)) };
}

/** A connection dropped mid-body is an outage like any other. */
async function readBody(response: Response, label: string, host: string): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    throw new AppError('WORKDAY.UNAVAILABLE', `Workday's answer from ${host} (${label}) broke off: ${(err as Error).message}`, { transient: true, cause: err });
  }
}
