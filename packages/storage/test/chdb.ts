import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { RawInsert } from '../src/clickhouse/index.js';

type ConnectionOption = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/** A client over the embedded engine, and the engine's own raw insert (bytes, parsed by the engine). */
export interface Chdb {
  client: ClickHouseClient;
  rawInsert: (insert: RawInsert) => Promise<unknown>;
}

/**
 * A @clickhouse/client over the ClickHouse engine embedded by chdb, stored at `path`. chdb 3.4.0
 * declares its connection against @clickhouse/client-common 1.23.0 while the client is 1.23.1;
 * the shapes match at runtime, only the nominal types differ, hence the cast.
 */
export function createChdb(path: string): Chdb {
  const connection = createChdbConnection({ path });
  return {
    client: createClient({ connection: connection as unknown as ConnectionOption }),
    rawInsert: (insert) => connection.chdb.rawInsert({ ...insert, columns: [...insert.columns] }),
  };
}
