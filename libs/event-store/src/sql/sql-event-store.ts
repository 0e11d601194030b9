import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppendContentionError,
  CheckpointConflictError,
  DuplicateEventIdError,
  InvalidArgumentError,
  StoreClosedError,
  StoreUnavailableError,
  TransactionConflictError,
  WrongExpectedVersionError,
} from '../errors';
import type {
  CheckpointSaveResult,
  CheckpointStore,
  EventStore,
  LeaseStore,
  StoreTransaction,
} from '../event-store.port';
import { END, START, decodeSqlPosition, encodeSqlPosition } from '../position';
import type {
  AppendOptions,
  AppendResult,
  CategoryByStreamOptions,
  CategoryByStreamPage,
  EventPlace,
  ExpectedState,
  HealthReport,
  JsonObject,
  LogFilter,
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
} from '../types';
import {
  DEFAULT_LIMITS,
  assertCount,
  assertExpectedState,
  assertFilter,
  assertEventPlaces,
  assertStreamAppends,
  assertStreamName,
  batchJson,
  prepareEvents,
  type AppendLimits,
  type PreparedEvent,
} from '../validation';
import {
  APPEND_AFTER_REVISION_SQL,
  APPEND_NEW_STREAM_SQL,
  APPEND_NEW_STREAMS_SQL,
  APPEND_ONE_SQL,
  APPEND_SQL,
  FIND_EVENT_IDS_SQL,
  COUNT_AFTER_SQL,
  HEAD_POSITION_SQL,
  WRITTEN_HEAD_SQL,
  MIGRATIONS,
  MIGRATIONS_TABLE,
  MIGRATION_LOCK_KEY,
  READ_ALL_SQL,
  READ_ALL_UNFILTERED_SQL,
  READ_CATEGORY_BY_STREAM_SQL,
  READ_STREAM_UP_TO_SQL,
  READ_STREAM_BACKWARDS_SQL,
  READ_EVENTS_AT_SQL,
  READ_STREAM_FORWARDS_SQL,
  STREAM_HEAD_READONLY_SQL,
  STREAM_HEAD_SQL,
  XID_GUARD_SQL,
} from './schema';
import {
  SERIALIZATION_FAILURE,
  UNIQUE_VIOLATION,
  isDatabaseError,
  type SqlExecutor,
  type SqlQueryable,
} from './sql-executor';
import { SqlSubscription } from './sql-subscription';
import { copyChunks, copyStatement } from './copy-text';
import type { DecodingTransaction, EventCodec } from './event-codec';

export const APPENDED_CHANNEL = 'es_appended';
/** Longest delay before other processes hear of an append (they poll every `pollIntervalMs` regardless). */
const NOTIFY_INTERVAL_MS = 20;

export interface SqlEventStoreOptions {
  kind: StoreKind;
  /** Rows per query when reading the log; PGlite keeps it small so reads never stall appends for long. */
  pageSize: number;
  limits?: Partial<AppendLimits>;
  /** Runs after every commit that wrote, before the caller is answered (PGlite's WAL flush). */
  afterCommit?: () => Promise<void>;
  /** Tell other processes about appends with NOTIFY (PostgreSQL; PGlite has no other processes). */
  notifyOtherProcesses: boolean;
  concurrentConnections: boolean;
  /** How long an idle subscription waits for a wake-up before it looks again anyway. */
  pollIntervalMs?: number;
  /** Runs at close, after the executor is closed. */
  onClosed?: () => Promise<void>;
}

interface AppendRow {
  out_revision: string | number;
  out_tx: string;
  out_position: string | number;
}
interface HeadRow {
  revision: string;
  position: string;
  newer_tx?: boolean;
}
interface ExistingRow {
  id: string;
  stream_id: string;
  revision: string;
  event_type: string;
  position: string;
}
export interface EventRow {
  stream_id: string | null;
  revision: string;
  tx: string;
  gp: string | number;
  id: string;
  event_type: string;
  data: JsonObject | null;
  metadata: JsonObject | null;
  schema_version: number;
  recorded_ms: number;
  matched: boolean;
}
export interface LogPage {
  /** Events that passed the filter, in log order. */
  events: { position: LogPosition; event?: RecordedEvent }[];
  /** Rows scanned, matching or not; fewer than asked means the page reached the settled end of the log. */
  scanned: number;
}

const MAX_APPEND_ATTEMPTS = 50;
const EXPECTED_CODE = { any: -2, stream_exists: -3, no_stream: -1 } as const;

function expectedCode(expected: ExpectedState): number {
  return typeof expected === 'number' ? expected : EXPECTED_CODE[expected];
}

function satisfies(expected: ExpectedState, actual: StreamState): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 'no_stream';
  if (expected === 'stream_exists') return actual !== 'no_stream';
  return actual === expected;
}

export function rowToEvent(row: EventRow, position = encodeSqlPosition(row.tx, row.gp)): RecordedEvent {
  return {
    streamName: row.stream_id!,
    revision: Number(row.revision),
    position,
    id: row.id,
    type: row.event_type,
    data: row.data ?? {},
    metadata: row.metadata ?? {},
    schemaVersion: row.schema_version,
    recordedAt: new Date(row.recorded_ms),
  };
}

