import { emptyCounts, type Outcome } from '../../src/core/outcome';
import type { Logger, LogLevel, RunRecord } from '../../src/core/ports';

export interface LogLine {
  level: LogLevel;
  message: string;
  properties: Record<string, unknown>;
}

export function captureLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, log: (level, message, properties = {}) => lines.push({ level, message, properties }) };
}

export function writtenOutcome(overrides: Partial<Outcome> = {}): Outcome {
  return { code: 'written', workerId: '21001', userId: '6f1c0000-0000-0000-0000-000000000001', ...overrides };
}

export function cycleRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: 'cycle-20250101T0000',
    kind: 'cycle',
    startedAt: new Date('2025-01-01T00:00:00Z'),
    durationMs: 42_000,
    dryRun: false,
    approved: false,
    held: false,
    counts: { ...emptyCounts(), written: 12, unchanged: 300, escrowed: 3, denied: 1 },
    enqueued: 16,
    graphRequests: 40,
    graphThrottled: 2,
    workdayReadMs: 9_000,
    ...overrides,
  };
}

export const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
