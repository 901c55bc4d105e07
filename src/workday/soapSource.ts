/**
 * Workers from Workday's SOAP Get_Workers (Human_Resources, `urn:com.workday/bsvc`): pages of up
 * to 999 workers, every page pinned to the read's one moment, each worker delivered under the
 * attribute names the RaaS source uses, so one connector scope serves both. A read that fails
 * on any page throws: the caller must never mistake part of the workers for all of them.
 *
 * An incremental read asks what Microsoft's Workday connector asks (its "How incremental sync
 * works"): the workers with a change entered since the last read (Updated_From/Through), the
 * workers with a change that took effect since then (Effective_From/Through: a transfer or a
 * termination entered in advance is logged when entered, never again when it takes effect), and
 * each future-dated hire as of its hire date. One record per worker: the first view of a worker
 * wins (both windows view it as of the same moment), a future hire's first-day view replaces it.
 */
import { AppError, isAppError } from '../core/errors';
import type { Logger, RawRecord, ReadOptions, WorkerSource } from '../core/ports';
import type { RetryPolicy } from '../core/retry';
import { createSoapClient, type SoapClient } from './soapClient';
import {
  versionOf,
  workerLookupEnvelope,
  workersByIdEnvelope,
  workersPageEnvelope,
  type Credentials,
  type LogWindow,
  type WorkerIdType,
} from './soapEnvelope';
import {
  compileFieldPaths,
  soapWorkerOf,
  type CompiledFieldPaths,
  type CountryChoice,
  type SoapFieldPaths,
  type SoapWorker,
} from './soapFields';
import { descend, type XmlElement } from './soapXml';

export { DEFAULT_SOAP_FIELD_PATHS, type SoapFieldPaths } from './soapFields';

export interface SoapSourceOptions {
  /** WORKDAY_SOAP_URL, e.g. https://<host>/ccx/service/<tenant>/Human_Resources/v44.2 */
  endpoint: string;
  /** WORKDAY_USERNAME as given: `ISU@tenant`. */
  username: string;
  password: string;
  /** Workers per page, 1 to 999. */
  pageSize: number;
  /** Which address gives CountryISO: the primary job's business site, or the home address. */
  country: CountryChoice;
  retry?: RetryPolicy;
  logger?: Logger;
  fetchImpl?: typeof fetch;
  /** Overrides of the XPath expressions each attribute is read with (connector `source.paths`). */
  paths?: Partial<SoapFieldPaths>;
  /** Ask Workday to leave terminated workers out (their `Active` is then never "0"). Default false. */
  excludeInactive?: boolean;
  /** WORKDAY_TIMEOUT_SECONDS in milliseconds. */
  timeoutMs?: number;
}

export const MAX_PAGE_SIZE = 999;
const LOOKUP_ID_TYPES: readonly WorkerIdType[] = ['Employee_ID', 'Contingent_Worker_ID'];

interface ReadContext {
  client: SoapClient;
  pageSize: number;
  country: CountryChoice;
  excludeInactive: boolean;
  logger?: Logger;
  paths: CompiledFieldPaths;
  credentials: Credentials;
  version: string | undefined;
}

export function createSoapSource(options: SoapSourceOptions): WorkerSource {
  if (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > MAX_PAGE_SIZE) {
    throw new AppError(
      'CONFIG.INVALID_CONNECTOR',
      `source.pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE} (Workday's page limit); got ${options.pageSize}`,
    );
  }
  const context: ReadContext = {
    client: createSoapClient(options),
    pageSize: options.pageSize,
    country: options.country,
    excludeInactive: options.excludeInactive ?? false,
    paths: compileFieldPaths(options.paths),
    credentials: { username: options.username, password: options.password },
    version: versionOf(options.endpoint),
    logger: options.logger,
  };

  return {
    kind: 'soap',
    supportsIncremental: true,
    readWorkers: (read) => readWorkers(read, context),
    async readWorker(workerId) {
      if (workerId.trim() === '') return null;
      for (const idType of LOOKUP_ID_TYPES) {
        const worker = await lookUp(
          context,
          workerLookupEnvelope(context.credentials, idType, workerId, context.version),
          `worker ${workerId}`,
        );
        if (worker !== 'unknown') return worker?.record ?? null;
      }
      return null;
    },
    // Resync refuses to guess between two records under one id, as the cycle does: an employee and a
    // contingent worker may carry the same id, so every id type is asked, not the first that answers.
    async readWorkerRecords(workerId) {
      if (workerId.trim() === '') return [];
      const records: RawRecord[] = [];
      for (const idType of LOOKUP_ID_TYPES) {
        const worker = await lookUp(
          context,
          workerLookupEnvelope(context.credentials, idType, workerId, context.version),
          `worker ${workerId}`,
        );
        if (worker !== 'unknown' && worker !== null) records.push(worker.record);
      }
      return records;
    },
    readWorkersByIds: (ids, asOf) => readByIds(ids, asOf, context),
  };
}