/** The event store over PostgreSQL or PGlite: one SQL dialect, two drivers. */
export class SqlEventStore implements EventStore {
  readonly kind: StoreKind;
  readonly checkpoints: CheckpointStore;
  readonly leases: LeaseStore;
  private readonly limits: AppendLimits;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly subscriptions = new Set<SqlSubscription>();
  private notifyTimer: NodeJS.Timeout | null = null;
  private lastNotifyAt = 0;
  private notifyDone: Promise<void> = Promise.resolve();
  private unlisten: (() => Promise<void>) | null = null;
  private listening: Promise<void> | null = null;
  private codec: EventCodec | undefined;
  private rawView: EventStore | undefined;

  constructor(
    readonly executor: SqlExecutor,
    private readonly options: SqlEventStoreOptions,
  ) {
    this.kind = options.kind;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.checkpoints = new SqlCheckpointStore(this);
    this.leases = new SqlLeaseStore(this);
  }

  /**
   * Installs the codec applied to every append and read from now on (personal data encryption). Installed once,
   * right after `init()`, before anything appends or reads.
   */
  useCodec(codec: EventCodec): void {
    if (this.codec) throw new Error('this event store already has a codec');
    this.codec = codec;
  }

  /** The codec installed with `useCodec`, if any. */
  get codecInstalled(): EventCodec | undefined {
    return this.codec;
  }

  /**
   * The same store, reading events exactly as stored (no decoding): for the audit log, whose leaves digest the
   * stored bytes so they stay valid after a key is deleted. Appends through it are still encoded.
   */
  raw(): EventStore {
    this.rawView ??= new RawSqlEventStoreView(this);
    return this.rawView;
  }

  /** Decodes events read with raw SQL (outside a transaction). */
  async decodeEvents(events: RecordedEvent[], q: SqlQueryable = this.executor): Promise<RecordedEvent[]> {
    return this.codec && events.length > 0 ? this.codec.decode(q, events) : events;
  }

