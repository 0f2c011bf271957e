import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createMemoryMetadataStore } from '../src/memory/index.js';
import { createPostgresMetadataStore } from '../src/postgres/index.js';
import { createSqliteMetadataStore } from '../src/sqlite/index.js';
import { runMetadataContract } from './metadata.js';

const POSTGRES_URL = process.env.LLMTRACE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `llmtrace_test_${randomBytes(5).toString('hex')}`;

runMetadataContract('memory', async () => createMemoryMetadataStore());
runMetadataContract('sqlite', async () => createSqliteMetadataStore({ path: ':memory:' }));
runMetadataContract(
  'postgres',
  async () => createPostgresMetadataStore({ url: POSTGRES_URL, schema }),
  async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => pool.end());
  },
);
