/**
 * Small measuring tools for the Graph benchmark: peak memory, percentiles, write rates.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MB = 1024 * 1024;

export interface MemoryPeak {
  /** Heap in use after a full collection, before the run started (MB). */
  baselineHeapMb: number;
  peakHeapMb: number;
  peakRssMb: number;
  /** Peak heap (MB) of each phase named with `phase()`; garbage not yet collected counts too. */
  byPhase: Record<string, number>;
  /** The most heap (MB) still in use after a full collection, at the moments passed to `measureLive()`. */
  peakLiveHeapMb: number;
}

/** Samples heap and RSS every few milliseconds and keeps the peaks (RSS counts what the heap sampling misses). */
export class MemorySampler {
  private peakHeap = 0;
  private peakRss = 0;
  private readonly baseline: number;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 20) {
    collectGarbage();
    this.baseline = process.memoryUsage().heapUsed;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private readonly byPhase: Record<string, number> = {};
  private current: string | null = null;

  sample(): void {
    const usage = process.memoryUsage();
    this.peakHeap = Math.max(this.peakHeap, usage.heapUsed);
    this.peakRss = Math.max(this.peakRss, usage.rss);
    if (this.current) this.byPhase[this.current] = Math.max(this.byPhase[this.current] ?? 0, usage.heapUsed / MB);
  }

  private peakLive = 0;

  /** Collects garbage and records what is still held: what the process really needs at this moment. */
  measureLive(): void {
    collectGarbage();
    this.peakLive = Math.max(this.peakLive, process.memoryUsage().heapUsed);
  }

  /** Peaks from now on also count for `name`. */
  phase(name: string): void {
    this.sample();
    this.current = name;
    this.sample();
  }

  stop(): MemoryPeak {
    clearInterval(this.timer);
    this.sample();
    this.current = null;
    return {
      baselineHeapMb: this.baseline / MB,
      peakHeapMb: this.peakHeap / MB,
      peakRssMb: this.peakRss / MB,
      byPhase: { ...this.byPhase },
      peakLiveHeapMb: this.peakLive / MB,
    };
  }
}

let gc: (() => void) | undefined;

/** gc() without starting node with --expose-gc, so a baseline starts from a collected heap. */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** The p-th percentile (0–100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Writes per second between the first and the last of `times` (ms): n − 1 intervals. */
export function rateBetween(times: readonly number[]): number {
  if (times.length < 2) return NaN;
  const seconds = (times.at(-1)! - times[0]!) / 1000;
  return seconds > 0 ? (times.length - 1) / seconds : NaN;
}

/**
 * Writes per window of `windowMs` from the first write, complete windows only (the last one ends
 * by the last write): the shape of a sustained run, which a first-to-last rate averages away.
 */
export function writesPerWindow(times: readonly number[], windowMs: number): number[] {
  if (times.length < 2) return [];
  const first = times[0]!;
  const complete = Math.floor((times.at(-1)! - first) / windowMs);
  const counts = new Array<number>(complete).fill(0);
  for (const at of times) {
    const window = Math.floor((at - first) / windowMs);
    if (window < complete) counts[window]! += 1;
  }
  return counts;
}

/** The rate over the middle of a run (leaving out the ramp-up and the tail): `share` of the writes. */
export function steadyRate(times: readonly number[], share = 0.9): number {
  const cut = Math.floor((times.length * (1 - share)) / 2);
  return rateBetween(times.slice(cut, times.length - cut));
}

export const ratio = (part: number, whole: number): number => (whole > 0 ? part / whole : NaN);
