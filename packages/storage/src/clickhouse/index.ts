export { CLICKHOUSE_MIGRATIONS, type ClickHouseMigration, runClickHouseMigrations } from './migrations.js';
export { type ClickHouseStoreOptions, createClickHouseStore, type RawInsert } from './trace-store.js';
