/**
 * The time all writers share. Plan versions, watermarks and run order must not come from one
 * process's clock: a laptop two hours fast would pin every worker's plan, move the SOAP
 * watermark past Workday's time and sort its runs first. The storage account every writer talks
 * to answers each request with its own time (the HTTP `Date` header), so each process measures
 * its offset from that time, runs on the storage's time, and refuses to write at all when its own
 * clock is off by more than MAX_CLOCK_SKEW_MS (the operator must fix the clock; exit 2).
 *
 * `Date` has a resolution of one second, so the offset is known to within about a second plus the
 * round trip: far below the skew that is refused, and below the five-minute overlap of incremental
 * reads. The offset taken is the lower bound (the header is the second the answer was made in, cut
 * down): the shared time may run up to that much behind the storage's, never ahead of it, so a read
 * is never pinned to a moment Workday has not reached yet (a watermark ahead of Workday's time).
 */
import { AppError } from '../core/errors';
import type { Clock } from '../core/ports';

/** Beyond this, a process's clock is refused rather than corrected. */
export const MAX_CLOCK_SKEW_MS = 5_000;
/** How long a measured offset is trusted before the next run measures again. */
const REMEASURE_AFTER_MS = 10 * 60_000;

/** One round trip to the shared time: the server's `Date` as it answered. */
export type ServerDate = () => Promise<Date | undefined>;

export interface SharedClock extends Clock {
  /** Storage time minus local time, in ms, as last measured (0 before the first measurement). */
  offsetMs(): number;
}

export function createSharedClock(
  serverDate: ServerDate,
  options: { maxSkewMs?: number; local?: () => number } = {},
): SharedClock {
  const local = options.local ?? Date.now;
  const maxSkewMs = options.maxSkewMs ?? MAX_CLOCK_SKEW_MS;
  let offset = 0;
  let measuredAt = Number.NEGATIVE_INFINITY;

  const measure = async (): Promise<number | undefined> => {
    const date = await serverDate();
    const received = local();
    if (!date || Number.isNaN(date.getTime())) return undefined;
    // The server made its answer at `date` or up to a second later (the header is cut down to the
    // second), and no later than we received it: so the storage's time is at least `date` when
    // ours is `received`. That lower bound is never ahead of the storage's time.
    return date.getTime() - received;
  };

  return {
    now: () => new Date(local() + offset),
    offsetMs: () => offset,
    async sync() {
      if (local() - measuredAt < REMEASURE_AFTER_MS) return;
      const measured = await measure();
      if (measured === undefined) return;
      if (Math.abs(measured) > maxSkewMs) {
        const direction = measured < 0 ? 'ahead of' : 'behind';
        throw new AppError(
          'CONFIG.CLOCK_SKEW',
          `This machine's clock is ${(Math.abs(measured) / 1000).toFixed(1)} s ${direction} the storage service's time (more than ${maxSkewMs / 1000} s). Plan versions, watermarks and run order come from the shared time, so this process writes nothing: synchronise the clock (NTP) and run again.`,
        );
      }
      offset = measured;
      measuredAt = local();
    },
  };
}
