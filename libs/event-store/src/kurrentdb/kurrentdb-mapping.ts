/**
 * Pure mappings between the event-store port and the KurrentDB client (`@kurrent/kurrentdb-client`): expected
 * states, revisions, log positions, errors, filters and recorded events. No I/O here, so every rule is unit-tested
 * without a server (`kurrentdb-mapping.unit.spec.ts`).
 */
import {
  ANY,
  AccessDeniedError,
  AppendRecordSizeExceededError,
  CancelledError,
  DeadlineExceededError,
  ErrorType,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamTombstonedError,
  TimeoutError,
  TransactionMaxSizeExceededError,
  UnavailableError,
  UnsupportedError,
  WrongExpectedVersionError as KurrentWrongExpectedVersionError,
  convertToCommandError,
  eventTypeFilter,
  isCommandError,
  jsonEvent,
  streamNameFilter,
  type AppendStreamState,
  type MultiAppendResult,
  type CurrentStreamState,
  type EventData,
  type Filter,
  type Position,
  type RecordedEvent as KurrentRecordedEvent,
} from '@kurrent/kurrentdb-client';
import { EventStoreError, InvalidArgumentError, StoreUnavailableError, WrongExpectedVersionError } from '../errors';
import { END, START } from '../position';
import type {
  ExpectedState,
  JsonObject,
  LogFilter,
  LogPosition,
  NewEvent,
  RecordedEvent,
  Revision,
  StreamState,
} from '../types';
import { categoryOf, type PreparedEvent } from '../validation';
import { MultiStreamAppendUnsupportedError, UnreadableEventError } from './kurrentdb-errors';

// ------------------------------------------------------------------ revisions and expected states

/** A KurrentDB revision (unsigned 64-bit) as the port's revision; refuses what a JS number cannot hold exactly. */
export function revisionFromKurrent(revision: bigint): Revision {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new StoreUnavailableError(`KurrentDB returned revision ${revision}, beyond what this service can address`);
  }
  return Number(revision);
}

/** The port's expectation as KurrentDB's `streamState` option. */
export function toKurrentStreamState(expected: ExpectedState): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/** KurrentDB's expected state back to the port's (the inverse of `toKurrentStreamState`). */
export function fromKurrentStreamState(state: AppendStreamState): ExpectedState {
  if (typeof state === 'bigint') return revisionFromKurrent(state);
  switch (state) {
    case ANY:
      return 'any';
    case NO_STREAM:
      return 'no_stream';
    case STREAM_EXISTS:
      return 'stream_exists';
    default: {
      const _: never = state;
      throw new StoreUnavailableError(`unknown KurrentDB stream state ${String(_)}`);
    }
  }
}

/** A stream's actual state reported by KurrentDB (`no_stream` or a revision). */
export function fromKurrentCurrentState(state: CurrentStreamState): StreamState {
  return typeof state === 'bigint' ? revisionFromKurrent(state) : 'no_stream';
}

// ------------------------------------------------------------------ positions

const U64_MAX = 2n ** 64n - 1n;
const KURRENT_POSITION = /^(\d{20}):(\d{20})$/;

function assertU64(value: bigint, what: string): void {
  if (value < 0n || value > U64_MAX) {
    throw new InvalidArgumentError('INVALID_POSITION', `${what} ${value} is not an unsigned 64-bit integer`);
  }
}

/**
 * KurrentDB's `$all` position (commit, prepare) as the port's opaque position: both numbers zero-padded to the 20
 * digits of 2^64 - 1, so that comparing the text (`comparePositions`, and `<` in the SQL checkpoint table) is
 * comparing the pairs. Kept as bigint throughout: positions pass 2^53 on a large log.
 */
export function encodeKurrentPosition(position: Position): LogPosition {
  assertU64(position.commit, 'commit position');
  assertU64(position.prepare, 'prepare position');
  return `${position.commit.toString().padStart(20, '0')}:${position.prepare.toString().padStart(20, '0')}`;
}

