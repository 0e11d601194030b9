/**
 * `appendToNewStreams` (bulk creation inside a transaction, for baseline imports) on both SQL adapters: many new
 * streams in one statement, revisions from 0, readable in order; all or nothing when one of them exists.
 */
import { randomUUID } from 'node:crypto';
import { TransactionConflictError } from './errors';
import type { SqlEventStore } from './index';
import { SCRATCH_SQL_STORES } from './testing/scratch-sql-stores';

const event = (n: number) => ({ id: randomUUID(), type: 'Enrolled', data: { n } });

describe.each(SCRATCH_SQL_STORES)('appendToNewStreams on %s', (_name, open) => {
  let store: SqlEventStore;
  let cleanup: () => unknown;

  beforeAll(async () => {
    ({ store, cleanup } = await open());
    await store.init();
  });

  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('creates every stream in one call, with revisions from 0, in the global order', async () => {
    const streams = Array.from({ length: 50 }, () => `household-${randomUUID()}`);
    const results = await store.withTransaction((tx) =>
      tx.appendToNewStreams!(
        streams.map((stream, i) => ({ stream, events: i % 2 ? [event(i)] : [event(i), event(i)] })),
      ),
    );
    expect(results.map((r) => r.nextExpectedRevision)).toEqual(streams.map((_, i) => (i % 2 ? 0 : 1)));
    for (const [i, stream] of streams.entries()) {
      const read = [];
      for await (const e of store.readStream(stream)) read.push(e);
      expect(read.map((e) => [e.revision, (e.data as { n: number }).n])).toEqual(
        i % 2
          ? [[0, i]]
          : [
              [0, i],
              [1, i],
            ],
      );
    }
  });

  it('writes nothing when one of the streams exists: TransactionConflictError, the transaction rolls back', async () => {
    const existing = `household-${randomUUID()}`;
    await store.appendToStream(existing, [event(0)], { expected: 'no_stream' });
    const fresh = `household-${randomUUID()}`;
    await expect(
      store.withTransaction((tx) =>
        tx.appendToNewStreams!([
          { stream: fresh, events: [event(1)] },
          { stream: existing, events: [event(2)] },
        ]),
      ),
    ).rejects.toBeInstanceOf(TransactionConflictError);
    expect(await store.getStreamState(fresh)).toBe('no_stream');
    expect(await store.getStreamState(existing)).toBe(0);
  });

  it('refuses a stream named twice and a stream without events', async () => {
    const stream = `household-${randomUUID()}`;
    await expect(
      store.withTransaction((tx) =>
        tx.appendToNewStreams!([
          { stream, events: [event(1)] },
          { stream, events: [event(2)] },
        ]),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.withTransaction((tx) => tx.appendToNewStreams!([{ stream, events: [] }]))).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
      },
    );
    expect(await store.getStreamState(stream)).toBe('no_stream');
  });
});
