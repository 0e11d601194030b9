import type {
  AppendOptions,
  AppendResult,
  CategoryByStreamOptions,
  CategoryByStreamPage,
  EventPlace,
  HealthReport,
  LogPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreCapabilities,
  StoreKind,
  StreamName,
  StreamAppend,
  StreamState,
  SubscribeOptions,
  Subscription,
} from './types';

/** Nest injection token for the configured `EventStore`. */
export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * A unit of work on a SQL-backed store: a projection's own writes, appends and checkpoint saves commit or roll back
 * together. Only stores with `capabilities().transactions` offer it.
 */
export interface StoreTransaction {
  /** Runs SQL inside the transaction (read models live in the same database). */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  appendToStream(stream: StreamName, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /**
   * Every event of one stream in revision order (empty when there is none), decoded like `readStream`. A reactor or
   * handler inside a transaction reads through this, never through the store: on PGlite (one connection) a read
   * through the store would wait for this very transaction. SQL stores read on the transaction's connection (its
   * own appends included); KurrentDB, whose events are not in the transaction's database, reads from the server.
   */
  readStream(stream: StreamName): Promise<RecordedEvent[]>;
  /** `EventStore.readEvents` as this transaction sees them (see `readStream` above for why and where). */
  readEvents(places: readonly EventPlace[]): Promise<RecordedEvent[]>;
  /**
   * Bulk insert into a read-model table (rebuilds) with COPY: each row gives the `columns` in order, as the text
   * the column's type reads (`null` is NULL). The server takes it at a fraction of the cost of INSERT over a JSON
   * parameter, but without ON CONFLICT: only for rows that cannot be there yet (a duplicate key fails the call and
   * the transaction). Table and column names are plain lower-case SQL names.
   */
  copyRows(table: string, columns: readonly string[], rows: Iterable<readonly (string | null)[]>): Promise<void>;
  /**
   * Bulk creation (baseline imports): many streams that do not exist yet, each with its events, in one statement.
   * All or nothing: should any of the streams exist (or any event id be taken), it throws TransactionConflictError
   * and the caller's transaction must be rolled back. Optional: adapters without it are driven stream by stream.
   */
  appendToNewStreams?(entries: readonly { stream: StreamName; events: NewEvent[] }[]): Promise<AppendResult[]>;
}

export type CheckpointSaveResult = 'saved' | 'unchanged';

/** Where each subscriber has got to in the global log. */
export interface CheckpointStore {
  load(subscriberId: string, tx?: StoreTransaction): Promise<LogPosition | undefined>;
  /**
   * Compare-and-set. With `expectedPrevious` (`null` = no checkpoint yet) the save fails with
   * `CheckpointConflictError` unless the stored position is that one, even when another instance already stored
   * the very position being saved (its work would be a duplicate). Without an expectation, saving the stored
   * position again is a no-op (`unchanged`). A position never moves backwards: that is a conflict too.
   */
  save(
    subscriberId: string,
    position: LogPosition,
    options?: { expectedPrevious?: LogPosition | null; tx?: StoreTransaction },
  ): Promise<CheckpointSaveResult>;
}

/** One active consumer per subscriber across processes: the holder renews before `ttlMs` runs out. */
export interface LeaseStore {
  tryAcquire(subscriberId: string, instanceId: string, ttlMs: number): Promise<boolean>;
  /** False when the lease expired or another instance holds it now: the caller must stop consuming. */
  renew(subscriberId: string, instanceId: string, ttlMs: number): Promise<boolean>;
  release(subscriberId: string, instanceId: string): Promise<void>;
  holder(subscriberId: string): Promise<{ instanceId: string; expiresAt: Date } | undefined>;
}

/**
 * The event store port. Every adapter passes the same conformance suite
 * (`describeEventStoreConformance`). Positions are adapter-local.
 */
export interface EventStore {
  readonly kind: StoreKind;
  capabilities(): StoreCapabilities;

  /** Idempotent: creates or upgrades the schema under a lock, safe to call from several processes at once. */
  init(): Promise<void>;
  /** Never throws: a closed or unreachable store reports `reachable: false`. */
  health(): Promise<HealthReport>;
  /** Idempotent. Later calls to anything but `health()` reject with `StoreClosedError`. */
  close(): Promise<void>;

  /**
   * Appends atomically. Throws `WrongExpectedVersionError` when `expected` does not hold. Re-sending the same event
   * ids with the same expectation returns the first result and writes nothing. An empty `events` only checks the
   * expectation.
   */
  appendToStream(stream: StreamName, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /**
   * Appends to several streams at once, all or nothing: every expectation holds and every event is written, or
   * nothing is (`WrongExpectedVersionError` names a stream whose expectation failed). One result per entry, in
   * order; a stream at most once. For a command decided over several streams (a meeting's agenda item and the
   * proposal's tabling). SQL stores write in one transaction; KurrentDB in one multi-stream append (server 25.1
   * or later, `MultiStreamAppendUnsupportedError` before).
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  readStream(stream: StreamName, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  getStreamState(stream: StreamName): Promise<StreamState>;
  /**
   * The events at the given places, decoded as `readStream` reads them, in the order asked; a place that holds no
   * event is left out. For a query that knows from a read model which events it needs (the registry of a village
   * as of a date): SQL stores read them in one statement, KurrentDB stream by stream.
   */
  readEvents(places: readonly EventPlace[]): Promise<RecordedEvent[]>;

  /**
   * The global log in one total order, after `options.after` (exclusive): only events whose transactions have
   * settled, so an event that commits late is never skipped, and each stream's events in revision order.
   */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /** The position after which `subscribe({ after: END })` would start: the last settled event's position. */
  headPosition(): Promise<LogPosition>;
  /**
   * The position of the last event written, settled or not: what a catch-up that must see everything written so
   * far waits for (`headPosition()` can lag it on SQL stores while a transaction is open anywhere on the server;
   * on KurrentDB the two are the same).
   */
  writtenHead(): Promise<LogPosition>;
  /**
   * How many events `readAll` would give after `after`, counting at most `limit`: a subscriber's lag, for
   * monitoring. SQL stores count in the log-order index; KurrentDB has no count and reads the events, so callers
   * keep `limit` modest there.
   */
  countAfter(after: LogPosition, limit: number): Promise<number>;
  /**
   * Optional: the events of one category up to a settled position, whole streams in stream-name order, for a
   * projection's rebuild that folds each stream at once (every row written once, nothing kept across streams). SQL
   * stores read it in their stream index; KurrentDB has no such order, and a rebuild there reads the log.
   */
  readCategoryByStream?(options: CategoryByStreamOptions): Promise<CategoryByStreamPage>;
  /**
   * The same store, reading events exactly as stored: on SQL stores with the personal-data codec, still encrypted
   * (the audit log digests and exports the stored form). A store that stores events as given is its own raw view.
   */
  raw(): EventStore;
  subscribeToAll(options?: SubscribeOptions): Subscription;

  readonly checkpoints: CheckpointStore;
  readonly leases: LeaseStore;

  /** Runs `work` in one transaction (stores with the `transactions` capability). */
  withTransaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
}
