import { randomUUID } from 'node:crypto';
import {
  createPgliteEventStore,
  type PgliteEventStore,
  type RecordedEvent,
  type StoreTransaction,
} from '@muskel/event-store';
import { ProjectionRunner, rebuildProjection, waitForProjection, type Projection } from './projection-runner';

/** Logs every application (no key), so that an event applied twice shows up as a duplicate row. */
class LogProjection implements Projection {
  readonly filter = { categories: ['item'] };
  readonly pages: number[] = [];
  failOnce: ((events: RecordedEvent[]) => boolean) | undefined;
  perEventCalls = 0;

  constructor(
    readonly name: string,
    private readonly table: string,
    batching = true,
  ) {
    if (!batching) this.applyBatch = undefined;
  }

  async setup(tx: StoreTransaction): Promise<void> {
    await tx.query(`CREATE TABLE IF NOT EXISTS ${this.table} (position text NOT NULL, stream text NOT NULL)`);
  }

  async reset(tx: StoreTransaction): Promise<void> {
    await tx.query(`TRUNCATE ${this.table}`);
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    this.perEventCalls += 1;
    await tx.query(`INSERT INTO ${this.table} (position, stream) VALUES ($1, $2)`, [event.position, event.streamName]);
  }

  applyBatch: ((events: RecordedEvent[], tx: StoreTransaction) => Promise<void>) | undefined = async (events, tx) => {
    this.pages.push(events.length);
    await tx.query(`INSERT INTO ${this.table} (position, stream) SELECT * FROM unnest($1::text[], $2::text[])`, [
      events.map((e) => e.position),
      events.map((e) => e.streamName),
    ]);
    if (this.failOnce?.(events)) {
      this.failOnce = undefined;
      throw new Error('simulated crash inside the page');
    }
  };
}

async function append(store: PgliteEventStore, category: string, count: number): Promise<string> {
  let position = '';
  for (let i = 0; i < count; i += 50) {
    const n = Math.min(50, count - i);
    const result = await store.appendToStream(
      `${category}-${randomUUID()}`,
      Array.from({ length: n }, (_, k) => ({ type: 'Happened', data: { k: i + k } })),
      { expected: 'no_stream' },
    );
    position = result.position;
  }
  return position;
}

async function rows(store: PgliteEventStore, table: string): Promise<{ total: number; distinct: number }> {
  const [row] = await store.executor.query<{ total: string; distinct: string }>(
    `SELECT count(*)::text AS total, count(DISTINCT position)::text AS distinct FROM ${table}`,
  );
  return { total: Number(row!.total), distinct: Number(row!.distinct) };
}

