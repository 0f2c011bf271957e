import type { Logger } from '@llmtrace/core';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface AppLoggerOptions {
  level: LogLevel;
  format: 'json' | 'pretty';
  /** Where lines go (default: stderr, so stdout stays clean for command output). */
  write?: (line: string) => void;
}

/**
 * The app's logger: one JSON object per line (`time`, `level`, `msg`, fields) or a short readable
 * line with `pretty`. Written by hand because it is forty lines; callers never pass prompts,
 * responses or keys to it.
 */
export function createAppLogger(options: AppLoggerOptions): Logger {
  const min = RANK[options.level];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[level] < min) return;
    if (options.format === 'json') {
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
    } else {
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
      write(`${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg}${extra}\n`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
