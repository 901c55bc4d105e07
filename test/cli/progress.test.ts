import { afterEach, describe, expect, it, vi } from 'vitest';
import { DrainProgress, formatDuration } from '../../src/cli/progress';

afterEach(() => {
  vi.useRealTimers();
});

function progress(live: boolean, dryRun = false) {
  vi.useFakeTimers();
  const out: string[] = [];
  let throttled = 7;
  const p = new DrainProgress({
    kind: 'cycle',
    dryRun,
    write: (text) => out.push(text),
    live,
    throttled: () => throttled,
    now: () => Date.now(),
  });
  return { p, out, throttle: () => (throttled += 1) };
}

describe('DrainProgress', () => {
  it('redraws one line in place on a terminal, and ends it with a newline', () => {
    const { p, out, throttle } = progress(true);
    p.start(4);
    vi.advanceTimersByTime(2000);
    p.outcome({ code: 'written', workerId: 'a' });
    p.outcome({ code: 'unchanged', workerId: 'b' });
    throttle();
    vi.advanceTimersByTime(250);
    expect(out.at(-1)).toBe('\r\u001b[Kcycle: 2/4 workers (50%) · 0.4 writes/s · 1 × 429 · ~2 s left');
    expect(out.every((text) => text.startsWith('\r\u001b[K') && !text.endsWith('\n'))).toBe(true);
    p.finish();
    expect(out.at(-1)).toMatch(/^\r\u001b\[Kcycle: 2\/4 workers done in 2 s · 0\.4 writes\/s · 1 × 429\n$/);
  });

  it('shows no write rate in a dry run, which writes nothing, but what it would write', () => {
    const { p, out } = progress(true, true);
    p.start(2);
    vi.advanceTimersByTime(1000);
    p.outcome({ code: 'written', workerId: 'a', reason: 'dryRun' });
    vi.advanceTimersByTime(250);
    expect(out.at(-1)).toContain('dry run: 1 would be written');
    p.finish();
    expect(out.join('')).not.toContain('writes/s');
  });

  it('puts a log line above the live line and draws the live line again', () => {
    const { p, out } = progress(true);
    p.start(2);
    p.printAbove('2026-12-01T00:00:00.000Z WARN  something');
    expect(out.at(-1)).toBe(
      '\r\u001b[K2026-12-01T00:00:00.000Z WARN  something\ncycle: 0/2 workers (0%) · 0.0 writes/s · 0 × 429 · time left unknown',
    );
    p.finish();
  });

  it('prints a plain line every 5 s when standard error is not a terminal', () => {
    const { p, out } = progress(false);
    p.start(10);
    vi.advanceTimersByTime(4999);
    expect(out).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(out).toHaveLength(2);
    expect(out.every((text) => text.endsWith('\n') && !text.includes('\r'))).toBe(true);
    p.finish();
    vi.advanceTimersByTime(20_000);
    expect(out).toHaveLength(3);
  });

  it('prints nothing for a drain without jobs', () => {
    const { p, out } = progress(false);
    p.start(0);
    p.finish();
    expect(out).toEqual([]);
  });
});

describe('formatDuration', () => {
  it('reads as seconds, minutes or hours', () => {
    expect(formatDuration(9.4)).toBe('9 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(5400)).toBe('1 h 30 min');
  });
});
