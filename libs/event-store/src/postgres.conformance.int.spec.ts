/**
 * Conformance suite on the PostgreSQL adapter, against the server in TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test). Every store gets a database of its own, `muskel_test_<random>`,
 * dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { EventStore } from './event-store.port';
import { createPostgresEventStore } from './index';
import { describeEventStoreConformance, type ConformanceHarness } from './testing/event-store.conformance';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function createPostgresHarness(serverUrl: string): ConformanceHarness {
  let admin: Promise<Client> | undefined;
  const databases: string[] = [];
  const urls = new Map<EventStore, { url: string; database: string }>();
  const opened = new Set<EventStore>();

  // One plain client (no pool, so no idle timers) for CREATE/DROP DATABASE and pg_terminate_backend.
  const getAdmin = (): Promise<Client> =>
    (admin ??= (async () => {
      const client = new Client({ connectionString: serverUrl, application_name: 'muskel-conformance-admin' });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    })());

  const createDatabase = async (): Promise<{ url: string; database: string }> => {
    const database = `muskel_test_${randomBytes(6).toString('hex')}`;
    // template0 never has sessions, so a parallel suite connected to template1 cannot make this fail.
    await (await getAdmin()).query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`);
    databases.push(database);
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    return { url: url.toString(), database };
  };

  const open = async (target: { url: string; database: string }, init = true): Promise<EventStore> => {
    const store = await createPostgresEventStore({ connectionString: target.url });
    opened.add(store);
    urls.set(store, target);
    if (init) await store.init();
    return store;
  };

  const targetOf = (store: EventStore): { url: string; database: string } => {
    const target = urls.get(store);
    if (!target) throw new Error('not a store of this harness');
    return target;
  };

  return {
    exclusive: false,
    async fresh() {
      return open(await createDatabase());
    },
    async sibling(store) {
      return open(targetOf(store));
    },
    async reopen(store) {
      return open(targetOf(store));
    },
    async uninitialised(count) {
      const target = await createDatabase();
      return Promise.all(Array.from({ length: count }, () => open(target, false)));
    },
    childEnv(store) {
      return { MUSKEL_TEST_STORE: 'postgres', MUSKEL_TEST_DATABASE_URL: targetOf(store).url };
    },
    async interrupt(store) {
      const { database } = targetOf(store);
      await (
        await getAdmin()
      ).query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
        database,
      ]);
    },
    async dispose() {
      for (const store of opened) await store.close().catch(() => undefined);
      opened.clear();
      if (!admin) return;
      const client = await admin;
      for (const database of databases) {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      }
      await client.end();
    },
  };
}

describeEventStoreConformance('postgres', createPostgresHarness(SERVER_URL));
