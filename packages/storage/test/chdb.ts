import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

type ConnectionOption = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/**
 * A @clickhouse/client over the ClickHouse engine embedded by chdb, stored at `path`. chdb 3.4.0
 * declares its connection against @clickhouse/client-common 1.23.0 while the client is 1.23.1;
 * the shapes match at runtime, only the nominal types differ, hence the cast.
 */
export function createChdbClient(path: string): ClickHouseClient {
  return createClient({ connection: createChdbConnection({ path }) as unknown as ConnectionOption });
}