/** The inverse of `encodeKurrentPosition`; `START` reads from the beginning. `END` is not a position to decode. */
export function decodeKurrentPosition(position: LogPosition): Position | typeof START {
  if (position === START) return START;
  const match = typeof position === 'string' ? KURRENT_POSITION.exec(position) : null;
  if (!match) {
    throw new InvalidArgumentError(
      'INVALID_POSITION',
      `"${String(position).slice(0, 60)}" is not a log position of this store`,
      'position',
    );
  }
  const commit = BigInt(match[1]!);
  const prepare = BigInt(match[2]!);
  assertU64(commit, 'commit position');
  assertU64(prepare, 'prepare position');
  return { commit, prepare };
}

/** The client's read position for an exclusive lower bound of the port (`START`, `END` or a position). */
export function toKurrentReadPosition(after: LogPosition): 'start' | 'end' | Position {
  if (after === START) return 'start';
  if (after === END) return 'end';
  return decodeKurrentPosition(after) as Position;
}

/** Total order of (commit, prepare) pairs, as KurrentDB orders `$all`. */
export function compareKurrentPositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

// ------------------------------------------------------------------ errors

/** gRPC status codes (part of the gRPC protocol) of a server that cannot be reached or did not answer in time. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** What the port knows about the call that failed, to fill in the typed error. */
export interface ErrorContext {
  stream?: string;
  expected?: ExpectedState;
}

/**
 * A KurrentDB client error as the port's typed error; port errors pass through unchanged, and anything else is
 * returned as it is (a bug, not an operational condition, so the caller sees the original).
 */
export function mapKurrentError(raw: unknown, context: ErrorContext = {}): unknown {
  if (raw instanceof EventStoreError || !(raw instanceof Error)) return raw;
  // Some client paths let a raw gRPC error through; the client's own conversion names it where it can.
  const error = convertToCommandError(raw);
  if (!isCommandError(error)) {
    const status = (error as { code?: unknown }).code;
    if (status === GRPC_UNAVAILABLE || status === GRPC_DEADLINE_EXCEEDED) {
      return new StoreUnavailableError(`KurrentDB cannot be reached: ${error.message}`, { cause: error });
    }
    return error;
  }
  const stream = context.stream ?? '';
  if (error instanceof KurrentWrongExpectedVersionError) {
    const expected = context.expected ?? fromKurrentStreamState(error.expectedState);
    return new WrongExpectedVersionError(
      error.streamName || stream,
      expected,
      fromKurrentCurrentState(error.actualState),
    );
  }
  if (error instanceof MaxAppendSizeExceededError || error instanceof TransactionMaxSizeExceededError) {
    const limit = error instanceof MaxAppendSizeExceededError ? error.maxAppendSize : error.maxSize;
    return new InvalidArgumentError(
      'APPEND_TOO_LARGE',
      `the events of one append exceed the KurrentDB server's maximum append size (${limit} bytes)`,
      'events',
    );
  }
  if (error instanceof AppendRecordSizeExceededError) {
    return new InvalidArgumentError(
      'EVENT_TOO_LARGE',
      `an event is ${error.size} bytes; the KurrentDB server accepts at most ${error.maxSize}`,
      'events',
    );
  }
  if (error instanceof StreamDeletedError || error instanceof StreamTombstonedError) {
    // Nothing in this service deletes streams; a deleted one was removed by an operator and cannot be written.
    return new InvalidArgumentError(
      'STREAM_DELETED',
      `stream "${stream}" was deleted on the KurrentDB server`,
      'stream',
    );
  }
  if (
    error instanceof UnavailableError ||
    error instanceof TimeoutError ||
    error instanceof DeadlineExceededError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError
  ) {
    return new StoreUnavailableError(`KurrentDB cannot be reached: ${error.message}`, { cause: error });
  }
  if (error instanceof AccessDeniedError) {
    return new StoreUnavailableError(`KurrentDB refused access (check the credentials in KURRENTDB_URL)`, {
      cause: error,
    });
  }
  if (error.type === ErrorType.INVALID_ARGUMENT) {
    return new InvalidArgumentError('INVALID_ARGUMENT', `KurrentDB rejected the request: ${error.message}`);
  }
  return error;
}

// ------------------------------------------------------------------ filters

