/**
 * CodecEventStore on PGlite (a store without a codec of its own), with a codec that marks what it touches: every
 * append path encodes, every read path decodes, `raw()` shows what is stored, and the codec is handed the stream as
 * stored so far. The personal-data codec itself runs through it in the erasure suite (apps/api).
 */
import { randomUUID } from 'node:crypto';
import { CodecEventStore } from './codec-event-store';
import { createPgliteEventStore } from './create-event-store';
import type { EventStore } from './event-store.port';
import { START } from './position';
import type { EventCodec } from './sql/event-codec';
import type { SqlQueryable } from './sql/sql-executor';
import type { NewEvent, RecordedEvent } from './types';

/** Stores `secret` as `sealed:<text reversed>` and records how many earlier events each encode was shown. */
class MarkingCodec implements EventCodec {
  readonly seenBefore: number[] = [];

  async encode(
    _q: SqlQueryable,
    _stream: string,
    events: readonly NewEvent[],
    stored: () => Promise<RecordedEvent[]>,
  ): Promise<NewEvent[]> {
    this.seenBefore.push((await stored()).length);
    return events.map((event) => {
      const secret = event.data['secret'];
      const id = event.id ?? randomUUID();
      if (typeof secret !== 'string') return { ...event, id };
      return { ...event, id, data: { ...event.data, secret: `sealed:${[...secret].reverse().join('')}` } };
    });
  }

  decode(_q: SqlQueryable, events: RecordedEvent[]): Promise<RecordedEvent[]> {
    return Promise.resolve(
      events.map((event) => {
        const secret = event.data['secret'];
        if (typeof secret !== 'string' || !secret.startsWith('sealed:')) return event;
        return { ...event, data: { ...event.data, secret: [...secret.slice('sealed:'.length)].reverse().join('') } };
      }),
    );
  }
}

const secretOf = (event: RecordedEvent | undefined) => event?.data?.['secret'];
const event = (secret: string): NewEvent => ({ type: 'Noted', data: { secret, other: 'kept' } });

async function collect(source: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const item of source) events.push(item);
  return events;
}

describe('CodecEventStore (PGlite)', () => {
  let inner: EventStore;
  let codec: MarkingCodec;
  let store: CodecEventStore;

  beforeAll(async () => {
    const sql = await createPgliteEventStore({});
    await sql.init();
    inner = sql;
    codec = new MarkingCodec();
    store = new CodecEventStore(inner, codec, sql.executor);
  }, 60_000);
  afterAll(() => store.close());

  it('encodes every append and decodes every read; raw() reads what is stored', async () => {
    const [a, b, c] = ['note-a', 'note-b', 'note-c'].map((name) => `${name}-${randomUUID()}`);
    await store.appendToStream(a!, [event('alpha'), event('beta')], { expected: 'no_stream' });
    await store.appendToStream(a!, [event('gamma')], { expected: 1 });
    await store.appendToStreams([
      { stream: b!, events: [event('delta')], expected: 'no_stream' },
      { stream: c!, events: [event('epsilon')], expected: 'no_stream' },
    ]);
    await store.withTransaction((tx) => tx.appendToStream(c!, [event('zeta')], { expected: 0 }));
    // Each encode saw the stream as stored before it.
    expect(codec.seenBefore).toEqual([0, 2, 0, 0, 1]);

    const stored = await collect(inner.readStream(a!));
    expect(stored.map(secretOf)).toEqual(['sealed:ahpla', 'sealed:ateb', 'sealed:ammag']);
    expect(stored[0]!.data['other']).toBe('kept');
    expect((await collect(store.raw().readStream(a!))).map(secretOf)).toEqual(stored.map(secretOf));

    expect((await collect(store.readStream(a!))).map(secretOf)).toEqual(['alpha', 'beta', 'gamma']);
    expect((await collect(store.readStream(a!, { direction: 'backwards', maxCount: 1 }))).map(secretOf)).toEqual([
      'gamma',
    ]);
    expect(
      (await collect(store.readAll()))
        .filter((e) => [a, b, c].includes(e.streamName))
        .map((e) => [e.streamName.split('-')[1], secretOf(e)]),
    ).toEqual([
      ['a', 'alpha'],
      ['a', 'beta'],
      ['a', 'gamma'],
      ['b', 'delta'],
      ['c', 'epsilon'],
      ['c', 'zeta'],
    ]);
    const places = [
      { stream: c!, revision: 1 },
      { stream: a!, revision: 0 },
    ];
    expect((await store.readEvents(places)).map(secretOf)).toEqual(['zeta', 'alpha']);
    const inTransaction = await store.withTransaction(async (tx) => ({
      stream: (await tx.readStream(b!)).map(secretOf),
      events: (await tx.readEvents(places)).map(secretOf),
    }));
    expect(inTransaction).toEqual({ stream: ['delta'], events: ['zeta', 'alpha'] });
  });

  it('decodes what a subscription delivers, and passes its signals through', async () => {
    const stream = `note-${randomUUID()}`;
    const head = await store.headPosition();
    await store.appendToStream(stream, [event('eta'), event('theta')], { expected: 'no_stream' });
    const subscription = store.subscribeToAll({ after: head === START ? START : head });
    const seen: unknown[] = [];
    let caughtUp = false;
    // Until both events and the signal that the subscription has caught up (a test timeout otherwise).
    for await (const message of subscription) {
      if (message.kind === 'event') seen.push(secretOf(message.event));
      else if (message.kind === 'caughtUp') caughtUp = true;
      if (seen.length === 2 && caughtUp) break;
    }
    await subscription.close();
    expect(seen).toEqual(['eta', 'theta']);
    expect(caughtUp).toBe(true);
  });

  it('leaves malformed input to the inner store, which names what is wrong', async () => {
    await expect(store.appendToStream('', [event('x')], { expected: 'no_stream' })).rejects.toMatchObject({
      code: 'INVALID_STREAM_NAME',
    });
    await expect(store.appendToStreams('nope' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => store.readStream('')).toThrow(/stream/);
  });
});
