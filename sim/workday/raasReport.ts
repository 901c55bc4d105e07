/**
 * The simulated RaaS report "Entra_Workers": one `Report_Entry` per worker, keyed by the column
 * aliases of docs/design.md ("The connector file"), rendered lazily in chunks so that a 100k-worker
 * report is never one string.
 */
import { personalEmailOf, type SimWorker } from '../world';

/** The report's one prompt: narrows it to the worker with exactly this id. */
export const WORKER_PROMPT = 'Worker_ID';

export interface RaasReportOptions {
  /**
   * Render some columns as Workday renders group (reference) fields, by the worker's position in
   * the tenant (stable, so a prompted read shows the same shape as the full report):
   * position % 3 === 1 → `Legal_Entity` and `Employee_Type` as one object `{"Descriptor": …}`;
   * position % 3 === 2 → `Legal_Entity` as a multi-instance group, an array of such objects.
   * Otherwise (and always when false) every column is a plain string.
   */
  groupFields: boolean;
}

export type ReportEntry = Record<string, unknown>;

/** A worker's row. Columns whose value is null or empty are left out, as RaaS does. */
export function reportEntryOf(worker: SimWorker, position: number, options: RaasReportOptions): ReportEntry {
  const shape = options.groupFields ? position % 3 : 0;
  const entry: ReportEntry = {};
  put(entry, 'WorkerID', worker.workerId);
  put(entry, 'personalEmail', personalEmailOf(worker));
  put(entry, 'CountryISO', worker.businessSiteCountry);
  put(entry, 'Worker_Type', worker.workerType);
  put(entry, 'Employee_Type', worker.employeeType, shape === 1 ? reference : undefined);
  put(entry, 'Legal_Entity', worker.legalEntity, shape === 1 ? reference : shape === 2 ? group : undefined);
  put(entry, 'Active', worker.active ? '1' : '0');
  return entry;
}

const reference = (descriptor: string): unknown => ({ Descriptor: descriptor });
const group = (descriptor: string): unknown => [{ Descriptor: descriptor }];

function put(entry: ReportEntry, column: string, value: string | null, render?: (value: string) => unknown): void {
  if (value === null || value === '') return;
  entry[column] = render ? render(value) : value;
}

/** Rows of the report: every worker, or only the one the prompt names (exact match). */
export function* reportRows(
  workers: readonly SimWorker[],
  options: RaasReportOptions,
  workerId?: string | null,
): Generator<ReportEntry> {
  for (let position = 0; position < workers.length; position++) {
    const worker = workers[position] as SimWorker;
    if (workerId != null && worker.workerId !== workerId) continue;
    yield reportEntryOf(worker, position, options);
  }
}

const CHUNK_CHARS = 64 * 1024;
const OPEN = '{"Report_Entry":[';

/**
 * The report body in chunks of about 64 KB. With `cutAfter`, the body stops after that many
 * entries plus the start of the next one, as a connection that breaks midway would leave it.
 */
export function* reportBody(rows: Iterable<ReportEntry>, cutAfter?: number): Generator<string> {
  let chunk = OPEN;
  let count = 0;
  for (const row of rows) {
    if (cutAfter !== undefined && count >= cutAfter) {
      yield `${chunk}${count === 0 ? '' : ','}{"WorkerID":"`;
      return;
    }
    chunk += (count === 0 ? '' : ',') + JSON.stringify(row);
    count++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (cutAfter !== undefined) {
    // Fewer rows than the cut: break inside the closing instead.
    yield chunk;
    return;
  }
  yield `${chunk}]}`;
}
