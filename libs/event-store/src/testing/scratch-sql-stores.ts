/**
 * The two SQL stores integration suites run on, each made fresh for a suite: PGlite in a temporary directory, and a
 * scratch database on the PostgreSQL server. `cleanup` (after `close()`) removes either.
 * Use: `describe.each(SCRATCH_SQL_STORES)('… on %s', (_name, open) => …)`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createPgliteEventStore, createPostgresEventStore, type SqlEventStore } from '../index';

export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ScratchSqlStore {
  store: SqlEventStore;
  cleanup: () => Promise<unknown>;
}

/** One statement on the server's default database (creating or dropping a database). */
export async function serverQuery(sql: string, serverUrl = TEST_SERVER_URL): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function scratchPglite(): Promise<ScratchSqlStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-scratch-'));
  const store = await createPgliteEventStore({ dataDir: dir });
  return { store, cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }) };
}

export async function scratchPostgres(serverUrl = TEST_SERVER_URL): Promise<ScratchSqlStore> {
  const name = `muskel_test_${randomBytes(6).toString('hex')}`;
  await serverQuery(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`, serverUrl);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const store = await createPostgresEventStore({ connectionString: url.toString() });
  return { store, cleanup: () => serverQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, serverUrl) };
}

export const SCRATCH_SQL_STORES = [
  ['PGlite', scratchPglite],
  ['PostgreSQL', () => scratchPostgres()],
] as const;
