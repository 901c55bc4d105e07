/**
 * Turns a RaaS response body into a stream of report entries, one at a time.
 */
import { AppError, isAppError } from '../core/errors';
import type { RawRecord } from '../core/ports';
import { ReportEntryScanner } from './raasEntryScanner';

/**
 * Yields each `Report_Entry` element as soon as it is complete. Throws WORKDAY.BAD_RESPONSE when
 * the body is not a report or stops before its end (connection cut midway included), even after
 * entries were yielded: the caller must treat that as a failed read, never as fewer workers.
 */
export async function* reportEntries(body: AsyncIterable<Uint8Array>): AsyncGenerator<RawRecord> {
  const scanner = new ReportEntryScanner();
  const decoder = new TextDecoder('utf-8');
  const chunks = body[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await nextChunk(chunks, scanner.count);
      if (next.done) break;
      yield* scanner.feed(decoder.decode(next.value, { stream: true }));
    }
    yield* scanner.feed(decoder.decode());
    scanner.finish();
    finished = true;
  } finally {
    // The consumer stopped early, or the body was bad: release the connection.
    if (!finished) await chunks.return?.().catch(() => undefined);
  }
}

async function nextChunk(chunks: AsyncIterator<Uint8Array>, entriesRead: number): Promise<IteratorResult<Uint8Array>> {
  try {
    return await chunks.next();
  } catch (err) {
    if (isAppError(err)) throw err;
    throw new AppError(
      'WORKDAY.BAD_RESPONSE',
      `the connection to Workday broke while the report was being read (after ${entriesRead} entries): the read is incomplete and must not be used`,
      { transient: true, cause: err },
    );
  }
}