/**
 * Stream names of the port (`<category>-<id>`, see validation.ts): every read of `$all` is filtered to them on the
 * server, which keeps KurrentDB's own system streams (`$...`) and anything foreign out of the log the port sees.
 */
export const PORT_STREAM_REGEX = '^[a-z][a-zA-Z0-9_]{0,63}-';
/** Matches no stream name (names are never empty): a filter with an empty list matches nothing, as in SQL. */
const NOTHING_REGEX = '^$';

/** How often a filtered read reports progress: every `checkpointInterval` windows of `maxSearchWindow` events. */
export interface CheckpointCadence {
  maxSearchWindow: number;
  checkpointInterval: number;
}

/**
 * The port's `checkpointEvery` as KurrentDB's cadence. The server sends a checkpoint after scanning
 * `checkpointInterval * maxSearchWindow` events; keeping that product at most `checkpointEvery` keeps the port's
 * promise (a checkpoint at least once per `checkpointEvery` skipped events, since scanned >= skipped).
 */
export function checkpointCadence(checkpointEvery: number): CheckpointCadence {
  const maxSearchWindow = Math.max(1, Math.min(checkpointEvery, 32));
  return { maxSearchWindow, checkpointInterval: Math.max(1, Math.floor(checkpointEvery / maxSearchWindow)) };
}

