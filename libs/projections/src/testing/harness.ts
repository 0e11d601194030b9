/** Fresh stores for the projection tests: PGlite in memory, or a database of its own on the PostgreSQL server. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  createPgliteEventStore,
  createPostgresEventStore,
  type SqlEventStore,
  type SqlQueryable,
} from '@muskel/event-store';

export const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreHarness {
  readonly kind: 'pglite' | 'postgres';
  fresh(): Promise<SqlEventStore>;
  /** The connection string of a store's database (PostgreSQL only), for child processes. */
  urlOf?(store: SqlEventStore): string;
  dispose(): Promise<void>;
}

export function pgliteHarness(): StoreHarness {
  const opened: SqlEventStore[] = [];
  let template: Promise<Blob> | undefined;
  return {
    kind: 'pglite',
    async fresh() {
      // initdb once, then every store starts from a copy.
      template ??= (async () => {
        const first = await createPgliteEventStore({});
        await first.init();
        const dump = await first.dumpDataDir();
        await first.close();
        return dump;
      })();
      const store = await createPgliteEventStore({ loadDataDir: await template });
      await store.init();
      opened.push(store);
      return store;
    },
    async dispose() {
      for (const store of opened) await store.close().catch(() => undefined);
    },
  };
}

export async function createDatabase(serverUrl = SERVER_URL): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = `muskel_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export function postgresHarness(serverUrl = SERVER_URL): StoreHarness {
  const opened: SqlEventStore[] = [];
  const drops: (() => Promise<void>)[] = [];
  const urls = new Map<SqlEventStore, string>();
  return {
    kind: 'postgres',
    async fresh() {
      const { url, drop } = await createDatabase(serverUrl);
      drops.push(drop);
      const store = await createPostgresEventStore({ connectionString: url });
      await store.init();
      opened.push(store);
      urls.set(store, url);
      return store;
    },
    urlOf(store) {
      const url = urls.get(store);
      if (!url) throw new Error('not a store of this harness');
      return url;
    },
    async dispose() {
      for (const store of opened) await store.close().catch(() => undefined);
      for (const drop of drops) await drop().catch(() => undefined);
    },
  };
}

/** Every table the projections write, in a fixed order. */
export const PROJECTION_TABLES = [
  'proposals_view',
  'meetings_view',
  'batches_view',
  'registry_households',
  'registry_household_niks',
  'registry_versions',
  'person_history',
  'person_history_subjects',
  'person_history_streams',
  'public_board_counts',
  'public_board_proposals',
  'public_board_meetings',
  'public_board_streams',
] as const;

/** The rows of each table, sorted, as JSON text: equal dumps mean equal read models. */
export async function dumpTables(
  db: SqlQueryable,
  tables: readonly string[] = PROJECTION_TABLES,
): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = await db.query<{ r: string }>(`SELECT to_jsonb(t)::text AS r FROM ${table} t ORDER BY 1`);
    dump[table] = rows.map((row) => row.r);
  }
  return dump;
}
