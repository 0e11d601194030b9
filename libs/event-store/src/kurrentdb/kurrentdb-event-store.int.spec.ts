/**
 * The KurrentDB adapter where no KurrentDB server answers (none can run on the CI machine): its errors are the
 * port's typed errors, and its read-model side (checkpoints, leases, transactions) works on a real PostgreSQL
 * database of its own, dropped at the end. The conformance suite covers the rest when KURRENTDB_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { StoreClosedError, StoreUnavailableError } from '../errors';
import { createEventStore } from '../create-event-store';
import { AppendInTransactionUnsupportedError } from './kurrentdb-errors';
import { createKurrentDbEventStore, type KurrentDbEventStore } from './kurrentdb-event-store';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Port 1 on the loopback: nothing listens there, so every call is refused at once.
const NOBODY = 'kurrentdb://127.0.0.1:1?tls=false&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=1';
const POSITION = '00000000000000000042:00000000000000000041';

describe('KurrentDB adapter without a reachable server', () => {
  let admin: Client;
  const database = `muskel_test_${randomBytes(6).toString('hex')}`;
  let readModelUrl: string;
  let store: KurrentDbEventStore;

  beforeAll(async () => {
    admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`);
    const url = new URL(SERVER_URL);
    url.pathname = `/${database}`;
    readModelUrl = url.toString();
    store = createKurrentDbEventStore({ connectionString: NOBODY, readModelDatabaseUrl: readModelUrl });
  });

  afterAll(async () => {
    await store?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('says honestly what it lacks', () => {
    expect(store.kind).toBe('kurrentdb');
    expect(store.capabilities()).toEqual({
      multiStreamAppend: true,
      serverSideFilter: true,
      transactions: false,
      concurrentConnections: true,
    });
  });

  it('init() prepares the read-model database, then fails with StoreUnavailableError', async () => {
    await expect(store.init()).rejects.toBeInstanceOf(StoreUnavailableError);
    const health = await store.health();
    expect(health).toMatchObject({ kind: 'kurrentdb', reachable: false });
    expect(health.schemaVersion).toBeGreaterThanOrEqual(1);
  });

  it('reports an unreachable server as StoreUnavailableError on every path', async () => {
    const stream = `order-${randomBytes(4).toString('hex')}`;
    await expect(store.appendToStream(stream, [{ type: 'Placed', data: {} }], { expected: 'any' })).rejects.toThrow(
      StoreUnavailableError,
    );
    await expect(store.getStreamState(stream)).rejects.toThrow(StoreUnavailableError);
    const readAll = async () => {
      for await (const event of store.readAll()) void event;
    };
    await expect(readAll()).rejects.toThrow(StoreUnavailableError);
    const subscription = store.subscribeToAll({ filter: { categories: ['order'] } });
    await expect(subscription[Symbol.asyncIterator]().next()).rejects.toThrow(StoreUnavailableError);
    await subscription.close();
  });

  it('keeps checkpoints and leases in the read-model database', async () => {
    expect(await store.checkpoints.save('proj-a', POSITION, { expectedPrevious: null })).toBe('saved');
    expect(await store.checkpoints.load('proj-a')).toBe(POSITION);
    expect(await store.leases.tryAcquire('proj-a', 'i1', 5_000)).toBe(true);
    expect(await store.leases.tryAcquire('proj-a', 'i2', 5_000)).toBe(false);
    const readModel = new Client({ connectionString: readModelUrl });
    await readModel.connect();
    try {
      const rows = await readModel.query('SELECT position FROM es_checkpoints WHERE subscriber_id = $1', ['proj-a']);
      expect(rows.rows).toEqual([{ position: POSITION }]);
    } finally {
      await readModel.end();
    }
  });

  it('commits a projection and its checkpoint together, and refuses appends in the transaction', async () => {
    await store.withTransaction((tx) => tx.query('CREATE TABLE conf_rows (id text PRIMARY KEY)'));
    await expect(
      store.withTransaction(async (tx) => {
        await tx.query("INSERT INTO conf_rows VALUES ('a')");
        await store.checkpoints.save('proj-b', POSITION, { expectedPrevious: null, tx });
        throw new Error('projection failed');
      }),
    ).rejects.toThrow('projection failed');
    expect(await store.checkpoints.load('proj-b')).toBeUndefined();
    expect(await store.withTransaction((tx) => tx.query('SELECT id FROM conf_rows'))).toEqual([]);

    const refused = store.withTransaction(async (tx) => {
      await tx.query("INSERT INTO conf_rows VALUES ('b')");
      await tx.appendToStream('order-1', [{ type: 'Placed', data: {} }], { expected: 'any' });
    });
    await expect(refused).rejects.toBeInstanceOf(AppendInTransactionUnsupportedError);
    await expect(refused).rejects.toMatchObject({ code: 'APPEND_IN_TRANSACTION_UNSUPPORTED' });
    expect(await store.withTransaction((tx) => tx.query('SELECT id FROM conf_rows'))).toEqual([]);
  });

  it('is chosen by createEventStore for kurrentdbUrl, which needs databaseUrl', async () => {
    await expect(createEventStore({ kurrentdbUrl: NOBODY, dataDir: './unused' })).rejects.toThrow(
      /KURRENTDB_URL needs DATABASE_URL/,
    );
    const chosen = await createEventStore({ kurrentdbUrl: NOBODY, databaseUrl: readModelUrl, dataDir: './unused' });
    expect(chosen.kind).toBe('kurrentdb');
    await chosen.close();
  });

  it('refuses a connection string the client cannot parse, without quoting it', () => {
    let message = '';
    try {
      createKurrentDbEventStore({ connectionString: 'nonsense://admin:hunter2@x', readModelDatabaseUrl: readModelUrl });
    } catch (error) {
      expect(error).toBeInstanceOf(StoreUnavailableError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/not a valid KurrentDB connection string/);
    expect(message).not.toContain('hunter2');
  });

  it('close() is idempotent and later calls reject with StoreClosedError', async () => {
    const other = createKurrentDbEventStore({ connectionString: NOBODY, readModelDatabaseUrl: readModelUrl });
    await other.close();
    await other.close();
    await expect(other.getStreamState('order-1')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(other.checkpoints.load('proj-a')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(other.withTransaction(() => Promise.resolve(1))).rejects.toBeInstanceOf(StoreClosedError);
    expect(() => other.subscribeToAll()).toThrow(StoreClosedError);
    expect((await other.health()).reachable).toBe(false);
  });
});
