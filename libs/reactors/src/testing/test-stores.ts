/**
 * Fresh stores for integration suites: PGlite in memory (from one initialised template), and PostgreSQL in a
 * database of its own per store (`muskel_test_<random>`), dropped on dispose. Same pattern as the event-store
 * conformance suite.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  AppendInTransactionUnsupportedError,
  createPgliteEventStore,
  createPostgresEventStore,
  type EventStore,
  type StoreTransaction,
} from '@muskel/event-store';

export interface StoreFactory {
  readonly name: string;
  open(): Promise<EventStore>;
  /** The connection string of a store from `open()` (PostgreSQL only). */
  urlOf?(store: EventStore): string;
  dispose(): Promise<void>;
}

export function pgliteFactory(): StoreFactory {
  let template: Blob | undefined;
  const opened: EventStore[] = [];
  return {
    name: 'PGlite',
    async open() {
      if (!template) {
        const first = await createPgliteEventStore({});
        await first.init();
        template = await first.dumpDataDir();
        await first.close();
      }
      const store = await createPgliteEventStore({ loadDataDir: template });
      await store.init();
      opened.push(store);
      return store;
    },
    async dispose() {
      for (const store of opened) await store.close().catch(() => undefined);
    },
  };
}

export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Creates an empty database on the server and returns its URL and a function that drops it. */
export async function createScratchDatabase(
  serverUrl = TEST_SERVER_URL,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new Client({ connectionString: serverUrl, application_name: 'muskel-test-admin' });
  admin.on('error', () => undefined);
  await admin.connect();
  const database = `muskel_test_${randomBytes(6).toString('hex')}`;
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
      const again = new Client({ connectionString: serverUrl, application_name: 'muskel-test-admin' });
      again.on('error', () => undefined);
      await again.connect();
      try {
        await again.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
        await again.query(`DROP DATABASE IF EXISTS ${database}`);
      } finally {
        await again.end();
      }
    },
  };
}

export function postgresFactory(serverUrl = TEST_SERVER_URL): StoreFactory {
  const opened: { store: EventStore; url: string; drop: () => Promise<void> }[] = [];
  return {
    name: 'PostgreSQL',
    async open() {
      const scratch = await createScratchDatabase(serverUrl);
      const store = await createPostgresEventStore({ connectionString: scratch.url });
      await store.init();
      opened.push({ store, ...scratch });
      return store;
    },
    urlOf(store) {
      const entry = opened.find((candidate) => candidate.store === store);
      if (!entry) throw new Error('not a store of this factory');
      return entry.url;
    },
    async dispose() {
      for (const { store, drop } of opened) {
        await store.close().catch(() => undefined);
        await drop().catch(() => undefined);
      }
    },
  };
}

/**
 * PostgreSQL stores seen as a KurrentDB store behaves: no appends inside a transaction (they fail with
 * AppendInTransactionUnsupportedError, as KurrentDB's do) and `capabilities().transactions` false. A stand-in: no
 * KurrentDB server can run on this machine, and this is the one difference the reactors have to handle.
 */
export function withoutTransactionalAppends(inner: StoreFactory): StoreFactory {
  return viewsOf(inner, 'without appends in transactions', viewWithoutTransactionalAppends);
}

/**
 * The same, and shaped like the KurrentDB adapter: not a SQL store to `instanceof` (nothing may take the SQL
 * shortcuts), its read models in `readModel` (here the store itself, without a codec of its own).
 */
export function shapedLikeKurrentDb(inner: StoreFactory): StoreFactory {
  return viewsOf(inner, 'shaped like KurrentDB', kurrentDbShaped);
}

/** One store seen as `shapedLikeKurrentDb` sees them. */
export function kurrentDbShaped(store: EventStore): EventStore {
  const view = viewWithoutTransactionalAppends(store);
  return new Proxy(view, {
    getPrototypeOf: () => Object.prototype,
    get: (target, property): unknown => (property === 'readModel' ? store : Reflect.get(target, property, target)),
  });
}

function viewsOf(inner: StoreFactory, what: string, view: (store: EventStore) => EventStore): StoreFactory {
  const originals = new Map<EventStore, EventStore>();
  return {
    name: `${inner.name} ${what}`,
    async open() {
      const store = await inner.open();
      const seen = view(store);
      originals.set(seen, store);
      return seen;
    },
    ...(inner.urlOf ? { urlOf: (store: EventStore) => inner.urlOf!(originals.get(store) ?? store) } : {}),
    dispose: () => inner.dispose(),
  };
}

function viewWithoutTransactionalAppends(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'capabilities') return () => ({ ...target.capabilities(), transactions: false });
      if (property === 'withTransaction') {
        return <T>(work: (tx: StoreTransaction) => Promise<T>) =>
          target.withTransaction((tx) =>
            work({
              // Own properties kept (the SQL checkpoint store finds its transaction through one).
              ...tx,
              appendToStream: (stream) => Promise.reject(new AppendInTransactionUnsupportedError(stream)),
              appendToNewStreams: undefined,
            }),
          );
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
