import type { Logger } from '@llmtrace/core';
import pg from 'pg';
import { quoteIdent } from './migrations.js';

/** How a PostgreSQL store gets its connections. */
export interface PostgresConnectionOptions {
  /** `postgres://user:pass@host:5432/db`. Ignored when `pool` is given. */
  url?: string;
  /** An existing pool to share (its owner closes it). */
  pool?: pg.Pool;
  /** Schema holding the tables (created by migrate). Default: the server's search_path (`public`). */
  schema?: string;
  /** Pool size when the store creates the pool. Default 10. */
  maxConnections?: number;
}

/** Create a pool (or reuse the given one); `owned` says whether closing it is ours. */
export function connect(
  options: PostgresConnectionOptions,
  logger: Logger,
): { pool: pg.Pool; owned: boolean } {
  if (options.pool) return { pool: options.pool, owned: false };
  if (!options.url) throw new Error('postgres: `url` or `pool` is required');
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5000,
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn('postgres: idle connection error', { error: err.message }));
  return { pool, owned: true };
}
