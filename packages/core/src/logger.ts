/** Minimal structured logger libraries accept. Fields are merged into the log line. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** The default logger of every library: says nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
