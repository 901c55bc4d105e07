/**
 * How the use cases ask Workday for workers beyond one streamed read: the read window a cycle
 * takes (full or incremental, and when its watermark may move), and workers by id (resync, and
 * the retries an incremental read asks for again).
 */
import { ensureAppError } from './errors';
import type { Dependencies } from './dependencies';
import type { RawRecord } from './ports';

/** Every record under the id; sources that cannot repeat an id answer with the one. */
export async function readRecordsOf(source: Dependencies['source'], workerId: string): Promise<RawRecord[]> {
  if (source.readWorkerRecords) return source.readWorkerRecords(workerId);
  const record = await source.readWorker(workerId);
  return record === null ? [] : [record];
}

/**
 * The workers an incremental read asks for again by id: in a few requests where the source can
 * (Get_Workers with many references), one by one otherwise. Retries that cannot be read now wait
 * for the next cycle; the changes read before them still count.
 */
export async function* readRetries(
  deps: Dependencies,
  workerIds: readonly string[],
  asOf: Date,
): AsyncGenerator<RawRecord> {
  if (workerIds.length === 0) return;
  const { source } = deps;
  if (source.readWorkersByIds) {
    try {
      yield* source.readWorkersByIds(workerIds, asOf);
    } catch (err) {
      retryUnreadable(deps, err, workerIds.length === 1 ? '1 worker' : `${workerIds.length} workers`);
    }
    return;
  }
  for (const workerId of workerIds) {
    try {
      yield* await readRecordsOf(source, workerId);
    } catch (err) {
      retryUnreadable(deps, err, `worker ${workerId}`);
    }
  }
}

function retryUnreadable(deps: Dependencies, err: unknown, who: string): void {
  const error = ensureAppError(err, 'WORKDAY.BAD_RESPONSE');
  if (error.isConfiguration) throw error;
  deps.logger.log('warn', `${who} could not be read again by id (${error.code}); retried next cycle`, {});
}

/** Full or incremental read; the watermark moves only through `commit`, after the whole read succeeded. */
export async function chooseRead(
  deps: Dependencies,
  options: { fullRead?: boolean; reverify: boolean },
  asOf: Date,
): Promise<{ updatedFrom?: Date; commit: () => Promise<void> }> {
  // The watermark is the moment the read is pinned to, so nothing entered meanwhile is skipped.
  const { source, watermarks, connector } = deps;
  if (!source.supportsIncremental || connector.source.kind !== 'soap') return { commit: async () => {} };
  const lastRead = await watermarks.get(`${source.kind}:lastRead`);
  const lastFull = await watermarks.get(`${source.kind}:lastFullRead`);
  const fullDue = !lastFull || asOf.getTime() - lastFull.getTime() >= connector.source.fullReadEveryHours * 3600_000;
  const full = options.fullRead || options.reverify || fullDue || !lastRead;
  return {
    updatedFrom: full ? undefined : new Date(lastRead.getTime() - INCREMENTAL_OVERLAP_MS),
    commit: async () => {
      await watermarks.advance(`${source.kind}:lastRead`, asOf);
      if (full) await watermarks.advance(`${source.kind}:lastFullRead`, asOf);
    },
  };
}

/**
 * Each incremental read starts this much before the last one's pinned moment: a transaction
 * committed late, or a clock a little behind Workday's, is read again rather than missed. A
 * worker read twice is planned once (same hash, no new job).
 */
export const INCREMENTAL_OVERLAP_MS = 5 * 60_000;

/** The changes since the last read where the source can read changes; everything where it cannot. */
export async function sinceLastRead(deps: Dependencies): Promise<{ asOf: Date; updatedFrom?: Date }> {
  const asOf = deps.clock.now();
  if (!deps.source.supportsIncremental || deps.connector.source.kind !== 'soap') return { asOf };
  const lastRead = await deps.watermarks.get(`${deps.source.kind}:lastRead`);
  return lastRead ? { asOf, updatedFrom: new Date(lastRead.getTime() - INCREMENTAL_OVERLAP_MS) } : { asOf };
}