  private async encode(q: SqlQueryable, stream: unknown, events: unknown): Promise<unknown> {
    // Malformed input is left to the validation that follows, which names what is wrong.
    if (!this.codec || typeof stream !== 'string' || !Array.isArray(events)) return events;
    if (!events.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))) return events;
    return this.codec.encode(q, stream, events as NewEvent[], () => this.readWholeStream(q, stream, true));
  }

  get pageSize(): number {
    return this.options.pageSize;
  }
  get pollIntervalMs(): number {
    return this.options.pollIntervalMs ?? 500;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  capabilities(): StoreCapabilities {
    return {
      multiStreamAppend: true,
      serverSideFilter: true,
      transactions: true,
      concurrentConnections: this.options.concurrentConnections,
    };
  }

  assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  // ---------------------------------------------------------------- lifecycle

  async init(): Promise<void> {
    this.assertOpen();
    try {
      await this.executor.transaction(async (q) => {
        // Transaction-scoped lock: two processes starting together apply each migration once.
        await q.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
        await q.exec(MIGRATIONS_TABLE);
        const applied = new Set(
          (await q.query<{ version: number }>('SELECT version FROM es_schema_migrations')).map((r) => r.version),
        );
        for (const migration of MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          await q.exec(migration.sql);
          await q.query('INSERT INTO es_schema_migrations (version, description) VALUES ($1, $2)', [
            migration.version,
            migration.description,
          ]);
        }
      });
    } catch (error) {
      throw new StoreUnavailableError(`could not prepare the event store schema: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const [guard] = await this.executor.query<{ max_tx: string | null; next_tx: string }>(XID_GUARD_SQL);
    if (guard?.max_tx && BigInt(guard.max_tx) >= BigInt(guard.next_tx)) {
      throw new StoreUnavailableError(
        `stored transaction ids (up to ${guard.max_tx}) are ahead of this server's (${guard.next_tx}): the data was ` +
          'restored into another cluster. New events would sort before old ones, so the store refuses to start. ' +
          'Restore with pg_basebackup/physical backups, or migrate the events with a fresh append.',
      );
    }
  }

  async health(): Promise<HealthReport> {
    if (this.closed) return { kind: this.kind, reachable: false, schemaVersion: null, error: 'store closed' };
    try {
      const rows = await this.executor.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM es_schema_migrations',
      );
      return { kind: this.kind, reachable: true, schemaVersion: rows[0]?.version ?? null };
    } catch (error) {
      const message = (error as Error).message;
      if (/es_schema_migrations/.test(message)) return { kind: this.kind, reachable: true, schemaVersion: null };
      return { kind: this.kind, reachable: false, schemaVersion: null, error: message };
    }
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.wakeAll();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    await this.notifyDone;
    if (this.unlisten) await this.unlisten().catch(() => undefined);
    await this.executor.close();
    await this.options.onClosed?.();
  }

  // ---------------------------------------------------------------- appends

  async appendToStream(stream: StreamName, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const encoded = await this.encode(this.executor, stream, events);
    const { prepared, expected } = this.validateAppend(stream, encoded, options);
    const result = await this.append(this.executor, stream, prepared, expected, false);
    if (prepared.length > 0 && result.wrote) await this.committed();
    return result.result;
  }

  private validateAppend(
    stream: unknown,
    events: unknown,
    options: AppendOptions | undefined,
  ): { prepared: PreparedEvent[]; expected: ExpectedState } {
    assertStreamName(stream);
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('INVALID_EXPECTED_REVISION', 'options.expected is required', 'expected');
    }
    assertExpectedState(options.expected);
    options.signal?.throwIfAborted();
    return { prepared: prepareEvents(events, this.limits), expected: options.expected };
  }

  /** Called after a commit that wrote events: durability first, then wake-ups. */
  private async committed(): Promise<void> {
    if (this.options.afterCommit) await this.options.afterCommit();
    this.signalAppended();
  }

  private async append(
    q: SqlQueryable,
    stream: string,
    prepared: PreparedEvent[],
    expected: ExpectedState,
    inTransaction: boolean,
  ): Promise<{ result: AppendResult; wrote: boolean }> {
    if (prepared.length === 0) return { result: await this.checkExpectation(q, stream, expected), wrote: false };
    if (inTransaction) {
      // A unique violation would abort the caller's whole transaction, so look for a retried append first.
      const existing = await this.findExisting(q, stream, prepared, expected);
      if (existing) return { result: existing, wrote: false };
    }
    const code = expectedCode(expected);
    const single = prepared.length === 1 ? prepared[0] : undefined;
    const batch = single ? '' : batchJson(prepared);
    for (let attempt = 1; ; attempt++) {
      try {
        const written = single
          ? await this.appendOne(q, stream, code, single, inTransaction)
          : await this.appendBatch(q, stream, code, batch);
        if (written) return { result: written, wrote: true };
        // Nothing inserted: a retry of an append that already happened, a failed expectation, or the ordering guard.
        const existing = await this.findExisting(q, stream, prepared, expected);
        if (existing) return { result: existing, wrote: false };
        const head = await this.readHead(q, stream, inTransaction);
        if (!satisfies(expected, head.state)) throw new WrongExpectedVersionError(stream, expected, head.state);
        if (inTransaction) throw new TransactionConflictError(stream);
      } catch (error) {
        if (inTransaction || !isDatabaseError(error)) {
          if (inTransaction && isDatabaseError(error) && error.code === UNIQUE_VIOLATION) {
            throw new TransactionConflictError(stream);
          }
          throw error;
        }
        if (error.code !== UNIQUE_VIOLATION && error.code !== SERIALIZATION_FAILURE) throw error;
        // Another writer committed first: either the same events (a concurrent retry) or the same revision.
        const existing = await this.findExisting(q, stream, prepared, expected);
        if (existing) return { result: existing, wrote: false };
        if (typeof expected === 'number' || expected === 'no_stream') {
          const head = await this.readHead(q, stream, false);
          if (!satisfies(expected, head.state)) throw new WrongExpectedVersionError(stream, expected, head.state);
        }
      }
      if (attempt >= MAX_APPEND_ATTEMPTS) throw new AppendContentionError(stream, attempt);
      // Contention on one stream: back off a little, with jitter, so the racers spread out.
      await sleep(Math.random() * Math.min(2 * attempt, 20));
    }
  }

  private async appendOne(
    q: SqlQueryable,
    stream: string,
    code: number,
    event: PreparedEvent,
    inTransaction: boolean,
  ): Promise<AppendResult | undefined> {
    const fields = [stream, event.id, event.type, event.data, event.metadata, event.schemaVersion];
    if (!inTransaction && code >= -1) {
      const rows =
        code === -1
          ? await q.query<{ gp: string; tx: string }>(APPEND_NEW_STREAM_SQL, fields, 'es_append_new_stream')
          : await q.query<{ gp: string; tx: string }>(APPEND_AFTER_REVISION_SQL, [...fields, code], 'es_append_after');
      const row = rows[0];
      return row ? { nextExpectedRevision: code + 1, position: encodeSqlPosition(row.tx, row.gp) } : undefined;
    }
    const [row] = await q.query<{ result: string | null }>(
      APPEND_ONE_SQL,
      [stream, code, event.id, event.type, event.data, event.metadata, event.schemaVersion, inTransaction],
      'es_append_one',
    );
    if (!row?.result) return undefined;
    const [revision, tx, gp] = row.result.split(' ') as [string, string, string];
    return { nextExpectedRevision: Number(revision), position: encodeSqlPosition(tx, gp) };
  }

  private async appendBatch(
    q: SqlQueryable,
    stream: string,
    code: number,
    batch: string,
  ): Promise<AppendResult | undefined> {
    const [row] = await q.query<AppendRow>(APPEND_SQL, [stream, code, batch], 'es_append');
    if (!row) return undefined;
    return {
      nextExpectedRevision: Number(row.out_revision),
      position: encodeSqlPosition(row.out_tx, row.out_position),
    };
  }

  private async readHead(
    q: SqlQueryable,
    stream: string,
    inTransaction: boolean,
  ): Promise<{ state: StreamState; position: LogPosition }> {
    // Outside a transaction the read-only form avoids taking a transaction id for nothing.
    const [head] = inTransaction
      ? await q.query<HeadRow>(STREAM_HEAD_SQL, [stream])
      : await q.query<HeadRow>(STREAM_HEAD_READONLY_SQL, [stream], 'es_stream_head');
    return head ? { state: Number(head.revision), position: head.position } : { state: 'no_stream', position: START };
  }

  private async checkExpectation(q: SqlQueryable, stream: string, expected: ExpectedState): Promise<AppendResult> {
    const head = await this.readHead(q, stream, false);
    if (!satisfies(expected, head.state)) throw new WrongExpectedVersionError(stream, expected, head.state);
    return { nextExpectedRevision: head.state === 'no_stream' ? -1 : head.state, position: head.position };
  }

  /**
   * Idempotent retry: when the events' ids are already stored, exactly as this append would have stored them,
   * return the first result. Ids stored anywhere else are an error, never a silent success.
   */
  private async findExisting(
    q: SqlQueryable,
    stream: string,
    prepared: PreparedEvent[],
    expected: ExpectedState,
  ): Promise<AppendResult | undefined> {
    const rows = await q.query<ExistingRow>(FIND_EVENT_IDS_SQL, [prepared.map((e) => e.id)]);
    if (rows.length === 0) return undefined;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const first = byId.get(prepared[0]!.id);
    if (rows.length !== prepared.length || !first) {
      const id = rows[0]!.id;
      throw new DuplicateEventIdError(stream, id, 'only some of the events of this append are already stored');
    }
    const firstRevision = Number(first.revision);
    for (let i = 0; i < prepared.length; i++) {
      const event = prepared[i]!;
      const row = byId.get(event.id);
      if (!row || row.stream_id !== stream) {
        throw new DuplicateEventIdError(stream, event.id, `it is already stored in stream "${row?.stream_id ?? '?'}"`);
      }
      if (Number(row.revision) !== firstRevision + i || row.event_type !== event.type) {
        throw new DuplicateEventIdError(stream, event.id, 'it is already stored as a different event');
      }
    }
    const consistent =
      expected === 'any' ||
      expected === 'stream_exists' ||
      (expected === 'no_stream' && firstRevision === 0) ||
      (typeof expected === 'number' && firstRevision === expected + 1);
    if (!consistent) {
      throw new DuplicateEventIdError(
        stream,
        first.id,
        `it was appended with another expectation than ${String(expected)}`,
      );
    }
    const last = byId.get(prepared[prepared.length - 1]!.id)!;
    return { nextExpectedRevision: Number(last.revision), position: last.position };
  }

  /** In one transaction: each stream's append as `appendToStream` would make it, all committed or none. */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    assertStreamAppends(appends);
    if (appends.length === 0) return [];
    return this.withTransaction(async (tx) => {
      const results: AppendResult[] = [];
      for (const { stream, events, expected } of appends) {
        results.push(await tx.appendToStream(stream, events, { expected }));
      }
      return results;
    });
  }

  // ---------------------------------------------------------------- reads

  async getStreamState(stream: StreamName): Promise<StreamState> {
    this.assertOpen();
    assertStreamName(stream);
    return (await this.readHead(this.executor, stream, false)).state;
  }

  readEvents(places: readonly EventPlace[], raw = false): Promise<RecordedEvent[]> {
    return this.readEventsOn(this.executor, places, raw);
  }

  private async readEventsOn(q: SqlQueryable, places: readonly EventPlace[], raw: boolean): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertEventPlaces(places);
    if (places.length === 0) return [];
    const rows = await q.query<EventRow>(READ_EVENTS_AT_SQL, [
      places.map((place) => place.stream),
      places.map((place) => place.revision),
    ]);
    const events = rows.map((row) => rowToEvent(row));
    return raw ? events : this.decodeEvents(events, q);
  }

  readStream(stream: StreamName, options: ReadStreamOptions = {}, raw = false): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    assertStreamName(stream);
    const direction = options.direction ?? 'forwards';
    if (direction !== 'forwards' && direction !== 'backwards') {
      throw new InvalidArgumentError('INVALID_ARGUMENT', 'direction must be "forwards" or "backwards"', 'direction');
    }
    const from = options.from ?? (direction === 'forwards' ? 'start' : 'end');
    if (from !== 'start' && from !== 'end') assertCount(from, 'from');
    if (options.maxCount !== undefined) assertCount(options.maxCount, 'maxCount');
    return this.streamPages(stream, direction, from, options.maxCount ?? Number.POSITIVE_INFINITY, options.signal, raw);
  }

  private async *streamPages(
    stream: string,
    direction: 'forwards' | 'backwards',
    from: number | 'start' | 'end',
    maxCount: number,
    signal: AbortSignal | undefined,
    raw: boolean,
    q: SqlQueryable = this.executor,
  ): AsyncGenerator<RecordedEvent> {
    const forwards = direction === 'forwards';
    let cursor = from === 'start' ? 0 : from === 'end' ? Number.MAX_SAFE_INTEGER : from;
    if (forwards && from === 'end') return;
    let remaining = maxCount;
    while (remaining > 0) {
      this.assertOpen();
      signal?.throwIfAborted();
      const limit = Math.min(this.pageSize, remaining);
      const rows = await q.query<EventRow>(
        forwards ? READ_STREAM_FORWARDS_SQL : READ_STREAM_BACKWARDS_SQL,
        [stream, cursor, limit],
        forwards ? 'es_read_stream_forwards' : 'es_read_stream_backwards',
      );
      const events = rows.map((row) => rowToEvent(row));
      for (const event of raw ? events : await this.decodeEvents(events, q)) yield event;
      remaining -= rows.length;
      if (rows.length < limit) return;
      const last = Number(rows[rows.length - 1]!.revision);
      cursor = forwards ? last + 1 : last - 1;
      if (cursor < 0) return;
    }
  }

  readAll(options: ReadAllOptions = {}, raw = false): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const after = options.after ?? START;
    if (after === END)
      throw new InvalidArgumentError('INVALID_POSITION', 'readAll reads after a position, not after END', 'after');
    decodeSqlPosition(after);
    if (options.maxCount !== undefined) assertCount(options.maxCount, 'maxCount');
    assertFilter(options.filter);
    return this.allPages(after, options.maxCount ?? Number.POSITIVE_INFINITY, options.filter, options.signal, raw);
  }

  private async *allPages(
    after: LogPosition,
    maxCount: number,
    filter: LogFilter | undefined,
    signal: AbortSignal | undefined,
    raw: boolean,
  ): AsyncGenerator<RecordedEvent> {
    let position = after;
    let remaining = maxCount;
    while (remaining > 0) {
      signal?.throwIfAborted();
      const limit = filter ? this.pageSize : Math.min(this.pageSize, remaining);
      const page = await this.readAllPage(position, limit, filter, raw);
      for (const entry of page.events) {
        position = entry.position;
        if (!entry.event) continue;
        yield entry.event;
        if (--remaining <= 0) return;
      }
      if (page.scanned < limit) return;
    }
  }

  /** One bounded query of the settled log after `after`. */
  async readAllPage(after: LogPosition, limit: number, filter: LogFilter | undefined, raw = false): Promise<LogPage> {
    this.assertOpen();
    const { txId, globalPosition } = decodeSqlPosition(after);
    const filtered = Boolean(filter && (filter.categories || filter.eventTypes));
    const rows = filtered
      ? await this.executor.query<EventRow>(
          READ_ALL_SQL,
          [txId, globalPosition, limit, filter?.categories ?? null, filter?.eventTypes ?? null],
          'es_read_all_filtered',
        )
      : await this.executor.query<EventRow>(READ_ALL_UNFILTERED_SQL, [txId, globalPosition, limit], 'es_read_all');
    const entries: LogPage['events'] = rows.map((row) => {
      const position = encodeSqlPosition(row.tx, row.gp);
      return row.matched ? { position, event: rowToEvent(row, position) } : { position };
    });
    if (!raw && this.codec) {
      // One decode per page: the codec loads the page's keys in one query.
      const matched = entries.filter((entry) => entry.event !== undefined);
      const decoded = await this.decodeEvents(matched.map((entry) => entry.event!));
      matched.forEach((entry, index) => (entry.event = decoded[index]));
    }
    return { scanned: rows.length, events: entries };
  }

  async readCategoryByStream(options: CategoryByStreamOptions, raw = false): Promise<CategoryByStreamPage> {
    this.assertOpen();
    const { category, upTo, afterStream, minEvents } = options ?? ({} as CategoryByStreamOptions);
    assertFilter({ categories: [category] });
    if (upTo === END || upTo === START) {
      throw new InvalidArgumentError('INVALID_POSITION', 'upTo must be an event position', 'upTo');
    }
    const { txId, globalPosition } = decodeSqlPosition(upTo);
    if (afterStream !== undefined && typeof afterStream !== 'string') {
      throw new InvalidArgumentError('INVALID_ARGUMENT', 'afterStream must be a stream name', 'afterStream');
    }
    assertCount(minEvents, 'minEvents');
    const limit = Math.max(1, minEvents);
    // The category's streams all sort after `<category>-`, whatever the collation.
    const rows = await this.executor.query<EventRow>(
      READ_CATEGORY_BY_STREAM_SQL,
      [afterStream ?? `${category}-`, `${category.replace(/_/g, '\\_')}-%`, txId, globalPosition, limit],
      'es_read_category_by_stream',
    );
    let events = rows.map((row) => rowToEvent(row));
    if (rows.length === limit) {
      // The limit may have split the last stream: it is read whole, here if it is the only one, else next time.
      const last = events[events.length - 1]!.streamName;
      const cut = events.findIndex((event) => event.streamName === last);
      if (cut > 0) events = events.slice(0, cut);
      else {
        for (;;) {
          const more = await this.executor.query<EventRow>(
            READ_STREAM_UP_TO_SQL,
            [last, events[events.length - 1]!.revision, txId, globalPosition, limit],
            'es_read_stream_up_to',
          );
          events.push(...more.map((row) => rowToEvent(row)));
          if (more.length < limit) break;
        }
      }
    }
    const lastStream = events.length > 0 ? events[events.length - 1]!.streamName : undefined;
    return { events: raw || events.length === 0 ? events : await this.decodeEvents(events), lastStream };
  }

  async headPosition(): Promise<LogPosition> {
    this.assertOpen();
    const [row] = await this.executor.query<{ position: string }>(HEAD_POSITION_SQL);
    return row?.position ?? START;
  }

  async countAfter(after: LogPosition, limit: number): Promise<number> {
    this.assertOpen();
    if (after === END) return 0;
    const { txId, globalPosition } = decodeSqlPosition(after);
    assertCount(limit, 'limit');
    if (limit === 0) return 0;
    const [row] = await this.executor.query<{ n: number }>(COUNT_AFTER_SQL, [txId, globalPosition, limit]);
    return Number(row?.n ?? 0);
  }

  async writtenHead(): Promise<LogPosition> {
    this.assertOpen();
    const [row] = await this.executor.query<{ position: string }>(WRITTEN_HEAD_SQL);
    return row?.position ?? START;
  }

  /** Every event of `stream` in revision order, read on `q` (a transaction's connection), decoded unless `raw`. */
  private async readWholeStream(q: SqlQueryable, stream: StreamName, raw: boolean): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertStreamName(stream);
    const events: RecordedEvent[] = [];
    for await (const event of this.streamPages(stream, 'forwards', 'start', Infinity, undefined, raw, q)) {
      events.push(event);
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions = {}, raw = false): Subscription {
    this.assertOpen();
    const after = options.after ?? START;
    if (after !== END) decodeSqlPosition(after);
    assertFilter(options.filter);
    const checkpointEvery = options.checkpointEvery ?? 500;
    if (!Number.isSafeInteger(checkpointEvery) || checkpointEvery < 1) {
      throw new InvalidArgumentError(
        'INVALID_ARGUMENT',
        'checkpointEvery must be a whole number of at least 1',
        'checkpointEvery',
      );
    }
    const subscription = new SqlSubscription(this, { after, filter: options.filter, checkpointEvery, raw }, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  // ---------------------------------------------------------------- wake-ups

  /** Resolves on the next append (this process's or, on PostgreSQL, another's), after `timeoutMs`, or at close. */
  async waitForAppend(timeoutMs: number, cancel: AbortSignal): Promise<void> {
    if (this.closed || cancel.aborted) return;
    if (this.options.notifyOtherProcesses) await this.ensureListening();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        cancel.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      cancel.addEventListener('abort', done);
      this.waiters.add(done);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private signalAppended(): void {
    this.wakeAll();
    if (!this.options.notifyOtherProcesses || this.closed || this.notifyTimer) return;
    // Other processes are told at most once per NOTIFY_INTERVAL_MS, outside the append's transaction: a NOTIFY is
    // a transaction of its own with a WAL flush, and inside the append it would serialise every commit on the
    // notification queue's lock. Listeners also poll, so a lost wake-up only delays them.
    const wait = Math.max(0, this.lastNotifyAt + NOTIFY_INTERVAL_MS - Date.now());
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      this.lastNotifyAt = Date.now();
      this.notifyDone = this.executor.notify(APPENDED_CHANNEL).catch(() => undefined);
    }, wait);
    this.notifyTimer.unref();
  }

  private async ensureListening(): Promise<void> {
    if (this.unlisten || this.closed) return;
    this.listening ??= this.executor
      .listen(
        APPENDED_CHANNEL,
        () => this.wakeAll(),
        () => {
          // Lost the listening session: subscriptions fall back to polling until the next wait re-listens.
          this.unlisten = null;
        },
      )
      .then(
        (unlisten) => {
          if (this.closed) void unlisten();
          else this.unlisten = unlisten;
        },
        () => undefined,
      )
      .finally(() => {
        this.listening = null;
      });
    await this.listening;
  }

  // ---------------------------------------------------------------- transactions

  /** `raw`: the transaction's `readStream` and `readEvents` return events as stored (the view of `raw()`). */
  async withTransaction<T>(work: (tx: StoreTransaction) => Promise<T>, raw = false): Promise<T> {
    this.assertOpen();
    let wrote = false;
    const result = await this.executor.transaction(async (q) => {
      const tx: StoreTransaction & { readonly sql: SqlQueryable } & DecodingTransaction = {
        sql: q,
        query: <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => q.query<R>(sql, params),
        readStream: (stream) => this.readWholeStream(q, stream, raw),
        readEvents: (places) => this.readEventsOn(q, places, raw),
        copyRows: async (table, columns, rows) => {
          this.assertOpen();
          const copy = copyStatement(table, columns);
          const chunks = copyChunks(columns.length, rows);
          if (chunks.length === 0) return;
          if (!q.copyFrom) throw new Error('this SQL driver cannot COPY');
          await q.copyFrom(copy, chunks);
        },
        decodeEvents: (events) => this.decodeEvents(events, q),
        appendToStream: async (stream, events, options) => {
          const encoded = await this.encode(q, stream, events);
          const { prepared, expected } = this.validateAppend(stream, encoded, options);
          const appended = await this.append(q, stream, prepared, expected, true);
          wrote ||= appended.wrote;
          return appended.result;
        },
        appendToNewStreams: async (entries) => {
          // In order, one entry at a time: on PGlite the transaction's queries run one by one anyway.
          let encoded = entries;
          if (isArrayValue(entries)) {
            const list: { stream: StreamName; events: NewEvent[] }[] = [];
            for (const entry of entries as readonly Partial<{ stream: StreamName; events: NewEvent[] }>[]) {
              const events = (await this.encode(q, entry?.stream, entry?.events)) as NewEvent[];
              list.push({ ...entry, events } as { stream: StreamName; events: NewEvent[] });
            }
            encoded = list;
          }
          const results = await this.appendNewStreams(q, encoded);
          wrote ||= results.length > 0;
          return results;
        },
      };
      return work(tx);
    });
    if (wrote) await this.committed();
    return result;
  }

  /**
   * One INSERT for many new streams (revisions from 0). ON CONFLICT DO NOTHING keeps the caller's transaction alive
   * when a stream exists; fewer rows than sent then means a conflict, and the caller rolls back. New streams have no
   * earlier writer, so the ordering guard of `es_append` has nothing to check.
   */
  private async appendNewStreams(
    q: SqlQueryable,
    entries: readonly { stream: StreamName; events: NewEvent[] }[],
  ): Promise<AppendResult[]> {
    if (!isArrayValue(entries)) {
      throw new InvalidArgumentError('INVALID_ARGUMENT', 'entries must be an array', 'entries');
    }
    const rows: string[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      assertStreamName(entry?.stream);
      if (seen.has(entry.stream)) {
        throw new InvalidArgumentError('INVALID_ARGUMENT', 'a stream appears twice in one bulk append', 'entries');
      }
      seen.add(entry.stream);
      const prepared = prepareEvents(entry.events, this.limits);
      if (prepared.length === 0) {
        throw new InvalidArgumentError('INVALID_ARGUMENT', 'a new stream needs at least one event', 'events');
      }
      prepared.forEach((e, revision) =>
        rows.push(
          `{"s":${JSON.stringify(entry.stream)},"r":${revision},"id":"${e.id}","type":${JSON.stringify(e.type)},` +
            `"data":${e.data},"metadata":${e.metadata},"sv":${e.schemaVersion}}`,
        ),
      );
    }
    if (rows.length === 0) return [];
    const inserted = await q.query<{ s: string; r: string; gp: string; tx: string }>(APPEND_NEW_STREAMS_SQL, [
      `[${rows.join(',')}]`,
    ]);
    if (inserted.length !== rows.length) {
      throw new TransactionConflictError(
        entries.find((e) => !inserted.some((row) => row.s === e.stream))?.stream ?? '',
      );
    }
    const last = new Map<string, { r: number; gp: string; tx: string }>();
    for (const row of inserted) {
      const seenRow = last.get(row.s);
      if (!seenRow || Number(row.r) > seenRow.r) last.set(row.s, { r: Number(row.r), gp: row.gp, tx: row.tx });
    }
    return entries.map((entry) => {
      const head = last.get(entry.stream)!;
      return { nextExpectedRevision: head.r, position: encodeSqlPosition(head.tx, head.gp) };
    });
  }

  /** The SQL behind a transaction handed out by `withTransaction`, or the autocommit executor. */
  queryableOf(tx: StoreTransaction | undefined): SqlQueryable {
    if (!tx) return this.executor;
    const sql = (tx as { sql?: SqlQueryable }).sql;
    if (!sql) throw new InvalidArgumentError('INVALID_ARGUMENT', 'tx is not a transaction of this store', 'tx');
    return sql;
  }
}

