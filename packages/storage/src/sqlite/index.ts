export { createSqliteMetadataStore, type SqliteMetadataStoreOptions } from './metadata-store.js';
export { runSqliteMigrations, SQLITE_MIGRATIONS, type SqliteMigration } from './migrations.js';
export {
  createSqliteStore,
  openSqliteDatabase,
  type SqliteStoreOptions,
  type SqliteTraceStore,
} from './trace-store.js';
