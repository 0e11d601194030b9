/** A JSON value as stored in an event's data or metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** `<category>-<id>`, e.g. `proposal-0b5c…`; the category is the text before the first `-`. */
export type StreamName = string;

/** 0-based revision of a stream's last event (KurrentDB semantics). */
export type Revision = number;

/**
 * What the writer believes about the stream before appending:
 * `any` (no check), `no_stream` (must not exist), `stream_exists` (must exist) or the exact revision of its last event.
 */
export type ExpectedState = 'any' | 'no_stream' | 'stream_exists' | Revision;

/** A stream's state as read: `no_stream` or the revision of its last event. */
export type StreamState = 'no_stream' | Revision;

/**
 * Opaque, totally ordered position in the store's global log. Compare with `comparePositions`, never with `<`
 * on strings from different adapters: positions are adapter-local.
 */
export type LogPosition = string;

export interface NewEvent {
  /** Client-generated UUID; it is the idempotency key of the append. Generated when absent. */
  id?: string;
  type: string;
  data: JsonObject;
  metadata?: JsonObject;
  /** Version of the event's data schema, for upcasting later. Default 1. */
  schemaVersion?: number;
}

export interface RecordedEvent {
  streamName: StreamName;
  revision: Revision;
  position: LogPosition;
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  schemaVersion: number;
  recordedAt: Date;
}

export interface AppendOptions {
  expected: ExpectedState;
  signal?: AbortSignal;
}

/** Where one event is: its stream and its revision there (`readEvents`). */
export interface EventPlace {
  stream: StreamName;
  revision: Revision;
}

/** One stream's part of `appendToStreams`. */
export interface StreamAppend {
  stream: StreamName;
  events: NewEvent[];
  expected: ExpectedState;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append (`-1` when an empty append found no stream). */
  nextExpectedRevision: Revision;
  /** Position of the last event written (or of the stream's last event for an empty append; `START` if none). */
  position: LogPosition;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** First revision to read (inclusive). Default: the start (forwards) or the end (backwards). */
  from?: Revision | 'start' | 'end';
  direction?: ReadDirection;
  maxCount?: number;
  signal?: AbortSignal;
}

export interface LogFilter {
  /** Stream categories (the text before the first `-`), e.g. `['proposal', 'meeting']`. */
  categories?: string[];
  /** Exact event types. */
  eventTypes?: string[];
}

export interface ReadAllOptions {
  /** Exclusive lower bound. Default `START`. */
  after?: LogPosition;
  maxCount?: number;
  filter?: LogFilter;
  signal?: AbortSignal;
}

/** What `EventStore.readCategoryByStream` reads: one category's streams, whole, in stream-name order. */
export interface CategoryByStreamOptions {
  /** The streams' category (`household` for `household-<id>`). */
  category: string;
  /** Only events at or before this position (a settled one, such as `headPosition()`). */
  upTo: LogPosition;
  /** Exclusive: streams whose names sort after this one. Default: the category's first stream. */
  afterStream?: string;
  /** Whole streams until at least this many events (fewer at the end). */
  minEvents: number;
}

export interface CategoryByStreamPage {
  /** Each stream's events in revision order, the streams in name order. */
  events: RecordedEvent[];
  /** The last stream read: `afterStream` of the next call. Undefined when no stream was left. */
  lastStream?: string;
}

export interface SubscribeOptions {
  /** Exclusive lower bound; `END` to receive only what is appended from now on. Default `START`. */
  after?: LogPosition;
  filter?: LogFilter;
  /**
   * With a filter, a `checkpoint` signal is emitted at least once per this many scanned events that the filter
   * skipped, so a subscriber's stored position moves past long runs of events it does not care about. Default 500.
   */
  checkpointEvery?: number;
}

export interface CaughtUpSignal {
  kind: 'caughtUp';
  position: LogPosition;
}
export interface CheckpointSignal {
  kind: 'checkpoint';
  position: LogPosition;
}
export type SubscriptionMessage = ({ kind: 'event' } & { event: RecordedEvent }) | CaughtUpSignal | CheckpointSignal;

/** Catch-up then live delivery of the global log. Pull-based: nothing is fetched until the consumer asks. */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export interface HealthReport {
  kind: StoreKind;
  reachable: boolean;
  schemaVersion: number | null;
  error?: string;
}

export type StoreKind = 'postgres' | 'pglite' | 'kurrentdb';

export interface StoreCapabilities {
  multiStreamAppend: boolean;
  serverSideFilter: boolean;
  transactions: boolean;
  concurrentConnections: boolean;
}