// ------------------------------------------------------------------ checkpoints

class SqlCheckpointStore implements CheckpointStore {
  constructor(private readonly store: SqlEventStore) {}

  async load(subscriberId: string, tx?: StoreTransaction): Promise<LogPosition | undefined> {
    this.store.assertOpen();
    assertSubscriberId(subscriberId);
    const rows = await this.store
      .queryableOf(tx)
      .query<{ position: string }>('SELECT position FROM es_checkpoints WHERE subscriber_id = $1', [subscriberId]);
    return rows[0]?.position;
  }

  async save(
    subscriberId: string,
    position: LogPosition,
    options: { expectedPrevious?: LogPosition | null; tx?: StoreTransaction } = {},
  ): Promise<CheckpointSaveResult> {
    this.store.assertOpen();
    assertSubscriberId(subscriberId);
    if (position === START || position === END) {
      throw new InvalidArgumentError(
        'INVALID_POSITION',
        'a checkpoint is the position of an event, not START or END',
        'position',
      );
    }
    decodeSqlPosition(position);
    const q = this.store.queryableOf(options.tx);
    const { expectedPrevious } = options;
    let rows: unknown[];
    if (expectedPrevious === undefined) {
      rows = await q.query(
        `INSERT INTO es_checkpoints (subscriber_id, position) VALUES ($1, $2)
         ON CONFLICT (subscriber_id) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
         WHERE es_checkpoints.position < EXCLUDED.position
         RETURNING 1`,
        [subscriberId, position],
      );
    } else if (expectedPrevious === null) {
      rows = await q.query(
        `INSERT INTO es_checkpoints (subscriber_id, position) VALUES ($1, $2)
         ON CONFLICT (subscriber_id) DO NOTHING RETURNING 1`,
        [subscriberId, position],
      );
    } else {
      rows = await q.query(
        `UPDATE es_checkpoints SET position = $2, updated_at = now()
          WHERE subscriber_id = $1 AND position = $3 AND position < $2 RETURNING 1`,
        [subscriberId, position, expectedPrevious],
      );
    }
    if (rows.length > 0) return 'saved';
    const current = await this.load(subscriberId, options.tx);
    // With an expectation, only the expected position counts: another instance that already saved this same
    // position means this one's work is a duplicate, and its transaction must fail (exactly-once projections).
    const same =
      expectedPrevious === undefined ? current === position : current === position && expectedPrevious === position;
    if (same) return 'unchanged';
    throw new CheckpointConflictError(
      subscriberId,
      expectedPrevious === undefined ? position : expectedPrevious,
      current ?? null,
    );
  }
}

