// The SQLite insert thread's script, bundled beside the CLI: the storage code bundled into this
// package starts `insert-worker.js` from next to itself.
import { serveSqliteInserts } from '@llmtrace/storage/sqlite/insert-serve';

serveSqliteInserts();
