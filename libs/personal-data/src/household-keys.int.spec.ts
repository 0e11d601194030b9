/**
 * Household data keys on both SQL databases: one key per household however many writers ask at once, none for an
 * erased household, and the round trips each write costs (every ADD proposal creates a key on the command's path).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  createPgliteEventStore,
  createPostgresEventStore,
  type SqlEventStore,
  type SqlQueryable,
} from '@muskel/event-store';
import { HouseholdKeys, setupPersonalDataTables } from './household-keys';

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

/** The executor, counting the statements sent through it. */
function counting(inner: SqlQueryable): SqlQueryable & { statements: number } {
  const wrapper = {
    statements: 0,
    query: <R>(sql: string, params?: unknown[], name?: string) => {
      wrapper.statements += 1;
      return inner.query<R>(sql, params, name);
    },
    exec: (sql: string) => inner.exec(sql),
  };
  return wrapper;
}

type Opened = { store: SqlEventStore; cleanup: () => Promise<unknown> };

describe.each([
  [
    'PGlite',
    async (): Promise<Opened> => ({ store: await createPgliteEventStore({}), cleanup: () => Promise.resolve() }),
  ],
  [
    'PostgreSQL',
    async (): Promise<Opened> => {
      const name = `muskel_test_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
      const url = new URL(SERVER_URL);
      url.pathname = `/${name}`;
      const store = await createPostgresEventStore({ connectionString: url.toString() });
      return { store, cleanup: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
    },
  ],
] as const)('household data keys on %s', (_name, open) => {
  let store: SqlEventStore;
  let cleanup: () => Promise<unknown>;
  const keys = new HouseholdKeys(randomBytes(32));

  beforeAll(async () => {
    ({ store, cleanup } = await open());
    await store.init();
    await setupPersonalDataTables(store.executor);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('creates a key in two statements, then finds it in one', async () => {
    const householdId = randomUUID();
    const sql = counting(store.executor);
    const created = await keys.forWriting(sql, householdId);
    expect(sql.statements).toBe(2);
    sql.statements = 0;
    const again = await keys.forWriting(sql, householdId);
    expect(sql.statements).toBe(1);
    expect('key' in created && 'key' in again && created.key.equals(again.key)).toBe(true);
    expect((await keys.load(store.executor, [householdId])).get(householdId)).toEqual('key' in created && created.key);
  });

  it('gives every writer racing for a new household the same key, stored once', async () => {
    const householdId = randomUUID();
    const found = await Promise.all(Array.from({ length: 8 }, () => keys.forWriting(store.executor, householdId)));
    const distinct = new Set(found.map((lookup) => ('key' in lookup ? lookup.key.toString('hex') : 'erased')));
    expect([...distinct]).toHaveLength(1);
    expect(distinct.has('erased')).toBe(false);
    const rows = await store.executor.query('SELECT 1 FROM pd_household_keys WHERE household_id = $1', [householdId]);
    expect(rows).toHaveLength(1);
  });

  it('creates no key for an erased household', async () => {
    const householdId = randomUUID();
    await keys.forWriting(store.executor, householdId);
    expect(await keys.shred(store.executor, householdId)).toBe(true);
    expect(await keys.forWriting(store.executor, householdId)).toEqual({ erased: true });
    expect(await keys.load(store.executor, [householdId])).toEqual(new Map());
    // Never keyed before its erasure (a household erased before any of its data arrived): still no key.
    const never = randomUUID();
    expect(await keys.shred(store.executor, never)).toBe(false);
    expect(await keys.forWriting(store.executor, never)).toEqual({ erased: true });
    expect(await keys.load(store.executor, [never])).toEqual(new Map());
  });
});
