export { CLICKHOUSE_MIGRATIONS, type ClickHouseMigration, runClickHouseMigrations } from './migrations.js';
export { type ClickHouseStoreOptions, createClickHouseStore } from './trace-store.js';
