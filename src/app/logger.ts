/**
 * The one logger. Every line is masked here, whatever the caller passed, so a personal email
 * cannot reach standard error, the Functions host or a test capture in full.
 */
import { logLevelSetting } from '../config/settings';
import { maskPersonalData } from '../core/mask';
import type { Logger, LogLevel } from '../core/ports';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Where finished (masked) lines go; standard error by default, so `--json` output stays clean. */
  sink?: (line: string, level: LogLevel) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? logLevelSetting()];
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    log(level, message, properties) {
      if (RANK[level] < threshold) return;
      sink(formatLine(level, message, properties), level);
    },
  };
}

export function formatLine(level: LogLevel, message: string, properties?: Record<string, unknown>): string {
  const props = properties && Object.keys(properties).length > 0 ? ` ${safeJson(properties)}` : '';
  return maskPersonalData(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${props}`);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v));
  } catch {
    return '[unserialisable]';
  }
}

/** A logger that keeps masked lines in memory (tests, and the demo's quiet mode). */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, sink: (line) => lines.push(line) });
  return Object.assign(logger, { lines });
}
