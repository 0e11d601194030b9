/**
 * The subscription's ordering of events and signals, against a stand-in for the client's subscription stream (an
 * object-mode Readable, which is what the client's is): no server needed.
 */
import { Readable } from 'node:stream';
import { UnavailableError, type Position } from '@kurrent/kurrentdb-client';
import { StoreUnavailableError } from '../errors';
import { END, START } from '../position';
import type { LogPosition, SubscriptionMessage } from '../types';
import { checkpointCadence, encodeKurrentPosition, toServerFilter, type ServerFilter } from './kurrentdb-mapping';
import { KurrentSubscription, type KurrentSubscriptionHost } from './kurrentdb-subscription';

const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
const pos = (n: number): LogPosition => encodeKurrentPosition(at(n));

class FakeServerSubscription extends Readable {
  unsubscribed = false;
  constructor() {
    super({ objectMode: true });
  }
  override _read(): void {
    // Data is pushed by the test, as the server would send it.
  }
  unsubscribe(): Promise<void> {
    this.unsubscribed = true;
    return Promise.resolve();
  }
  event(n: number, stream = 'order-1', type = 'Placed'): void {
    this.push({
      event: {
        streamId: stream,
        id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        isJson: true,
        revision: BigInt(n),
        type,
        created: new Date(0),
        data: { n },
        metadata: { schemaVersion: 1, metadata: {} },
        position: at(n),
      },
    });
  }
}

function setUp(options: { after?: LogPosition; filter?: ServerFilter; head?: LogPosition } = {}) {
  const server = new FakeServerSubscription();
  let checkpoint: (position: Position) => void = () => undefined;
  let head = options.head ?? START;
  const opened: LogPosition[] = [];
  const host: KurrentSubscriptionHost = {
    assertOpen: () => undefined,
    openServerSubscription: (after, _filter, onCheckpoint) => {
      opened.push(after);
      checkpoint = onCheckpoint;
      return server;
    },
    headPosition: () => Promise.resolve(head),
    lastPositionAtOrBefore: (p) =>
      Promise.resolve(encodeKurrentPosition({ commit: p.commit - 1n, prepare: p.prepare - 1n })),
  };
  let closed = 0;
  const subscription = new KurrentSubscription(
    host,
    { after: options.after ?? START, filter: options.filter ?? toServerFilter(undefined, checkpointCadence(500)) },
    () => closed++,
  );
  const iterator = subscription[Symbol.asyncIterator]();
  return {
    server,
    subscription,
    opened,
    closedCount: () => closed,
    setHead: (p: LogPosition) => {
      head = p;
    },
    checkpoint: (n: number) => checkpoint(at(n)),
    next: async (): Promise<SubscriptionMessage | 'done'> => {
      const result = await iterator.next();
      return result.done ? 'done' : result.value;
    },
  };
}

function describeMessage(message: SubscriptionMessage | 'done'): string {
  if (message === 'done') return 'done';
  if (message.kind === 'event') return `event ${Number(message.event.revision)}`;
  return `${message.kind} ${message.position}`;
}