describe('ProjectionRunner with batches, waitForProjection, rebuildProjection (PGlite)', () => {
  let template: Blob;
  let store: PgliteEventStore;

  beforeAll(async () => {
    const first = await createPgliteEventStore({});
    await first.init();
    template = await first.dumpDataDir();
    await first.close();
  }, 120_000);

  beforeEach(async () => {
    store = await createPgliteEventStore({ loadDataDir: template });
    await store.init();
  });
  afterEach(() => store.close());

  it('applies pages of batchSize with the checkpoint, and moves the checkpoint past filtered-out events', async () => {
    await append(store, 'item', 120);
    const projection = new LogProjection('log', 'log_rows');
    const runner = new ProjectionRunner(store, projection, { batchSize: 50 });
    await runner.setup();
    runner.start();
    try {
      const head = await store.headPosition();
      expect(await runner.waitFor(head, 30_000)).toBe(true);
      expect(projection.pages.slice(0, 3)).toEqual([50, 50, 20]);
      expect(projection.perEventCalls).toBe(0);
      // Only other categories from here on: the checkpoint still reaches the head.
      const other = await append(store, 'other', 30);
      expect(await runner.waitFor(other, 30_000)).toBe(true);
      expect(await store.checkpoints.load('log')).toBe(other);
      // Live: a new event is applied within the idle poll.
      const started = Date.now();
      const live = await append(store, 'item', 1);
      expect(await waitForProjection(store, 'log', live, 2_000)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await rows(store, 'log_rows')).toEqual({ total: 121, distinct: 121 });
    } finally {
      await runner.stop();
    }
  });

  it('waitForProjection polls the checkpoint table and times out', async () => {
    const position = await append(store, 'item', 3);
    expect(await waitForProjection(store, 'nobody', position, 100)).toBe(false);
    const projection = new LogProjection('log', 'log_rows');
    const runner = new ProjectionRunner(store, projection, { batchSize: 10 });
    await runner.setup();
    const waiting = waitForProjection(store, 'log', position, 5_000);
    runner.start();
    try {
      expect(await waiting).toBe(true);
    } finally {
      await runner.stop();
    }
  });

  it('keeps the per-event path for projections without applyBatch', async () => {
    const head = await append(store, 'item', 7);
    const projection = new LogProjection('per-event', 'per_event_rows', false);
    const runner = new ProjectionRunner(store, projection);
    await runner.setup();
    runner.start();
    try {
      expect(await runner.waitFor(head, 30_000)).toBe(true);
    } finally {
      await runner.stop();
    }
    expect(projection.perEventCalls).toBe(7);
    expect(projection.pages).toEqual([]);
  });

  it('rolls a failed page back with its checkpoint, retries, and applies every event once', async () => {
    await append(store, 'item', 100);
    const projection = new LogProjection('log', 'log_rows');
    projection.failOnce = () => projection.pages.length === 2;
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(store, projection, { batchSize: 30, onError: (e) => errors.push(e) });
    await runner.setup();
    runner.start();
    try {
      expect(await runner.waitFor(await store.headPosition(), 30_000)).toBe(true);
    } finally {
      await runner.stop();
    }
    expect(errors).toHaveLength(1);
    expect(await rows(store, 'log_rows')).toEqual({ total: 100, distinct: 100 });
  });

  it('lets one instance of two apply (lease and compare-and-set)', async () => {
    await append(store, 'item', 200);
    const a = new ProjectionRunner(store, new LogProjection('log', 'log_rows'), { batchSize: 20, leaseTtlMs: 1_000 });
    const b = new ProjectionRunner(store, new LogProjection('log', 'log_rows'), { batchSize: 20, leaseTtlMs: 1_000 });
    await a.setup();
    a.start();
    b.start();
    try {
      expect(await waitForProjection(store, 'log', await store.headPosition(), 10_000)).toBe(true);
      const more = await append(store, 'item', 50);
      expect(await waitForProjection(store, 'log', more, 10_000)).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(await rows(store, 'log_rows')).toEqual({ total: 250, distinct: 250 });
  });

  it('rebuilds from the log, and resumes a rebuild that crashed', async () => {
    await append(store, 'item', 90);
    await append(store, 'other', 10);
    const head = await append(store, 'item', 60);
    const projection = new LogProjection('log', 'log_rows');
    const first = await rebuildProjection(store, projection, { batchSize: 40 });
    expect(first).toMatchObject({ applied: 150, position: head, resumed: false });
    const clean = await store.executor.query('SELECT position, stream FROM log_rows ORDER BY position');

    // A second rebuild starts over (reset and checkpoint deleted in one transaction) and crashes in its third page.
    projection.failOnce = () => projection.pages.length === 7;
    await expect(rebuildProjection(store, projection, { batchSize: 40 })).rejects.toThrow('simulated crash');
    const checkpoint = await store.checkpoints.load('log');
    expect(checkpoint).toBeDefined();
    expect(checkpoint! < head).toBe(true);
    expect(await rows(store, 'log_rows')).toEqual({ total: 80, distinct: 80 });

    const progress: { applied: number; done: boolean }[] = [];
    const resumed = await rebuildProjection(store, projection, {
      batchSize: 40,
      onProgress: (p) => progress.push({ applied: p.applied, done: p.done }),
    });
    expect(resumed).toMatchObject({ applied: 70, position: head, resumed: true });
    expect(progress.at(-1)).toEqual({ applied: 70, done: true });
    expect(await store.executor.query('SELECT position, stream FROM log_rows ORDER BY position')).toEqual(clean);
    // Finished: the next rebuild starts over again.
    expect((await rebuildProjection(store, projection, { batchSize: 500 })).resumed).toBe(false);
    expect(await store.executor.query('SELECT position, stream FROM log_rows ORDER BY position')).toEqual(clean);
  });

  it('takes the lease over from a running runner, which resumes after the rebuild', async () => {
    await append(store, 'item', 100);
    const projection = new LogProjection('log', 'log_rows');
    const runner = new ProjectionRunner(store, projection, { batchSize: 25, leaseTtlMs: 600 });
    await runner.setup();
    runner.start();
    try {
      expect(await runner.waitFor(await store.headPosition(), 30_000)).toBe(true);
      const result = await rebuildProjection(store, new LogProjection('log', 'log_rows'), { batchSize: 30 });
      expect(result.applied).toBe(100);
      const more = await append(store, 'item', 20);
      expect(await waitForProjection(store, 'log', more, 5_000)).toBe(true);
    } finally {
      await runner.stop();
    }
    expect(await rows(store, 'log_rows')).toEqual({ total: 120, distinct: 120 });
  });

  it('refuses to rebuild a projection without reset()', async () => {
    const projection = new LogProjection('log', 'log_rows');
    const plain: Projection = {
      name: 'plain',
      setup: (tx) => projection.setup(tx),
      apply: (event, tx) => projection.apply(event, tx),
    };
    await expect(rebuildProjection(store, plain)).rejects.toThrow('no reset()');
  });
});