async function* readWorkers(read: ReadOptions, context: ReadContext): AsyncGenerator<RawRecord> {
  const started = Date.now();
  const windows: Array<LogWindow | undefined> = read.updatedFrom
    ? [
        { kind: 'entered', from: read.updatedFrom, through: read.asOf },
        { kind: 'effective', from: read.updatedFrom, through: read.asOf },
      ]
    : [undefined];
  // Only the second window's workers are checked against the first's: duplicates inside one
  // listing are the tenant's data (the core rejects a duplicated id), not an artefact of the read.
  const earlier = new Set<string>();
  const futureHires: Array<SoapWorker & { wid: string; hireDate: Date }> = [];
  let delivered = 0;
  for (const [index, window] of windows.entries()) {
    const last = index === windows.length - 1;
    for await (const worker of windowPages(read.asOf, window, context)) {
      const key = worker.wid ?? (typeof worker.record.WorkerID === 'string' ? worker.record.WorkerID : undefined);
      if (index > 0 && key !== undefined && earlier.has(key)) continue;
      if (!last && key !== undefined) earlier.add(key);
      if (worker.wid && worker.hireDate && worker.hireDate.getTime() > read.asOf.getTime()) {
        futureHires.push({ ...worker, wid: worker.wid, hireDate: worker.hireDate });
        continue;
      }
      delivered++;
      yield worker.record;
    }
  }
  for (const hire of futureHires) {
    // As Microsoft's connector does: the hire as of its first day, by WID, so the writer sees the job it starts in.
    const firstDay = await lookUp(
      context,
      workerLookupEnvelope(context.credentials, 'WID', hire.wid, context.version, hire.hireDate),
      `future hire ${hire.wid}`,
    );
    delivered++;
    yield firstDay && firstDay !== 'unknown' ? firstDay.record : hire.record;
  }
  context.logger?.log('info', 'Workday Get_Workers read complete', {
    workers: delivered,
    futureHires: futureHires.length,
    incremental: read.updatedFrom !== undefined,
    durationMs: Date.now() - started,
  });
}

/** Page k+1 is fetched while the caller works through page k; Workday takes seconds per page. */
async function* readPages(
  what: string,
  envelopeOf: (page: number) => string,
  context: ReadContext,
): AsyncGenerator<SoapWorker> {
  const label = (page: number): string => `${what ? `${what}, ` : ''}page ${page}`;
  const fetchPage = (page: number): Promise<{ response: XmlElement; workers: SoapWorker[] }> =>
    context.client
      .getWorkers(envelopeOf(page), label(page), (worker) => soapWorkerOf(worker, context.paths, context.country))
      .then((answer) => ({ ...answer, response: checkedPage(answer.response, page) }));
  let current = await fetchPage(1);
  const totalPages = numberIn(current.response, 'Total_Pages');
  for (let page = 1; ; page++) {
    const next = page < totalPages ? fetchPage(page + 1) : null;
    // Settled here so that an early stop by the caller leaves no unhandled rejection behind.
    next?.catch(() => undefined);
    context.logger?.log('debug', 'Workday Get_Workers page read', {
      page,
      totalPages,
      workers: current.workers.length,
      window: what || 'full',
    });
    yield* current.workers;
    if (!next) break;
    current = await next;
  }
}

/** A window's pages: every page pinned to the read's one moment. */
function windowPages(asOf: Date, window: LogWindow | undefined, context: ReadContext): AsyncGenerator<SoapWorker> {
  return readPages(
    window ? `${window.kind} window` : '',
    (page) =>
      workersPageEnvelope(
        context.credentials,
        {
          page,
          count: context.pageSize,
          asOf,
          excludeInactive: context.excludeInactive,
          window,
        },
        context.version,
      ),
    context,
  );
}

/**
 * Many workers by id: each id under both id types, up to 999 references a request, the ids
 * Workday does not hold skipped. 2,000 workers to read again cost 5 requests, not 4,000.
 */
async function* readByIds(ids: readonly string[], asOf: Date, context: ReadContext): AsyncGenerator<RawRecord> {
  const wanted = [...new Set(ids.filter((id) => id.trim() !== ''))];
  const perRequest = Math.floor(MAX_PAGE_SIZE / LOOKUP_ID_TYPES.length);
  for (let start = 0; start < wanted.length; start += perRequest) {
    const references = wanted
      .slice(start, start + perRequest)
      .flatMap((workerId) => LOOKUP_ID_TYPES.map((idType) => ({ idType, workerId })));
    const pages = readPages(
      `${references.length} references`,
      (page) =>
        workersByIdEnvelope(context.credentials, references, { page, count: MAX_PAGE_SIZE, asOf }, context.version),
      context,
    );
    for await (const worker of pages) yield worker.record;
  }
}

/** A page that answers for another page number would silently duplicate or drop workers. */
function checkedPage(response: XmlElement, page: number): XmlElement {
  const answered = numberIn(response, 'Page');
  if (answered !== page && numberIn(response, 'Total_Pages') > 0)
    throw new AppError(
      'WORKDAY.BAD_RESPONSE',
      `Workday answered page ${answered} when asked for page ${page} of Get_Workers`,
    );
  return response;
}

function numberIn(response: XmlElement, name: 'Page' | 'Total_Pages'): number {
  const text = descend(response, 'Response_Results', name)?.text ?? '';
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) {
    throw new AppError(
      'WORKDAY.BAD_RESPONSE',
      `Workday's Get_Workers answer has no usable Response_Results/${name} ('${text}')`,
    );
  }
  return value;
}

/** The worker, null when Workday answered without one, or 'unknown' when the id is not of this type. */
async function lookUp(context: ReadContext, envelope: string, label: string): Promise<SoapWorker | null | 'unknown'> {
  try {
    const answer = await context.client.getWorkers(envelope, label, (worker) =>
      soapWorkerOf(worker, context.paths, context.country),
    );
    return answer.workers[0] ?? null;
  } catch (err) {
    if (isAppError(err) && err.code === 'WORKDAY.VALIDATION' && /invalid id value/i.test(err.message)) return 'unknown';
    throw err;
  }
}
