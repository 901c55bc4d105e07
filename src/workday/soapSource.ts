/**
 * Workers from Workday's SOAP Get_Workers (Human_Resources, `urn:com.workday/bsvc`): pages of up
 * to 999 workers, every page pinned to the read's one `As_Of_Entry_DateTime`, incremental reads
 * through the transaction log, each worker delivered under the attribute names the RaaS source
 * uses, so one connector scope serves both. A read that fails on any page throws: the caller
 * must never mistake part of the workers for all of them.
 */
import { AppError, isAppError } from '../core/errors';
import type { Logger, RawRecord, ReadOptions, WorkerSource } from '../core/ports';
import type { RetryPolicy } from '../http/retry';
import { createSoapClient, type SoapClient } from './soapClient';
import { versionOf, workerLookupEnvelope, workersPageEnvelope, type Credentials, type WorkerIdType } from './soapEnvelope';
import { compileFieldPaths, workerRecord, type CompiledFieldPaths, type CountryChoice, type SoapFieldPaths } from './soapFields';
import { childElements, descend, type XmlElement } from './soapXml';

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
  /** Overrides of the XPath expressions each attribute is read with. */
  paths?: Partial<SoapFieldPaths>;
  /** Ask Workday to leave terminated workers out (their `Active` is then never "0"). Default false. */
  excludeInactive?: boolean;
  timeoutMs?: number;
}

export const MAX_PAGE_SIZE = 999;
const LOOKUP_ID_TYPES: readonly WorkerIdType[] = ['Employee_ID', 'Contingent_Worker_ID'];

export function createSoapSource(options: SoapSourceOptions): WorkerSource {
  if (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > MAX_PAGE_SIZE) {
    throw new AppError('CONFIG.INVALID_CONNECTOR', `source.pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE} (Workday's page limit); got ${options.pageSize}`);
  }
  const paths = compileFieldPaths(options.paths);
  const credentials: Credentials = { username: options.username, password: options.password };
  const version = versionOf(options.endpoint);
  const client = createSoapClient(options);

  return {
    kind: 'soap',
    supportsIncremental: true,
    readWorkers: (read) => readAllPages(client, read, { ...options, paths, credentials, version }),
    async readWorker(workerId) {
      if (workerId.trim() === '') return null;
      for (const idType of LOOKUP_ID_TYPES) {
        const worker = await lookUp(client, workerLookupEnvelope(credentials, idType, workerId, version), workerId);
        if (worker !== 'unknown') return worker ? workerRecord(worker, paths, options.country) : null;
      }
      return null;
    },
  };
}

interface ReadContext {
  pageSize: number;
  country: CountryChoice;
  excludeInactive?: boolean;
  logger?: Logger;
  paths: CompiledFieldPaths;
  credentials: Credentials;
  version: string | undefined;
}

/** Page k+1 is fetched while the caller works through page k; Workday takes seconds per page. */
async function* readAllPages(client: SoapClient, read: ReadOptions, context: ReadContext): AsyncGenerator<RawRecord> {
  const started = Date.now();
  const fetchPage = (page: number): Promise<XmlElement> => {
    const envelope = workersPageEnvelope(
      context.credentials,
      { page, count: context.pageSize, asOf: read.asOf, excludeInactive: context.excludeInactive ?? false, ...(read.updatedFrom ? { updatedFrom: read.updatedFrom } : {}) },
      context.version,
    );
    return client.getWorkers(envelope, `page ${page}`).then((response) => checkedPage(response, page));
  };
  let current = await fetchPage(1);
  const totalPages = numberIn(current, 'Total_Pages');
  let total = 0;
  for (let page = 1; ; page++) {
    const next = page < totalPages ? fetchPage(page + 1) : null;
    // Settled here so that an early stop by the caller leaves no unhandled rejection behind.
    next?.catch(() => undefined);
    const workers = childElements(descend(current, 'Response_Data'), 'Worker');
    context.logger?.log('debug', 'Workday Get_Workers page read', { page, totalPages, workers: workers.length });
    for (const worker of workers) yield workerRecord(worker, context.paths, context.country);
    total += workers.length;
    if (!next) break;
    current = await next;
  }
  context.logger?.log('info', 'Workday Get_Workers read complete', {
    workers: total,
    pages: totalPages,
    incremental: read.updatedFrom !== undefined,
    durationMs: Date.now() - started,
  });
}

/** A page that answers for another page number would silently duplicate or drop workers. */
function checkedPage(response: XmlElement, page: number): XmlElement {
  const answered = numberIn(response, 'Page');
  if (answered !== page && numberIn(response, 'Total_Pages') > 0) throw new AppError('WORKDAY.BAD_RESPONSE', `Workday answered page ${answered} when asked for page ${page} of Get_Workers`);
  return response;
}

function numberIn(response: XmlElement, name: 'Page' | 'Total_Pages'): number {
  const text = descend(response, 'Response_Results', name)?.text ?? '';
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) {
    throw new AppError('WORKDAY.BAD_RESPONSE', `Workday's Get_Workers answer has no usable Response_Results/${name} ('${text}')`);
  }
  return value;
}

/** The worker, null when Workday answered without one, or 'unknown' when the id is not of this type. */
async function lookUp(client: SoapClient, envelope: string, workerId: string): Promise<XmlElement | null | 'unknown'> {
  try {
    const response = await client.getWorkers(envelope, `worker ${workerId}`);
    return childElements(descend(response, 'Response_Data'), 'Worker')[0] ?? null;
  } catch (err) {
    if (isAppError(err) && err.code === 'WORKDAY.VALIDATION' && /invalid id value/i.test(err.message)) return 'unknown';
    throw err;
  }
}