function assertSubscriberId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
    throw new InvalidArgumentError(
      'INVALID_ARGUMENT',
      'subscriberId must be a string of 1 to 200 characters',
      'subscriberId',
    );
  }
}

function assertTtl(ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new InvalidArgumentError(
      'INVALID_ARGUMENT',
      'ttlMs must be a whole number of milliseconds, at least 1',
      'ttlMs',
    );
  }
}

// ------------------------------------------------------------------ leases

class SqlLeaseStore implements LeaseStore {
  constructor(private readonly store: SqlEventStore) {}

  async tryAcquire(subscriberId: string, instanceId: string, ttlMs: number): Promise<boolean> {
    this.store.assertOpen();
    assertSubscriberId(subscriberId);
    assertSubscriberId(instanceId);
    assertTtl(ttlMs);
    // The database's clock decides expiry, so processes with skewed clocks agree.
    const rows = await this.store.executor.query(
      `INSERT INTO es_leases (subscriber_id, instance_id, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (subscriber_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, expires_at = EXCLUDED.expires_at
       WHERE es_leases.instance_id = EXCLUDED.instance_id OR es_leases.expires_at <= clock_timestamp()
       RETURNING 1`,
      [subscriberId, instanceId, ttlMs],
    );
    return rows.length > 0;
  }

