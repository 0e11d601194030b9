/**
 * Household data keys on both SQL databases: one key per household however many writers ask at once, none for an
 * erased household, and the round trips each write costs (every ADD proposal creates a key on the command's path).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SqlEventStore, SqlQueryable } from '@muskel/event-store';
import { SCRATCH_SQL_STORES } from '@muskel/event-store/testing/scratch-sql-stores';
import { HouseholdKeys, setupPersonalDataTables } from './household-keys';

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

describe.each(SCRATCH_SQL_STORES)('household data keys on %s', (_name, open) => {
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
