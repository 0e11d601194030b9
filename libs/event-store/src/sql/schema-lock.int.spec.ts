/**
 * withSchemaLock on a PostgreSQL server: the same read-model DDL started many times at once (providers of one app,
 * several processes) succeeds every time. Without the lock, concurrent CREATE TABLE IF NOT EXISTS of one name can
 * fail with a unique violation on pg_class (seen when two providers created the reference tables at start).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createPostgresEventStore, type SqlEventStore } from '../index';
import { withSchemaLock } from './sql-executor';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('withSchemaLock (PostgreSQL)', () => {
  const name = `muskel_test_${randomBytes(6).toString('hex')}`;
  let store: SqlEventStore;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
    const url = new URL(SERVER_URL);
    url.pathname = `/${name}`;
    store = await createPostgresEventStore({ connectionString: url.toString() });
    await store.init();
  });

  afterAll(async () => {
    await store?.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('runs the same CREATE TABLE IF NOT EXISTS from many connections at once without an error', async () => {
    for (let round = 0; round < 5; round++) {
      const ddl = async () =>
        withSchemaLock(store.executor, async (q) => {
          await q.query(`CREATE TABLE IF NOT EXISTS lock_probe_${round} (id text PRIMARY KEY, n integer)`);
          await q.query(`CREATE INDEX IF NOT EXISTS lock_probe_${round}_n ON lock_probe_${round} (n)`);
        });
      await expect(Promise.all(Array.from({ length: 8 }, ddl))).resolves.toHaveLength(8);
    }
    const tables = await store.executor.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM pg_tables WHERE tablename LIKE 'lock_probe_%'",
    );
    expect(tables[0]!.n).toBe('5');
  });
});