  async renew(subscriberId: string, instanceId: string, ttlMs: number): Promise<boolean> {
    this.store.assertOpen();
    assertTtl(ttlMs);
    const rows = await this.store.executor.query(
      `UPDATE es_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
        WHERE subscriber_id = $1 AND instance_id = $2 AND expires_at > clock_timestamp() RETURNING 1`,
      [subscriberId, instanceId, ttlMs],
    );
    return rows.length > 0;
  }

  async release(subscriberId: string, instanceId: string): Promise<void> {
    this.store.assertOpen();
    await this.store.executor.query('DELETE FROM es_leases WHERE subscriber_id = $1 AND instance_id = $2', [
      subscriberId,
      instanceId,
    ]);
  }

  async holder(subscriberId: string): Promise<{ instanceId: string; expiresAt: Date } | undefined> {
    this.store.assertOpen();
    const rows = await this.store.executor.query<{ instance_id: string; expires_at: Date | string }>(
      'SELECT instance_id, expires_at FROM es_leases WHERE subscriber_id = $1 AND expires_at > clock_timestamp()',
      [subscriberId],
    );
    const row = rows[0];
    return row ? { instanceId: row.instance_id, expiresAt: new Date(row.expires_at) } : undefined;
  }
}

/** Array.isArray without its type predicate, which would narrow a readonly array to any[]. */
function isArrayValue(value: unknown): boolean {
  return Array.isArray(value);
}

