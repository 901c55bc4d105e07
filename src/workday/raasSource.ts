/**
 * Workers from a Workday RaaS report (`GET <report URL>?format=json`, basic auth). RaaS has no
 * paging and no change filter, so every read is a full read, streamed entry by entry.
 */
import { AppError } from '../core/errors';
import { flattenValue } from '../core/worker';
import type { Logger, RawRecord, ReadOptions, WorkerSource } from '../core/ports';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../core/retry';
import {
  DEFAULT_WORKDAY_TIMEOUT_MS,
  basicAuthorization,
  errorSnippet,
  idleDeadline,
  isTimeout,
  workdayNetworkError,
  workdayStatusError,
  workdayTimeoutError,
  type IdleDeadline,
  type WorkdayCall,
} from './http';
import { reportEntries } from './raasEntries';

export interface RaasSourceOptions {
  /** WORKDAY_RAAS_URL; `format=json` is added when missing. */
  reportUrl: string;
  username: string;
  password: string;
  /** The report prompt that narrows it to one worker (connector `source.workerPrompt`). */
  workerPrompt: string;
  /** The column holding the worker id (connector `source.fields.workerId`), to pick resync's row. */
  workerIdColumn?: string;
  retry?: RetryPolicy;
  logger?: Logger;
  fetchImpl?: typeof fetch;
  /** WORKDAY_TIMEOUT_SECONDS in milliseconds: the longest silence before the report answers or between two parts of it. */
  timeoutMs?: number;
}

const CALL: WorkdayCall = { what: 'the RaaS report', urlSetting: 'WORKDAY_RAAS_URL' };

export function createRaasSource(options: RaasSourceOptions): WorkerSource {
  const retry = withRetryLog(options.retry ?? DEFAULT_RETRY, options.logger);
  return {
    kind: 'raas',
    supportsIncremental: false,
    readWorkers: (_options: ReadOptions) => readAllWorkers(options, retry),
    readWorker: async (workerId: string) => (await readWorkerRows(options, retry, workerId))[0] ?? null,
    readWorkerRecords: (workerId: string) => readWorkerRows(options, retry, workerId),
  };
}

/** The report URL with `format=json` and, for one worker, the prompt. */
export function reportRequestUrl(reportUrl: string, prompt?: { name: string; value: string }): string {
  let url: URL;
  try {
    url = new URL(reportUrl);
  } catch {
    throw new AppError(
      'CONFIG.INVALID_SETTING',
      'WORKDAY_RAAS_URL is not a URL; it looks like https://<host>/ccx/service/customreport2/<tenant>/<owner>/<report>',
    );
  }
  url.searchParams.set('format', 'json');
  if (prompt) url.searchParams.set(prompt.name, prompt.value);
  return url.toString();
}

async function* readAllWorkers(options: RaasSourceOptions, retry: RetryPolicy): AsyncGenerator<RawRecord> {
  const started = Date.now();
  // Only opening the report is retried: once entries went to the caller, a retry would repeat them.
  const body = await withRetry(() => openReport(options, reportRequestUrl(options.reportUrl)), retry);
  let count = 0;
  for await (const entry of reportEntries(body)) {
    count++;
    yield entry;
  }
  options.logger?.log('info', 'Workday RaaS report read', { entries: count, durationMs: Date.now() - started });
}

/** Every row the report holds for the worker (a report can repeat an id: resync must not pick one). */
async function readWorkerRows(options: RaasSourceOptions, retry: RetryPolicy, workerId: string): Promise<RawRecord[]> {
  const url = reportRequestUrl(options.reportUrl, { name: options.workerPrompt, value: workerId });
  // A one-worker answer is small: the whole read is retried, a cut body included.
  const column = options.workerIdColumn ?? 'WorkerID';
  return withRetry(async () => {
    // The rows must be the worker asked for: a report that ignores the prompt answers with all.
    const matches: RawRecord[] = [];
    for await (const entry of reportEntries(await openReport(options, url))) {
      if (String(flattenValue(entry[column]) ?? '').toLowerCase() === workerId.toLowerCase()) matches.push(entry);
    }
    return matches;
  }, retry);
}

/** Sends the request; returns the body of a 200 JSON answer, else throws the matching AppError. */
async function openReport(options: RaasSourceOptions, url: string): Promise<AsyncIterable<Uint8Array>> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_WORKDAY_TIMEOUT_MS;
  const deadline = idleDeadline(timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        headers: { Authorization: basicAuthorization(options.username, options.password), Accept: 'application/json' },
        signal: deadline.signal,
      });
    } catch (err) {
      throw workdayNetworkError(CALL, err, timeoutMs);
    }
    if (!response.ok) {
      const detail = response.status === 401 || response.status === 403 ? '' : await errorSnippet(response);
      if (detail === '') await response.body?.cancel().catch(() => undefined);
      throw workdayStatusError(CALL, response.status, response.headers.get('retry-after'), detail);
    }
    if (/text\/html/i.test(response.headers.get('content-type') ?? '')) {
      await response.body?.cancel().catch(() => undefined);
      // Maintenance and sign-in pages come as 200 HTML: not the report, and maybe gone on retry.
      throw new AppError(
        'WORKDAY.BAD_RESPONSE',
        'Workday answered with an HTML page instead of the JSON report (maintenance or sign-in page?)',
        {
          transient: true,
          status: response.status,
        },
      );
    }
    if (!response.body)
      throw new AppError('WORKDAY.BAD_RESPONSE', 'Workday answered without a body instead of the JSON report', {
        transient: true,
      });
    return watched(response.body, deadline, timeoutMs);
  } catch (err) {
    deadline.clear();
    throw err;
  }
}

/**
 * The body, with the deadline running only while Workday owes the next part: a report may
 * stream for minutes, and the time the reader spends on an entry is not Workday's silence.
 */
async function* watched(
  body: AsyncIterable<Uint8Array>,
  deadline: IdleDeadline,
  timeoutMs: number,
): AsyncGenerator<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      deadline.touch();
      const next = await chunks.next();
      deadline.clear();
      if (next.done) return;
      yield next.value;
    }
  } catch (err) {
    throw isTimeout(err) ? workdayTimeoutError(CALL, timeoutMs, err) : err;
  } finally {
    deadline.clear();
    await chunks.return?.().catch(() => undefined);
  }
}

/** Logs each retry (masked by the logger) besides whatever the policy already does. */
function withRetryLog(policy: RetryPolicy, logger: Logger | undefined): RetryPolicy {
  if (!logger) return policy;
  return {
    ...policy,
    onRetry: (error, attempt, delayMs) => {
      logger.log('warn', `Workday RaaS read failed, retrying: ${error.message}`, {
        code: error.code,
        status: error.status,
        attempt,
        delayMs,
      });
      policy.onRetry?.(error, attempt, delayMs);
    },
  };
}
