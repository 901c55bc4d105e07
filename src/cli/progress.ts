/**
 * Progress of a long drain on standard error: on a terminal one live line, redrawn in place;
 * otherwise (a pipe, a CI log) a plain line every few seconds, so a log file does not fill with
 * redraws. Standard output is never touched, so `--json` stays one JSON object.
 */
import type { Outcome } from '../core/outcome';

export interface ProgressOptions {
  /** `cycle` or `sweep`. */
  kind: string;
  write: (text: string) => void;
  /** Standard error is a terminal: redraw one line in place. */
  live: boolean;
  /** A dry run: nothing is written, so the line shows no write rate. */
  dryRun?: boolean;
  /** Graph's 429 answers so far, for the process (the reporter shows the increase). */
  throttled: () => number;
  /** Between plain lines when not a terminal. */
  plainEveryMs?: number;
  now?: () => number;
}

const LIVE_EVERY_MS = 250;
const PLAIN_EVERY_MS = 5_000;
/** Erase to the end of the line, after a carriage return. */
const CLEAR_LINE = '\r\u001b[K';

export class DrainProgress {
  private total = 0;
  private done = 0;
  private writes = 0;
  private startedAt = 0;
  private throttledAtStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The drain starts with `total` jobs. */
  start(total: number): void {
    this.total = total;
    this.startedAt = this.now();
    this.throttledAtStart = this.options.throttled();
    if (total === 0) return;
    this.show();
    this.timer = setInterval(
      () => this.show(),
      this.options.live ? LIVE_EVERY_MS : (this.options.plainEveryMs ?? PLAIN_EVERY_MS),
    );
    this.timer.unref();
  }

  outcome(outcome: Outcome): void {
    this.done += 1;
    if (outcome.code === 'written') this.writes += 1;
  }

  /** A log line written while the live line shows: above it, and the live line drawn again. */
  printAbove(text: string): void {
    if (this.options.live && this.timer) this.options.write(`${CLEAR_LINE}${text}\n${this.line()}`);
    else this.options.write(`${text}\n`);
  }

  /** The last line, and the terminal's cursor back on a fresh line. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.total === 0) return;
    const seconds = (this.now() - this.startedAt) / 1000;
    // The queue may also hold jobs another run enqueued; the drain does them too, but the total is ours.
    const line = `${this.options.kind}: ${Math.min(this.done, this.total)}/${this.total} workers done in ${formatDuration(seconds)} · ${this.writeRate()} · ${this.throttled()} × 429`;
    this.options.write(this.options.live ? `${CLEAR_LINE}${line}\n` : `${line}\n`);
  }

  /** The line as it stands now (also what the tests read). */
  line(): string {
    const done = Math.min(this.done, this.total);
    const percent = this.total === 0 ? 100 : Math.floor((done / this.total) * 100);
    const elapsed = (this.now() - this.startedAt) / 1000;
    const perSecond = elapsed > 0 ? done / elapsed : 0;
    const left =
      done === 0 || perSecond === 0 ? 'time left unknown' : `~${formatDuration((this.total - done) / perSecond)} left`;
    return `${this.options.kind}: ${done}/${this.total} workers (${percent}%) · ${this.writeRate()} · ${this.throttled()} × 429 · ${left}`;
  }

  private show(): void {
    this.options.write(this.options.live ? `${CLEAR_LINE}${this.line()}` : `${this.line()}\n`);
  }

  /** Writes per second, or what a dry run would write (it writes nothing). */
  private writeRate(): string {
    return this.options.dryRun ? `dry run: ${this.writes} would be written` : `${this.rate().toFixed(1)} writes/s`;
  }

  private rate(): number {
    const elapsed = (this.now() - this.startedAt) / 1000;
    return elapsed > 0 ? this.writes / elapsed : 0;
  }

  private throttled(): number {
    return this.options.throttled() - this.throttledAtStart;
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
