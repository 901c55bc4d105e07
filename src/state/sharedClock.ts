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

  /** The offset (a lower bound of the storage's time), and the smallest skew it can be (a slow answer widens the interval). */
  const measure = async (): Promise<{ offset: number; leastSkew: number } | undefined> => {
    const sent = local();
    const date = await serverDate();
    const received = local();
    if (!date || Number.isNaN(date.getTime())) return undefined;
    // The server made its answer at `date` or up to a second later (the header is cut down to the
    // second), between `sent` and `received` here. `date - received` is a lower bound of the
    // storage's time, so a watermark taken from it is never ahead of it.
    const lowest = date.getTime() - received;
    const highest = date.getTime() + 1000 - sent;
    // How far off this clock surely is: 0 when the interval holds a zero offset.
    const leastSkew = lowest > 0 ? lowest : Math.min(highest, 0);
    return { offset: lowest, leastSkew };
  };

  return {
    now: () => new Date(local() + offset),
    offsetMs: () => offset,
    async sync() {
      if (local() - measuredAt < REMEASURE_AFTER_MS) return;
      const measured = await measure();
      if (measured === undefined) return;
      // Refused only when the clock is surely off by more than the limit, however slow the answer was.
      if (Math.abs(measured.leastSkew) > maxSkewMs) {
        const direction = measured.offset < 0 ? 'ahead of' : 'behind';
        throw new AppError(
          'CONFIG.CLOCK_SKEW',
          `This machine's clock is ${(Math.abs(measured.offset) / 1000).toFixed(1)} s ${direction} the storage service's time (more than ${maxSkewMs / 1000} s). Plan versions, watermarks and run order come from the shared time, so this process writes nothing: synchronise the clock (NTP) and run again.`,
        );
      }
      offset = measured.offset;
      measuredAt = local();
    },
  };
}
