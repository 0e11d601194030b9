import type { EventStore, StoreTransaction } from './event-store.port';
import type { DecodingTransaction, EventCodec } from './sql/event-codec';
import type { SqlQueryable } from './sql/sql-executor';
import type {
  AppendOptions,
  AppendResult,
  EventPlace,
  HealthReport,
  LogPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreCapabilities,
  StoreKind,
  StreamAppend,
  StreamName,
  StreamState,
  SubscribeOptions,
  Subscription,
  SubscriptionMessage,
} from './types';

/** Events decoded at once while reading: the codec loads the keys of a batch in one query. */
const DECODE_BATCH = 200;

/**
 * A store whose appends are encoded and whose reads are decoded by `codec` (personal-data encryption), for a store
 * that keeps its events outside the SQL database and so cannot run a codec inside its own statements (KurrentDB).
 * The codec's keys live in `keys` (the read-model database). The SQL stores run their codec themselves, inside
 * their transactions. `raw()` is the inner store's: the events as stored.
 *
 * Encoding creates a household's key before the append, in its own statement: an append that then fails leaves an
 * unused key behind, never an event without its key.
 */
export class CodecEventStore implements EventStore {
  constructor(
    readonly inner: EventStore,
    readonly codec: EventCodec,
    private readonly keys: SqlQueryable,
  ) {}

  get kind(): StoreKind {
    return this.inner.kind;
  }

  get checkpoints(): EventStore['checkpoints'] {
    return this.inner.checkpoints;
  }

  get leases(): EventStore['leases'] {
    return this.inner.leases;
  }

  capabilities(): StoreCapabilities {
    return this.inner.capabilities();
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  health(): Promise<HealthReport> {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async appendToStream(stream: StreamName, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    return this.inner.appendToStream(stream, (await this.encode(stream, events)) as NewEvent[], options);
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (!Array.isArray(appends)) return this.inner.appendToStreams(appends);
    const encoded: StreamAppend[] = [];
    for (const entry of appends as readonly Partial<StreamAppend>[]) {
      // Malformed entries go through untouched: the inner store's checks name what is wrong.
      if (typeof entry !== 'object' || entry === null) encoded.push(entry);
      else
        encoded.push({
          ...entry,
          events: (await this.encode(entry.stream, entry.events)) as NewEvent[],
        } as StreamAppend);
    }
    return this.inner.appendToStreams(encoded);
  }

  readStream(stream: StreamName, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return this.decoded(this.inner.readStream(stream, options));
  }

  getStreamState(stream: StreamName): Promise<StreamState> {
    return this.inner.getStreamState(stream);
  }

  async readEvents(places: readonly EventPlace[]): Promise<RecordedEvent[]> {
    return this.decode(await this.inner.readEvents(places));
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.decoded(this.inner.readAll(options));
  }

  headPosition(): Promise<LogPosition> {
    return this.inner.headPosition();
  }

  writtenHead(): Promise<LogPosition> {
    return this.inner.writtenHead();
  }

  countAfter(after: LogPosition, limit: number): Promise<number> {
    return this.inner.countAfter(after, limit);
  }

  raw(): EventStore {
    return this.inner.raw();
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    const inner = this.inner.subscribeToAll(options);
    const decode = (events: RecordedEvent[]) => this.decode(events);
    return {
      close: () => inner.close(),
      async *[Symbol.asyncIterator](): AsyncGenerator<SubscriptionMessage> {
        // One event at a time: a live subscription must not hold an event back to fill a batch.
        for await (const message of inner) {
          if (message.kind !== 'event') yield message;
          else yield { kind: 'event', event: (await decode([message.event]))[0]! };
        }
      },
    };
  }

  withTransaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.inner.withTransaction((tx) => {
      // On the transaction's own connection where it has one (an embedded database has only that one); the inner
      // store has no codec, so its transaction reads events as stored.
      const q = (tx as { sql?: SqlQueryable }).sql ?? this.keys;
      const decoding: StoreTransaction & DecodingTransaction = {
        // Own properties kept: the SQL checkpoint store finds its transaction through one of them.
        ...tx,
        readStream: async (stream) => this.decode(await tx.readStream(stream), q),
        readEvents: async (places) => this.decode(await tx.readEvents(places), q),
        appendToStream: async (stream, events, options) =>
          tx.appendToStream(
            stream,
            (await this.encode(stream, events, q, () => tx.readStream(stream))) as NewEvent[],
            options,
          ),
        appendToNewStreams: undefined,
        decodeEvents: (events) => this.decode(events, q),
      };
      return work(decoding);
    });
  }

  private async encode(
    stream: unknown,
    events: unknown,
    q: SqlQueryable = this.keys,
    stored?: () => Promise<RecordedEvent[]>,
  ): Promise<unknown> {
    // Malformed input is left to the inner store's validation, which names what is wrong.
    if (typeof stream !== 'string' || !Array.isArray(events)) return events;
    if (!events.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))) return events;
    const storedSoFar = stored ?? (() => collect(this.inner.raw().readStream(stream)));
    return this.codec.encode(q, stream, events as NewEvent[], storedSoFar);
  }

  private async decode(events: RecordedEvent[], q: SqlQueryable = this.keys): Promise<RecordedEvent[]> {
    return events.length > 0 ? this.codec.decode(q, events) : events;
  }

  private async *decoded(source: AsyncIterable<RecordedEvent>): AsyncGenerator<RecordedEvent> {
    let batch: RecordedEvent[] = [];
    for await (const event of source) {
      batch.push(event);
      if (batch.length >= DECODE_BATCH) {
        yield* await this.decode(batch);
        batch = [];
      }
    }
    if (batch.length > 0) yield* await this.decode(batch);
  }
}

async function collect(source: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of source) events.push(event);
  return events;
}
