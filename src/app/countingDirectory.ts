/**
 * Counts the Graph operations one job makes, for its telemetry event. Lookups share `$batch`
 * requests with other jobs, so this counts operations (sub-requests), not HTTP requests.
 */
import type { Directory } from '../core/ports';

export function countingDirectory(directory: Directory): { directory: Directory; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(directory, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'stats') return value;
      return (...args: unknown[]) => {
        calls += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { directory: counted, calls: () => calls };
}
