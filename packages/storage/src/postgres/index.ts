export { createPostgresMetadataStore, type PostgresMetadataStoreOptions } from './metadata-store.js';
export { POSTGRES_MIGRATIONS, type PostgresMigration, runPostgresMigrations } from './migrations.js';
export type { PostgresConnectionOptions } from './pool.js';
export { createPostgresStore, type PostgresStoreOptions, type PostgresTraceStore } from './trace-store.js';
