export { serveSqliteInserts } from './insert-serve.js';
export { createSqliteMetadataStore, type SqliteMetadataStoreOptions } from './metadata-store.js';
export { runSqliteMigrations, SQLITE_MIGRATIONS, type SqliteMigration } from './migrations.js';
export { openSqliteDatabase } from './open.js';
export { createSqliteStore, type SqliteStoreOptions, type SqliteTraceStore } from './trace-store.js';