/**
 * `SqlEventStore.raw()`: every operation of the store, except that reads return events as stored (see `raw`).
 * Lifecycle stays with the store: closing the view closes nothing.
 */
class RawSqlEventStoreView implements EventStore {
  readonly kind: StoreKind;
  readonly checkpoints: CheckpointStore;
  readonly leases: LeaseStore;

  constructor(private readonly store: SqlEventStore) {
    this.kind = store.kind;
    this.checkpoints = store.checkpoints;
    this.leases = store.leases;
  }

  capabilities(): StoreCapabilities {
    return this.store.capabilities();
  }
  init(): Promise<void> {
    return this.store.init();
  }
  health(): Promise<HealthReport> {
    return this.store.health();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  appendToStream(stream: StreamName, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    return this.store.appendToStream(stream, events, options);
  }
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return this.store.appendToStreams(appends);
  }
  readStream(stream: StreamName, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return this.store.readStream(stream, options, true);
  }
  getStreamState(stream: StreamName): Promise<StreamState> {
    return this.store.getStreamState(stream);
  }
  readEvents(places: readonly EventPlace[]): Promise<RecordedEvent[]> {
    return this.store.readEvents(places, true);
  }
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.store.readAll(options, true);
  }
  headPosition(): Promise<LogPosition> {
    return this.store.headPosition();
  }
  countAfter(after: LogPosition, limit: number): Promise<number> {
    return this.store.countAfter(after, limit);
  }

  raw(): EventStore {
    return this;
  }

  writtenHead(): Promise<LogPosition> {
    return this.store.writtenHead();
  }
  subscribeToAll(options?: SubscribeOptions): Subscription {
    return this.store.subscribeToAll(options, true);
  }
  withTransaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.store.withTransaction(work, true);
  }
  /** The store's wake-ups, so a projection on the view idles like one on the store. */
  waitForAppend(timeoutMs: number, cancel: AbortSignal): Promise<void> {
    return this.store.waitForAppend(timeoutMs, cancel);
  }
}
