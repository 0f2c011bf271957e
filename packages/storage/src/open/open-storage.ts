import type { CounterStore, Logger, MetadataStore, TraceStore } from '@llmtrace/core';
import { LLMTraceError, silentLogger } from '@llmtrace/core';

/** Options every profile accepts. */
export interface StorageCommonOptions {
  /** Run migrations when opening. Default true. */
  autoMigrate?: boolean;
  logger?: Logger;
}

/**
 * Which storage to open. `production` means ClickHouse for traces, PostgreSQL for metadata and
 * Redis for shared counters. Without `redisUrl`, counters are per process (in memory).
 */
export type StorageConfig = StorageCommonOptions &
  (
    | {
        profile: 'sqlite';
        databasePath: string;
        /** Insert spans on a worker thread (see `SqliteStoreOptions.writerThread`). Default `true`. */
        writerThread?: boolean;
      }
    | { profile: 'memory' }
    | { profile: 'postgres'; postgresUrl: string; redisUrl?: string }
    | { profile: 'clickhouse'; clickhouseUrl: string; redisUrl?: string }
    | { profile: 'production'; clickhouseUrl: string; postgresUrl: string; redisUrl: string }
  );

/** Everything {@link openStorage} opened. */
export interface Storage {
  traces: TraceStore;
  metadata: MetadataStore;
  counters: CounterStore;
  /** Close every connection opened. Idempotent. */
  close(): Promise<void>;
}

async function counters(redisUrl: string | undefined, logger: Logger): Promise<CounterStore> {
  if (redisUrl) {
    const { createRedisCounterStore } = await import('../redis/index.js');
    return createRedisCounterStore({ url: redisUrl, logger });
  }
  const { createMemoryCounterStore } = await import('../memory/index.js');
  return createMemoryCounterStore();
}

async function openParts(config: StorageConfig, logger: Logger): Promise<Omit<Storage, 'close'>> {
  switch (config.profile) {
    case 'memory': {
      const m = await import('../memory/index.js');
      return {
        traces: m.createMemoryStore(),
        metadata: m.createMemoryMetadataStore(),
        counters: m.createMemoryCounterStore(),
      };
    }
    case 'sqlite': {
      const s = await import('../sqlite/index.js');
      const { createMemoryCounterStore } = await import('../memory/index.js');
      const traces = s.createSqliteStore({
        path: config.databasePath,
        logger,
        writerThread: config.writerThread ?? true,
      });
      return {
        traces,
        metadata: s.createSqliteMetadataStore({ database: traces.database, logger }),
        counters: createMemoryCounterStore(),
      };
    }
    case 'postgres': {
      const p = await import('../postgres/index.js');
      const traces = p.createPostgresStore({ url: config.postgresUrl, logger });
      return {
        traces,
        metadata: p.createPostgresMetadataStore({ pool: traces.pool, logger }),
        counters: await counters(config.redisUrl, logger),
      };
    }
    case 'clickhouse': {
      const c = await import('../clickhouse/index.js');
      const { createMemoryMetadataStore } = await import('../memory/index.js');
      logger.warn(
        'storage: the clickhouse profile keeps metadata in memory; use `production` to keep it in PostgreSQL',
      );
      return {
        traces: c.createClickHouseStore({ url: config.clickhouseUrl, logger }),
        metadata: createMemoryMetadataStore(),
        counters: await counters(config.redisUrl, logger),
      };
    }
    case 'production': {
      const c = await import('../clickhouse/index.js');
      const p = await import('../postgres/index.js');
      return {
        traces: c.createClickHouseStore({ url: config.clickhouseUrl, logger }),
        metadata: p.createPostgresMetadataStore({ url: config.postgresUrl, logger }),
        counters: await counters(config.redisUrl, logger),
      };
    }
    default: {
      const profile: string = (config as { profile: string }).profile;
      throw new LLMTraceError('invalid_config', `storage: unknown profile ${JSON.stringify(profile)}`);
    }
  }
}

/**
 * Open the stores a profile names, importing only that profile's drivers (SQLite users never load
 * pg or the ClickHouse client), and migrate them unless `autoMigrate` is false.
 *
 * @example
 * const storage = await openStorage({ profile: 'sqlite', databasePath: './llmtrace.db' });
 * const writer = createSpanWriter(storage.traces);
 */
export async function openStorage(config: StorageConfig): Promise<Storage> {
  const logger = config.logger ?? silentLogger;
  const parts = await openParts(config, logger);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Metadata may share the trace store's connection, so it closes first.
      const results = await Promise.allSettled([parts.metadata.close(), parts.counters.close()]);
      results.push(...(await Promise.allSettled([parts.traces.close()])));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })();
    return closing;
  };
  if (config.autoMigrate !== false) {
    try {
      await parts.traces.migrate();
      await parts.metadata.migrate();
    } catch (err) {
      await close().catch(() => {});
      throw err;
    }
  }
  return { ...parts, close };
}

/**
 * Apply every pending migration of a profile's stores and close them (`llmtrace-proxy migrate`).
 *
 * @example
 * await migrateStorage({ profile: 'postgres', postgresUrl: 'postgres://localhost/llmtrace' });
 */
export async function migrateStorage(config: StorageConfig): Promise<void> {
  const storage = await openStorage({ ...config, autoMigrate: true });
  await storage.close();
}
