import {
  BACKWARDS,
  END as KURRENT_END,
  FORWARDS,
  KurrentDBClient,
  START as KURRENT_START,
  StreamNotFoundError,
  type AllStreamSubscription,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { InvalidArgumentError, StoreClosedError, StoreUnavailableError, WrongExpectedVersionError } from '../errors';
import type { CheckpointStore, EventStore, LeaseStore, StoreTransaction } from '../event-store.port';
import { comparePositions, END, START } from '../position';
import { PostgresExecutor } from '../sql/postgres.executor';
import { SqlEventStore } from '../sql/sql-event-store';
import type {
  AppendOptions,
  AppendResult,
  EventPlace,
  ExpectedState,
  HealthReport,
  LogFilter,
  LogPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreCapabilities,
  StreamAppend,
  StreamName,
  StreamState,
  SubscribeOptions,
  Subscription,
} from '../types';
import {
  DEFAULT_LIMITS,
  assertCount,
  assertExpectedState,
  assertEventPlaces,
  assertFilter,
  assertStreamAppends,
  assertStreamName,
  prepareEvents,
  type AppendLimits,
  type PreparedEvent,
} from '../validation';
import {
  checkpointCadence,
  decodeKurrentPosition,
  encodeKurrentPosition,
  fromKurrentEvent,
  mapKurrentError,
  mapMultiAppendError,
  revisionFromKurrent,
  revisionsOfMultiAppend,
  toKurrentEvent,
  toKurrentMultiAppendEvent,
  toKurrentReadPosition,
  toKurrentStreamState,
  toServerFilter,
  type ServerFilter,
} from './kurrentdb-mapping';
import { AppendInTransactionUnsupportedError } from './kurrentdb-errors';
import { KurrentSubscription } from './kurrentdb-subscription';

/**
 * KurrentDB's default maximum append size is 1 MiB (`MaxAppendSize`): the port's limits follow it, so an append the
 * server would refuse is refused up front with the port's typed error and nothing is sent.
 */
export const KURRENTDB_DEFAULT_LIMITS: AppendLimits = {
  ...DEFAULT_LIMITS,
  maxEventBytes: 1024 * 1024,
  maxAppendBytes: 1024 * 1024,
};

export interface KurrentDbEventStoreOptions {
  /** KurrentDB connection string (`kurrentdb://…`). */
  connectionString: string;
  /**
   * PostgreSQL of the read models: checkpoints, leases and `withTransaction` live there (KurrentDB has no
   * transactions to share with a projection's writes).
   */
  readModelDatabaseUrl: string;
  poolSize?: number;
  /** Must not exceed the server's `MaxAppendSize`; defaults to its default. */
  limits?: Partial<AppendLimits>;
}

interface StreamHead {
  state: StreamState;
  position: LogPosition;
}

/**
 * The event store on KurrentDB (`@kurrent/kurrentdb-client`). Events, streams, `$all` reads and subscriptions are
 * KurrentDB's; checkpoints, leases and transactions are the read-model PostgreSQL database's, through the SQL
 * store's own implementations (its event tables there stay empty).
 */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;
  readonly checkpoints: CheckpointStore;
  readonly leases: LeaseStore;
  private readonly limits: AppendLimits;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly subscriptions = new Set<KurrentSubscription>();

  constructor(
    readonly client: KurrentDBClient,
    /** The read-model database: checkpoints, leases and transactions. */
    readonly readModel: SqlEventStore,
    limits?: Partial<AppendLimits>,
  ) {
    this.limits = { ...KURRENTDB_DEFAULT_LIMITS, ...limits };
    this.checkpoints = readModel.checkpoints;
    this.leases = readModel.leases;
  }

  capabilities(): StoreCapabilities {
    return {
      // Through KurrentDB 25.1's multi-stream append (an older server refuses it with a typed error).
      multiStreamAppend: true,
      serverSideFilter: true,
      // Appends cannot join a transaction: withTransaction covers the read-model database only.
      transactions: false,
      concurrentConnections: true,
    };
  }

  assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  // ---------------------------------------------------------------- lifecycle

  async init(): Promise<void> {
    this.assertOpen();
    await this.readModel.init();
    try {
      await this.lastEvent(undefined);
    } catch (error) {
      const mapped = mapKurrentError(error);
      if (mapped instanceof StoreUnavailableError) throw mapped;
      throw new StoreUnavailableError(`KurrentDB cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }

  async health(): Promise<HealthReport> {
    if (this.closed) return { kind: this.kind, reachable: false, schemaVersion: null, error: 'store closed' };
    const readModel = await this.readModel.health();
    try {
      await this.lastEvent(undefined);
    } catch (error) {
      return {
        kind: this.kind,
        reachable: false,
        schemaVersion: readModel.schemaVersion,
        error: (error as Error).message,
      };
    }
    return { ...readModel, kind: this.kind };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await Promise.all([...this.subscriptions].map((s) => s.close()));
      await this.client.dispose().catch(() => undefined);
      await this.readModel.close();
    })();
    return this.closing;
  }

  // ---------------------------------------------------------------- appends

  async appendToStream(stream: StreamName, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    assertStreamName(stream);
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('INVALID_EXPECTED_REVISION', 'options.expected is required', 'expected');
    }
    assertExpectedState(options.expected);
    options.signal?.throwIfAborted();
    const expected = options.expected;
    const prepared = prepareEvents(events, this.limits);
    // An empty append only checks the expectation; KurrentDB is not asked to write nothing.
    if (prepared.length === 0) return this.checkExpectation(stream, expected);
    let nextExpectedRevision: number;
    try {
      const result = await this.client.appendToStream(
        stream,
        prepared.map((p, i) => toKurrentEvent(p, events[i]!)),
        { streamState: toKurrentStreamState(expected), requiresLeader: true },
      );
      nextExpectedRevision = revisionFromKurrent(result.nextExpectedRevision);
    } catch (error) {
      const mapped = mapKurrentError(error, { stream, expected });
      if (mapped instanceof WrongExpectedVersionError) {
        // A retry the server did not recognise as one (its idempotency check is per stream and, for `any`, only
        // over recent writes): the same ids already in place are the first result, anything else a conflict.
        const retried = await this.findRetried(stream, prepared, expected);
        if (retried) return retried;
      }
      throw mapped;
    }
    // The append's answer has a position of the write, not documented as the last event's: read the last event
    // back, so the result agrees with readStream and readAll (and holds for an idempotent retry, which carries none).
    const [last] = await this.collectStream(stream, { from: nextExpectedRevision, direction: 'forwards', maxCount: 1 });
    if (last?.id === prepared[prepared.length - 1]!.id) return { nextExpectedRevision, position: last.position };
    // A retry the server accepted as idempotent but answered with another revision: where the events really are.
    const retried = await this.findRetried(stream, prepared, expected);
    if (retried) return retried;
    throw new StoreUnavailableError(
      `KurrentDB acknowledged an append to "${stream}" at revision ${nextExpectedRevision}, where it cannot be read back`,
    );
  }

  /**
   * One multi-stream append: all streams or none. Entries without events only check their expectation, before
   * the write (on KurrentDB that check is not atomic with it). Unlike `appendToStream`, a retry of the same event
   * ids is not recognised as one: the server answers with a conflict.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    assertStreamAppends(appends);
    const prepared = appends.map((entry) => prepareEvents(entry.events, this.limits));
    const results: (AppendResult | undefined)[] = [];
    for (const [index, entry] of appends.entries()) {
      results.push(
        prepared[index]!.length === 0 ? await this.checkExpectation(entry.stream, entry.expected) : undefined,
      );
    }
    const writing = appends.flatMap((entry, index) => (prepared[index]!.length > 0 ? [index] : []));
    if (writing.length === 0) return results as AppendResult[];
    let revisions: number[];
    try {
      const answer = await this.client.multiStreamAppend(
        writing.map((index) => ({
          streamName: appends[index]!.stream,
          events: prepared[index]!.map((event, i) => toKurrentMultiAppendEvent(event, appends[index]!.events[i]!)),
          expectedState: toKurrentStreamState(appends[index]!.expected),
        })),
      );
      revisions = revisionsOfMultiAppend(
        writing.map((index) => appends[index]!.stream),
        answer,
      );
    } catch (error) {
      throw mapMultiAppendError(error);
    }
    // Each stream's last event read back, as appendToStream does: the result agrees with readStream and readAll.
    for (const [k, index] of writing.entries()) {
      const stream = appends[index]!.stream;
      const [last] = await this.collectStream(stream, { from: revisions[k]!, direction: 'forwards', maxCount: 1 });
      if (last?.id !== prepared[index]!.at(-1)!.id) {
        throw new StoreUnavailableError(
          `KurrentDB acknowledged an append to "${stream}" at revision ${revisions[k]}, where it cannot be read back`,
        );
      }
      results[index] = { nextExpectedRevision: revisions[k]!, position: last.position };
    }
    return results as AppendResult[];
  }

  private async checkExpectation(stream: string, expected: ExpectedState): Promise<AppendResult> {
    const head = await this.streamHead(stream);
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && head.state === 'no_stream') ||
      (expected === 'stream_exists' && head.state !== 'no_stream') ||
      expected === head.state;
    if (!ok) throw new WrongExpectedVersionError(stream, expected, head.state);
    return { nextExpectedRevision: head.state === 'no_stream' ? -1 : head.state, position: head.position };
  }

  private async findRetried(
    stream: string,
    prepared: PreparedEvent[],
    expected: ExpectedState,
  ): Promise<AppendResult | undefined> {
    const from = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : undefined;
    if (from === undefined) return undefined;
    const stored = await this.collectStream(stream, { from, direction: 'forwards', maxCount: prepared.length });
    if (stored.length !== prepared.length) return undefined;
    if (!stored.every((e, i) => e.id === prepared[i]!.id && e.type === prepared[i]!.type)) return undefined;
    const last = stored[stored.length - 1]!;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  // ---------------------------------------------------------------- streams

  async getStreamState(stream: StreamName): Promise<StreamState> {
    this.assertOpen();
    assertStreamName(stream);
    return (await this.streamHead(stream)).state;
  }

  private async streamHead(stream: string): Promise<StreamHead> {
    const [last] = await this.collectStream(stream, { from: 'end', direction: 'backwards', maxCount: 1 });
    return last ? { state: last.revision, position: last.position } : { state: 'no_stream', position: START };
  }

  private async collectStream(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const event of this.streamEvents(stream, options)) events.push(event);
    return events;
  }

  /**
   * Stream by stream (KurrentDB reads no set of places at once): each stream read once over the span of revisions
   * asked of it, a few streams at a time.
   */
  async readEvents(places: readonly EventPlace[]): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertEventPlaces(places);
    const spans = new Map<string, { from: number; to: number }>();
    for (const { stream, revision } of places) {
      const span = spans.get(stream);
      if (!span) spans.set(stream, { from: revision, to: revision });
      else spans.set(stream, { from: Math.min(span.from, revision), to: Math.max(span.to, revision) });
    }
    const found = new Map<string, RecordedEvent>();
    const streams = [...spans.keys()];
    const read = async (): Promise<void> => {
      for (let stream = streams.pop(); stream !== undefined; stream = streams.pop()) {
        const { from, to } = spans.get(stream)!;
        for (const event of await this.collectStream(stream, {
          from,
          direction: 'forwards',
          maxCount: to - from + 1,
        })) {
          found.set(`${event.revision}:${stream}`, event);
        }
      }
    };
    await Promise.all(Array.from({ length: READ_EVENTS_CONCURRENCY }, read));
    return places.flatMap(({ stream, revision }) => {
      const event = found.get(`${revision}:${stream}`);
      return event ? [event] : [];
    });
  }

  readStream(stream: StreamName, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    assertStreamName(stream);
    const direction = options.direction ?? 'forwards';
    if (direction !== 'forwards' && direction !== 'backwards') {
      throw new InvalidArgumentError('INVALID_ARGUMENT', 'direction must be "forwards" or "backwards"', 'direction');
    }
    const from = options.from ?? (direction === 'forwards' ? 'start' : 'end');
    if (from !== 'start' && from !== 'end') assertCount(from, 'from');
    if (options.maxCount !== undefined) assertCount(options.maxCount, 'maxCount');
    return this.streamEvents(stream, { ...options, direction, from });
  }

  private async *streamEvents(stream: string, options: ReadStreamOptions): AsyncGenerator<RecordedEvent> {
    const forwards = options.direction !== 'backwards';
    const from = options.from ?? 'start';
    if (forwards && from === 'end') return;
    if (options.maxCount === 0) return;
    const reader = this.client.readStream(stream, {
      direction: forwards ? FORWARDS : BACKWARDS,
      fromRevision: from === 'start' ? KURRENT_START : from === 'end' ? KURRENT_END : BigInt(from),
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      requiresLeader: true,
    });
    try {
      for await (const resolved of reader as AsyncIterable<ResolvedEvent>) {
        this.assertOpen();
        options.signal?.throwIfAborted();
        const event = resolved.event ? fromKurrentEvent(resolved.event) : undefined;
        if (event) yield event;
      }
    } catch (error) {
      // A missing stream reads as empty (the port's rule); KurrentDB reports it as an error.
      if (error instanceof StreamNotFoundError) return;
      throw mapKurrentError(error, { stream });
    }
  }

  // ---------------------------------------------------------------- $all

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const after = options.after ?? START;
    if (after === END)
      throw new InvalidArgumentError('INVALID_POSITION', 'readAll reads after a position, not after END', 'after');
    decodeKurrentPosition(after);
    if (options.maxCount !== undefined) assertCount(options.maxCount, 'maxCount');
    assertFilter(options.filter);
    return this.allEvents(after, options.maxCount ?? Number.POSITIVE_INFINITY, options.filter, options.signal);
  }

  private async *allEvents(
    after: LogPosition,
    maxCount: number,
    filter: LogFilter | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<RecordedEvent> {
    if (maxCount <= 0) return;
    const server = toServerFilter(filter, checkpointCadence(500));
    const reader = this.client.readAll({
      fromPosition: toKurrentReadPosition(after),
      direction: FORWARDS,
      filter: server.filter,
      requiresLeader: true,
    });
    let remaining = maxCount;
    try {
      for await (const resolved of reader) {
        this.assertOpen();
        signal?.throwIfAborted();
        const event = resolved.event ? fromKurrentEvent(resolved.event) : undefined;
        if (!event || !server.accepts(event)) continue;
        // Reading $all from a position includes the event at it; the port's `after` is exclusive.
        if (comparePositions(event.position, after) <= 0) continue;
        yield event;
        if (--remaining <= 0) return;
      }
    } catch (error) {
      throw mapKurrentError(error);
    }
  }

  async headPosition(): Promise<LogPosition> {
    this.assertOpen();
    return (await this.lastEvent(undefined))?.position ?? START;
  }

  /** Events are stored as given (no personal-data codec on this adapter), so the raw view is the store. */
  raw(): EventStore {
    return this;
  }

  /** Read, not counted: KurrentDB keeps no count of $all after a position. */
  async countAfter(after: LogPosition, limit: number): Promise<number> {
    this.assertOpen();
    if (after === END) return 0;
    decodeKurrentPosition(after);
    assertCount(limit, 'limit');
    let count = 0;
    for await (const _event of this.allEvents(after, limit, undefined, undefined)) count += 1;
    return count;
  }

  /** The same as `headPosition()`: KurrentDB reports only committed events, in commit order. */
  writtenHead(): Promise<LogPosition> {
    return this.headPosition();
  }

  /** The last event of the port's log, at or before `before` when given. */
  private async lastEvent(before: Position | undefined): Promise<RecordedEvent | undefined> {
    const server = toServerFilter(undefined, checkpointCadence(500));
    const reader = this.client.readAll({
      fromPosition: before ?? KURRENT_END,
      direction: BACKWARDS,
      filter: server.filter,
      // Two: reading backwards from a position may or may not include the event at it.
      maxCount: before ? 2 : 1,
      requiresLeader: true,
    });
    try {
      for await (const resolved of reader) {
        const event = resolved.event ? fromKurrentEvent(resolved.event) : undefined;
        if (!event) continue;
        if (before && comparePositions(event.position, encodeKurrentPosition(before)) > 0) continue;
        return event;
      }
    } catch (error) {
      throw mapKurrentError(error);
    }
    return undefined;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const after = options.after ?? START;
    if (after !== END) decodeKurrentPosition(after);
    assertFilter(options.filter);
    const checkpointEvery = options.checkpointEvery ?? 500;
    if (!Number.isSafeInteger(checkpointEvery) || checkpointEvery < 1) {
      throw new InvalidArgumentError(
        'INVALID_ARGUMENT',
        'checkpointEvery must be a whole number of at least 1',
        'checkpointEvery',
      );
    }
    const filter = toServerFilter(options.filter, checkpointCadence(checkpointEvery));
    const subscription = new KurrentSubscription(
      {
        assertOpen: () => this.assertOpen(),
        openServerSubscription: (from, server, onCheckpoint) => this.openServerSubscription(from, server, onCheckpoint),
        headPosition: () => this.headPosition(),
        lastPositionAtOrBefore: async (position) => (await this.lastEvent(position))?.position,
      },
      { after, filter },
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  private openServerSubscription(
    after: LogPosition,
    server: ServerFilter,
    onCheckpoint: (position: Position) => void,
  ): AllStreamSubscription {
    return this.client.subscribeToAll({
      fromPosition: toKurrentReadPosition(after),
      filter: { ...server.filter, checkpointReached: (_subscription, position) => onCheckpoint(position) },
    });
  }

  // ---------------------------------------------------------------- transactions

  /**
   * A transaction on the read-model database: a projection's writes and its checkpoint commit or roll back
   * together. Appends inside it are refused (`AppendInTransactionUnsupportedError`): KurrentDB cannot take part.
   */
  async withTransaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.readModel.withTransaction((inner) => {
      const tx: StoreTransaction & { readonly sql: unknown } = {
        // The SQL checkpoint store finds its transaction through this property.
        sql: (inner as unknown as { sql: unknown }).sql,
        query: (sql, params) => inner.query(sql, params),
        // From the server: KurrentDB's events are not in the read-model transaction (nor are appends).
        readStream: (stream) => {
          assertStreamName(stream);
          return this.collectStream(stream, {});
        },
        readEvents: (places) => this.readEvents(places),
        // Read-model rows: the read-model database's own COPY.
        copyRows: (table, columns, rows) => inner.copyRows(table, columns, rows),
        appendToStream: (stream) => Promise.reject(new AppendInTransactionUnsupportedError(stream)),
      };
      return work(tx);
    });
  }
}

/** Streams `readEvents` reads at once. */
const READ_EVENTS_CONCURRENCY = 8;

/** Opens a KurrentDB store (not yet initialised: call `init()`). */
export function createKurrentDbEventStore(options: KurrentDbEventStoreOptions): KurrentDbEventStore {
  let client: KurrentDBClient;
  try {
    client = KurrentDBClient.connectionString(options.connectionString);
  } catch {
    // The client's message (and so a cause) may quote the connection string, credentials included.
    throw new StoreUnavailableError('KURRENTDB_URL is not a valid KurrentDB connection string');
  }
  const readModel = new SqlEventStore(
    new PostgresExecutor({ connectionString: options.readModelDatabaseUrl, poolSize: options.poolSize }),
    {
      kind: 'postgres',
      pageSize: 1000,
      notifyOtherProcesses: false,
      concurrentConnections: true,
    },
  );
  return new KurrentDbEventStore(client, readModel, options.limits);
}