describe('KurrentDB subscription', () => {
  it('is lazy: nothing is opened until the consumer asks', async () => {
    const t = setUp();
    expect(t.opened).toEqual([]);
    t.server.event(1);
    expect(describeMessage(await t.next())).toBe('event 1');
    expect(t.opened).toEqual([START]);
    await t.subscription.close();
  });

  it('hands out caughtUp after the events the server sent before it, even when they are still buffered', async () => {
    const t = setUp({ head: pos(3) });
    const first = t.next();
    await new Promise((resolve) => setImmediate(resolve));
    t.server.event(1);
    expect(describeMessage(await first)).toBe('event 1');
    // Two events sit in the buffer when the server says it caught up.
    t.server.event(2);
    t.server.event(3);
    t.server.emit('caughtUp', { position: at(3) });
    t.server.event(4);
    const got = [await t.next(), await t.next(), await t.next(), await t.next()].map(describeMessage);
    expect(got).toEqual(['event 2', 'event 3', `caughtUp ${pos(3)}`, 'event 4']);
    await t.subscription.close();
  });

  it('reports the head of the port log as caughtUp, never past what the server had scanned', async () => {
    // The head moved on (an append after the server's caughtUp): the position falls back to the last event at or
    // before the server's position, so a checkpoint saved from it cannot skip the new event.
    const t = setUp({ head: pos(50) });
    t.server.event(1);
    expect(describeMessage(await t.next())).toBe('event 1');
    t.server.emit('caughtUp', { position: at(10) });
    expect(describeMessage(await t.next())).toBe(`caughtUp ${pos(9)}`);
    // Without a server position: the last position handed out.
    t.server.emit('caughtUp', {});
    expect(describeMessage(await t.next())).toBe(`caughtUp ${pos(9)}`);
    await t.subscription.close();
  });

  it('orders filter checkpoints with the events and drops those that would not move forward', async () => {
    const t = setUp({ filter: toServerFilter({ categories: ['order'] }, checkpointCadence(2)) });
    t.server.event(1);
    t.server.event(2);
    expect(describeMessage(await t.next())).toBe('event 1');
    // Event 2 is still buffered when the checkpoint at 5 arrives.
    t.checkpoint(5);
    t.server.event(6);
    t.checkpoint(6); // not past event 6
    t.checkpoint(9);
    const got = [await t.next(), await t.next(), await t.next(), await t.next()].map(describeMessage);
    expect(got).toEqual(['event 2', `checkpoint ${pos(5)}`, 'event 6', `checkpoint ${pos(9)}`]);
    await t.subscription.close();
  });

  it('skips events the filter, the port or the exclusive start rule out', async () => {
    const t = setUp({ after: pos(2), filter: toServerFilter({ eventTypes: ['Placed'] }, checkpointCadence(500)) });
    t.server.event(2); // at `after`: excluded
    t.server.event(3, '$stats-1'); // a system stream
    t.server.event(4, 'order-1', 'Cancelled'); // not a wanted type
    t.server.event(5);
    expect(describeMessage(await t.next())).toBe('event 5');
    await t.subscription.close();
  });

  it('starts after the head read before the server subscription when subscribing from END', async () => {
    const t = setUp({ after: END, head: pos(7) });
    const first = t.next();
    await new Promise((resolve) => setImmediate(resolve));
    t.server.event(7); // already there when the subscription started
    t.server.event(8);
    t.server.emit('caughtUp', {});
    expect(describeMessage(await first)).toBe('event 8');
    expect(t.opened).toEqual([END]);
    expect(describeMessage(await t.next())).toBe(`caughtUp ${pos(8)}`);
    await t.subscription.close();
  });

  it('does not miss a signal raised while it reads (the stream may transform the next message inside read())', async () => {
    const t = setUp({ head: pos(1) });
    t.server.event(1);
    expect(describeMessage(await t.next())).toBe('event 1');
    // The next read() finds the buffer empty, and the server's caughtUp arrives during that very call.
    const read = t.server.read.bind(t.server);
    t.server.read = (size?: number): unknown => {
      t.server.read = read;
      const chunk: unknown = read(size);
      t.server.emit('caughtUp', { position: at(1) });
      return chunk;
    };
    const next = await Promise.race([
      t.next(),
      new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 1_000)),
    ]);
    expect(next === 'stuck' ? next : describeMessage(next)).toBe(`caughtUp ${pos(1)}`);
    await t.subscription.close();
  });

  it('pulls: events stay in the stream buffer until asked for', async () => {
    const t = setUp();
    for (let n = 1; n <= 10; n++) t.server.event(n);
    expect(describeMessage(await t.next())).toBe('event 1');
    expect(t.server.readableLength).toBe(9);
    await t.subscription.close();
  });

  it('surfaces a stream error as the port error', async () => {
    const t = setUp();
    const pending = t.next();
    await new Promise((resolve) => setImmediate(resolve));
    t.server.emit('error', new UnavailableError(undefined, 'connection lost'));
    await expect(pending).rejects.toBeInstanceOf(StoreUnavailableError);
    await t.subscription.close();
  });

  it('close() ends a waiting consumer, unsubscribes and is idempotent', async () => {
    const t = setUp();
    const pending = t.next();
    await new Promise((resolve) => setImmediate(resolve));
    await t.subscription.close();
    await t.subscription.close();
    expect(await pending).toBe('done');
    expect(t.server.unsubscribed).toBe(true);
    expect(t.closedCount()).toBe(1);
    expect(await t.next()).toBe('done');
  });
});