/** Regex that matches exactly one of `values`, escaped for the server's regex engine. */
export function exactAlternation(values: readonly string[]): string {
  return `^(?:${values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
}

export interface ServerFilter {
  /** What the server applies. */
  filter: Filter;
  /** What the adapter applies on top: the server filters on stream names or on event types, never both. */
  accepts(event: Pick<RecordedEvent, 'streamName' | 'type'>): boolean;
}

/**
 * The port's filter as a server-side filter. Categories become stream-name prefixes (`<category>-`, so `alpha` does
 * not match `alphabet-1`); event types alone become an exact regex on the type. With both, the server filters on
 * categories and the adapter checks types. Without a filter, the server still filters to the port's stream names.
 */
export function toServerFilter(filter: LogFilter | undefined, cadence: CheckpointCadence): ServerFilter {
  const categories = filter?.categories;
  const types = filter?.eventTypes;
  const typeSet = types ? new Set(types) : undefined;
  const acceptsType = (event: Pick<RecordedEvent, 'type'>): boolean => !typeSet || typeSet.has(event.type);
  if (categories) {
    const categorySet = new Set(categories);
    return {
      filter:
        categories.length === 0
          ? streamNameFilter({ regex: NOTHING_REGEX, ...cadence })
          : streamNameFilter({ prefixes: categories.map((c) => `${c}-`), ...cadence }),
      accepts: (event) => categorySet.has(categoryOf(event.streamName)) && acceptsType(event),
    };
  }
  if (types) {
    return {
      filter:
        types.length === 0
          ? streamNameFilter({ regex: NOTHING_REGEX, ...cadence })
          : eventTypeFilter({ regex: exactAlternation(types), ...cadence }),
      accepts: acceptsType,
    };
  }
  return { filter: streamNameFilter({ regex: PORT_STREAM_REGEX, ...cadence }), accepts: () => true };
}

// ------------------------------------------------------------------ events

/**
 * KurrentDB metadata of an event written by this adapter: the port's metadata and schema version in one JSON
 * object, so neither can collide with the other.
 */
export interface KurrentMetadataEnvelope {
  schemaVersion: number;
  metadata: JsonObject;
}

/** A validated port event (`prepared`, from `prepareEvents`) with its original data, as KurrentDB event data. */
export function toKurrentEvent(prepared: PreparedEvent, original: NewEvent): EventData {
  const envelope: KurrentMetadataEnvelope = {
    schemaVersion: prepared.schemaVersion,
    metadata: original.metadata ?? {},
  };
  return jsonEvent({
    id: prepared.id,
    type: prepared.type,
    data: original.data,
    metadata: envelope as unknown as JsonObject,
  });
}

/**
 * The same for a multi-stream append, whose metadata must be a flat object of strings (KurrentDB 25.1's append
 * sessions): the envelope's two members as text. `fromKurrentEvent` reads either form.
 */
export function toKurrentMultiAppendEvent(prepared: PreparedEvent, original: NewEvent): EventData {
  return jsonEvent({
    id: prepared.id,
    type: prepared.type,
    data: original.data,
    metadata: { schemaVersion: String(prepared.schemaVersion), metadata: JSON.stringify(original.metadata ?? {}) },
  });
}

/**
 * The revision each stream reached in a multi-stream append, in the order of `streams`; a stream the server's
 * answer does not name is an error (the write happened, but where is unknown).
 */
export function revisionsOfMultiAppend(streams: readonly string[], result: MultiAppendResult): Revision[] {
  const reached = new Map(result.responses.map((response) => [response.streamName, response.revision]));
  return streams.map((stream) => {
    const revision = reached.get(stream);
    if (revision === undefined) {
      throw new StoreUnavailableError(`KurrentDB acknowledged a multi-stream append without naming "${stream}"`);
    }
    return revisionFromKurrent(revision);
  });
}

/** A multi-stream append's error: as `mapKurrentError`, and a server without the feature says so plainly. */
export function mapMultiAppendError(raw: unknown): unknown {
  const GRPC_UNIMPLEMENTED = 12;
  if (!(raw instanceof Error)) return raw;
  const unsupported =
    raw instanceof UnsupportedError ||
    (raw as { code?: unknown }).code === GRPC_UNIMPLEMENTED ||
    (isCommandError(raw) && raw.type === ErrorType.UNSUPPORTED);
  if (unsupported) return new MultiStreamAppendUnsupportedError(raw.message);
  return mapKurrentError(raw);
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

const PORT_STREAM = new RegExp(PORT_STREAM_REGEX);

/** The envelope of `toKurrentMultiAppendEvent` (its members as text), or undefined when it is not one. */
function flatEnvelope(
  envelope: Partial<Record<keyof KurrentMetadataEnvelope, unknown>>,
): KurrentMetadataEnvelope | undefined {
  if (typeof envelope.metadata !== 'string' || typeof envelope.schemaVersion !== 'string') return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(envelope.schemaVersion)) return undefined;
  let metadata: unknown;
  try {
    metadata = JSON.parse(envelope.metadata);
  } catch {
    return undefined;
  }
  return isJsonObject(metadata) ? { metadata, schemaVersion: Number(envelope.schemaVersion) } : undefined;
}

/**
 * A KurrentDB event as the port's `RecordedEvent`. `undefined` for events outside the port's streams (system
 * streams, other applications), which readers skip. `position` falls back to the given one where the server did
 * not send it.
 */
export function fromKurrentEvent(event: KurrentRecordedEvent, fallbackPosition?: Position): RecordedEvent | undefined {
  if (!PORT_STREAM.test(event.streamId) || event.type.startsWith('$')) return undefined;
  const revision = revisionFromKurrent(event.revision);
  if (!event.isJson || !isJsonObject(event.data)) {
    throw new UnreadableEventError(event.streamId, revision, 'its data is not a JSON object');
  }
  const position = event.position ?? fallbackPosition;
  if (!position) throw new UnreadableEventError(event.streamId, revision, 'the server sent no log position');
  const raw = event.metadata;
  let metadata: JsonObject = {};
  let schemaVersion = 1;
  if (isJsonObject(raw)) {
    const envelope = raw as Partial<Record<keyof KurrentMetadataEnvelope, unknown>>;
    const flat = flatEnvelope(envelope);
    if (isJsonObject(envelope.metadata) && typeof envelope.schemaVersion === 'number') {
      metadata = envelope.metadata;
      schemaVersion = envelope.schemaVersion;
    } else if (flat) {
      ({ metadata, schemaVersion } = flat);
    } else {
      // Written by another client: its metadata as it is.
      metadata = raw;
    }
  }
  return {
    streamName: event.streamId,
    revision,
    position: encodeKurrentPosition(position),
    id: event.id.toLowerCase(),
    type: event.type,
    data: event.data,
    metadata,
    schemaVersion,
    recordedAt: event.created,
  };
}
