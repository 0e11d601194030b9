import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from './errors';
import type { EventPlace, ExpectedState, JsonObject, LogFilter, NewEvent, StreamAppend } from './types';

/** Limits of what one append may carry. Sizes are UTF-8 bytes of the serialised JSON. */
export interface AppendLimits {
  maxEventBytes: number;
  maxAppendBytes: number;
  maxEventsPerAppend: number;
}

export const DEFAULT_LIMITS: AppendLimits = {
  maxEventBytes: 2 * 1024 * 1024,
  maxAppendBytes: 32 * 1024 * 1024,
  maxEventsPerAppend: 10_000,
};

export const MAX_STREAM_NAME_LENGTH = 200;
export const MAX_EVENT_TYPE_LENGTH = 128;
const MAX_JSON_DEPTH = 64;

// Category: what filters and projections select on. Id: no ':' (BullMQ job ids are derived from stream names),
// no white space or control characters (stream names end up in URLs and logs).
const STREAM_NAME = /^([a-z][a-zA-Z0-9_]{0,63})-([A-Za-z0-9._~-]+)$/;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.]*$/;
const CATEGORY = /^[a-z][a-zA-Z0-9_]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// PostgreSQL's jsonb refuses NUL and unpaired surrogates; refusing them here keeps the error typed and the
// adapters identical.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this pattern must find
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** Checks `list` is an array of objects (named `name` in errors) and hands each, with its field name, to `check`. */
function eachObjectOf(
  list: unknown,
  name: string,
  check: (entry: Record<string, unknown>, field: string) => void,
): void {
  if (!Array.isArray(list)) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `${name} must be an array (got ${describe(list)})`, name);
  }
  list.forEach((entry: unknown, index) => {
    const field = `${name}[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      throw new InvalidArgumentError('INVALID_ARGUMENT', `${field} must be an object (got ${describe(entry)})`, field);
    }
    check(entry as Record<string, unknown>, field);
  });
}

/** The places of `readEvents`: an array of `{ stream, revision }`. */
export function assertEventPlaces(places: unknown): asserts places is EventPlace[] {
  eachObjectOf(places, 'places', ({ stream, revision }, field) => {
    assertStreamName(stream, `${field}.stream`);
    assertCount(revision, `${field}.revision`);
  });
}

/** The entries of `appendToStreams`: an array of `{ stream, events, expected }`, each stream once. */
export function assertStreamAppends(appends: unknown): asserts appends is StreamAppend[] {
  const seen = new Set<string>();
  eachObjectOf(appends, 'appends', ({ stream, expected }, field) => {
    assertStreamName(stream, `${field}.stream`);
    assertExpectedState(expected);
    if (seen.has(stream)) {
      throw new InvalidArgumentError(
        'INVALID_ARGUMENT',
        `${field}.stream "${stream}" appears twice: each stream at most once`,
        `${field}.stream`,
      );
    }
    seen.add(stream);
  });
}

export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
}

export function assertStreamName(stream: unknown, field = 'stream'): asserts stream is string {
  if (typeof stream !== 'string' || stream.length === 0) {
    throw new InvalidArgumentError(
      'INVALID_STREAM_NAME',
      `${field} must be a non-empty string (got ${describe(stream)})`,
      field,
    );
  }
  if (stream.length > MAX_STREAM_NAME_LENGTH) {
    throw new InvalidArgumentError(
      'INVALID_STREAM_NAME',
      `${field} is ${stream.length} characters long; the limit is ${MAX_STREAM_NAME_LENGTH}`,
      field,
    );
  }
  if (!STREAM_NAME.test(stream)) {
    throw new InvalidArgumentError(
      'INVALID_STREAM_NAME',
      `${field} ${describe(stream)} must look like "<category>-<id>": a lowercase category of letters, digits or "_", ` +
        'a "-", then an id of letters, digits, ".", "_", "~" or "-" (no ":" or spaces)',
      field,
    );
  }
}

export function assertEventType(type: unknown, field: string): asserts type is string {
  if (typeof type !== 'string' || type.length === 0) {
    throw new InvalidArgumentError(
      'INVALID_EVENT_TYPE',
      `${field} must be a non-empty string (got ${describe(type)})`,
      field,
    );
  }
  if (type.length > MAX_EVENT_TYPE_LENGTH) {
    throw new InvalidArgumentError(
      'INVALID_EVENT_TYPE',
      `${field} is ${type.length} characters long; the limit is ${MAX_EVENT_TYPE_LENGTH}`,
      field,
    );
  }
  if (!EVENT_TYPE.test(type)) {
    throw new InvalidArgumentError(
      'INVALID_EVENT_TYPE',
      `${field} ${describe(type)} must start with a letter and contain only letters, digits, "_" and "."`,
      field,
    );
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function pathOf(root: string, segments: (string | number)[]): string {
  let path = root;
  for (const segment of segments) path += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
  return path;
}

function failAt(code: string, root: string, segments: (string | number)[], problem: string): never {
  const path = pathOf(root, segments);
  throw new InvalidArgumentError(code, `${path} ${problem}`, path);
}

/**
 * Checks that `value` survives a JSON round trip unchanged, so what is read back is what was written. The path of
 * the offending value is built only when there is one (`segments` is the walk's stack): this runs on every append.
 * Text is checked only when `checkText`, because the caller first looks for escapes in the serialised JSON, which
 * is much cheaper than a pattern over every string.
 */
function assertJsonValue(
  value: unknown,
  root: string,
  segments: (string | number)[],
  code: string,
  ancestors: object[],
  checkText: boolean,
): void {
  switch (typeof value) {
    case 'string':
      if (checkText && UNSTORABLE_TEXT.test(value))
        failAt(code, root, segments, 'contains a NUL character or an unpaired surrogate');
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) failAt(code, root, segments, `is ${String(value)}, which JSON cannot represent`);
      return;
    case 'object': {
      if (value === null) return;
      if (segments.length > MAX_JSON_DEPTH)
        failAt(code, root, segments, `is nested more than ${MAX_JSON_DEPTH} levels deep`);
      if (ancestors.includes(value)) failAt(code, root, segments, 'refers back to itself (circular structure)');
      ancestors.push(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          segments.push(i);
          assertJsonValue(value[i], root, segments, code, ancestors, checkText);
          segments.pop();
        }
      } else if (isPlainObject(value)) {
        for (const key of Object.keys(value)) {
          if (checkText && UNSTORABLE_TEXT.test(key))
            failAt(code, root, segments, 'has a key with a NUL character or an unpaired surrogate');
          segments.push(key);
          assertJsonValue((value as Record<string, unknown>)[key], root, segments, code, ancestors, checkText);
          segments.pop();
        }
      } else {
        const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        failAt(
          code,
          root,
          segments,
          `is a ${name}; only plain objects, arrays, strings, finite numbers, booleans and null are stored`,
        );
      }
      ancestors.pop();
      return;
    }
    default:
      failAt(code, root, segments, `is ${typeof value}, which JSON cannot represent`);
  }
}

/**
 * Serialises a JSON object after checking it. JSON.stringify writes NUL and unpaired surrogates as \u escapes
 * (paired surrogates stay as they are), so when the text has no "\u" there is nothing more to look for.
 */
function serialiseJsonObject(value: unknown, path: string, code: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isPlainObject(value)) {
    throw new InvalidArgumentError(code, `${path} must be a JSON object (got ${describe(value)})`, path);
  }
  assertJsonValue(value, path, [], code, [], false);
  const json = JSON.stringify(value);
  if (json.includes('\\u')) assertJsonValue(value, path, [], code, [], true);
  return json;
}

export function assertJsonObject(value: unknown, path: string, code: string): asserts value is JsonObject {
  serialiseJsonObject(value, path, code);
}

export function assertExpectedState(expected: unknown): asserts expected is ExpectedState {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidArgumentError(
    'INVALID_EXPECTED_REVISION',
    `expected must be "any", "no_stream", "stream_exists" or a whole number of at least 0 (got ${describe(expected)}${
      typeof expected === 'number' ? ` ${expected}` : ''
    })`,
    'expected',
  );
}

export function assertCount(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `${field} must be a whole number of at least 0`, field);
  }
}

export function assertFilter(filter: LogFilter | undefined): void {
  if (!filter) return;
  if (filter.categories !== undefined) {
    if (!Array.isArray(filter.categories)) {
      throw new InvalidArgumentError('INVALID_ARGUMENT', 'filter.categories must be an array', 'filter.categories');
    }
    filter.categories.forEach((c, i) => {
      if (typeof c !== 'string' || !CATEGORY.test(c)) {
        throw new InvalidArgumentError(
          'INVALID_ARGUMENT',
          `filter.categories[${i}] is not a stream category`,
          `filter.categories[${i}]`,
        );
      }
    });
  }
  if (filter.eventTypes !== undefined) {
    if (!Array.isArray(filter.eventTypes)) {
      throw new InvalidArgumentError('INVALID_ARGUMENT', 'filter.eventTypes must be an array', 'filter.eventTypes');
    }
    filter.eventTypes.forEach((t, i) => assertEventType(t, `filter.eventTypes[${i}]`));
  }
}

/** An event checked and serialised once: what goes to the database. */
export interface PreparedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
  schemaVersion: number;
}

/** The JSON array of a batch, as the batch append function reads it. */
export function batchJson(events: PreparedEvent[]): string {
  return `[${events
    .map((e) => `{"id":"${e.id}","type":"${e.type}","data":${e.data},"metadata":${e.metadata},"sv":${e.schemaVersion}}`)
    .join(',')}]`;
}

/**
 * Validates a whole append before anything is sent, so a bad event anywhere in the batch writes nothing, and
 * serialises each event once.
 */
export function prepareEvents(events: unknown, limits: AppendLimits): PreparedEvent[] {
  if (!Array.isArray(events)) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', 'events must be an array', 'events');
  }
  if (events.length > limits.maxEventsPerAppend) {
    throw new InvalidArgumentError(
      'APPEND_TOO_LARGE',
      `one append may carry at most ${limits.maxEventsPerAppend} events (got ${events.length})`,
      'events',
    );
  }
  const seen = new Set<string>();
  const prepared: PreparedEvent[] = [];
  let total = 0;
  let exactTotal = false;
  for (let index = 0; index < events.length; index++) {
    const raw: unknown = events[index];
    const field = `events[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InvalidArgumentError('INVALID_ARGUMENT', `${field} must be an object with type and data`, field);
    }
    const event = raw as NewEvent;
    let id = event.id;
    if (id === undefined) {
      id = randomUUID();
    } else if (typeof id !== 'string' || !UUID.test(id)) {
      throw new InvalidArgumentError(
        'INVALID_EVENT_ID',
        `${field}.id must be a UUID (got ${describe(id)})`,
        `${field}.id`,
      );
    }
    id = id.toLowerCase();
    if (seen.has(id)) {
      throw new InvalidArgumentError(
        'INVALID_EVENT_ID',
        `${field}.id ${id} appears twice in one append`,
        `${field}.id`,
      );
    }
    seen.add(id);
    assertEventType(event.type, `${field}.type`);
    const data = serialiseJsonObject(event.data, `${field}.data`, 'INVALID_EVENT_DATA');
    const meta = serialiseJsonObject(event.metadata ?? {}, `${field}.metadata`, 'INVALID_METADATA');
    const schemaVersion = event.schemaVersion ?? 1;
    if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > 2_147_483_647) {
      throw new InvalidArgumentError(
        'INVALID_ARGUMENT',
        `${field}.schemaVersion must be a whole number of at least 1`,
        `${field}.schemaVersion`,
      );
    }
    // A UTF-16 unit is at most 3 bytes of UTF-8, so bytes are counted only when that bound comes near a limit
    // (this runs on every append). Once the bound of the whole append is near its limit, count exactly from then on.
    const units = data.length + meta.length;
    const exactEvent = units * 3 > limits.maxEventBytes;
    const bytes = exactEvent || exactTotal ? Buffer.byteLength(data) + Buffer.byteLength(meta) : units * 3;
    if (bytes > limits.maxEventBytes) {
      throw new InvalidArgumentError(
        'EVENT_TOO_LARGE',
        `${field} is ${bytes} bytes of JSON; the limit is ${limits.maxEventBytes}`,
        field,
      );
    }
    total += bytes;
    if (total > limits.maxAppendBytes && !exactTotal) {
      exactTotal = true;
      total = prepared.reduce((sum, e) => sum + Buffer.byteLength(e.data) + Buffer.byteLength(e.metadata), 0);
      total += Buffer.byteLength(data) + Buffer.byteLength(meta);
    }
    if (total > limits.maxAppendBytes) {
      throw new InvalidArgumentError(
        'APPEND_TOO_LARGE',
        `the events of one append exceed ${limits.maxAppendBytes} bytes of JSON together`,
        'events',
      );
    }
    prepared.push({ id, type: event.type, data, metadata: meta, schemaVersion });
  }
  return prepared;
}
