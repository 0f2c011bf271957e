// The SQLite insert thread's script (see insert-thread.ts): the proxy's event loop never waits on
// SQLite, since this thread owns the write connection for spans.
import { serveSqliteInserts } from './insert-serve.js';

serveSqliteInserts();
