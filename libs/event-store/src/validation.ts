import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from './errors';
import type { ExpectedState, JsonObject, LogFilter, NewEvent } from './types';

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

/** Checks that `value` survives a JSON round trip unchanged, so what is read back is what was written. */
function assertJsonValue(value: unknown, path: string, code: string, ancestors: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
      if (UNSTORABLE_TEXT.test(value)) {
        throw new InvalidArgumentError(code, `${path} contains a NUL character or an unpaired surrogate`, path);
      }
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new InvalidArgumentError(code, `${path} is ${String(value)}, which JSON cannot represent`, path);
      }
      return;
    case 'object': {
      if (value === null) return;
      if (depth > MAX_JSON_DEPTH) {
        throw new InvalidArgumentError(code, `${path} is nested more than ${MAX_JSON_DEPTH} levels deep`, path);
      }
      if (ancestors.has(value)) {
        throw new InvalidArgumentError(code, `${path} refers back to itself (circular structure)`, path);
      }
      ancestors.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) assertJsonValue(value[i], `${path}[${i}]`, code, ancestors, depth + 1);
      } else if (isPlainObject(value)) {
        for (const [key, child] of Object.entries(value)) {
          if (UNSTORABLE_TEXT.test(key)) {
            throw new InvalidArgumentError(
              code,
              `${path} has a key with a NUL character or an unpaired surrogate`,
              path,
            );
          }
          assertJsonValue(child, `${path}.${key}`, code, ancestors, depth + 1);
        }
      } else {
        const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new InvalidArgumentError(
          code,
          `${path} is a ${name}; only plain objects, arrays, strings, finite numbers, booleans and null are stored`,
          path,
        );
      }
      ancestors.delete(value);
      return;
    }
    default:
      throw new InvalidArgumentError(code, `${path} is ${typeof value}, which JSON cannot represent`, path);
  }
}

export function assertJsonObject(value: unknown, path: string, code: string): asserts value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isPlainObject(value)) {
    throw new InvalidArgumentError(code, `${path} must be a JSON object (got ${describe(value)})`, path);
  }
  assertJsonValue(value, path, code, new Set(), 0);
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

/** An event checked and serialised once; `json` is what goes to the database. */
export interface PreparedEvent {
  id: string;
  type: string;
  json: string;
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
  let total = 0;
  return events.map((raw: unknown, index): PreparedEvent => {
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
    assertJsonObject(event.data, `${field}.data`, 'INVALID_EVENT_DATA');
    const metadata = event.metadata ?? {};
    assertJsonObject(metadata, `${field}.metadata`, 'INVALID_METADATA');
    const schemaVersion = event.schemaVersion ?? 1;
    if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > 2_147_483_647) {
      throw new InvalidArgumentError(
        'INVALID_ARGUMENT',
        `${field}.schemaVersion must be a whole number of at least 1`,
        `${field}.schemaVersion`,
      );
    }
    const data = JSON.stringify(event.data);
    const meta = JSON.stringify(metadata);
    const bytes = Buffer.byteLength(data) + Buffer.byteLength(meta);
    if (bytes > limits.maxEventBytes) {
      throw new InvalidArgumentError(
        'EVENT_TOO_LARGE',
        `${field} is ${bytes} bytes of JSON; the limit is ${limits.maxEventBytes}`,
        field,
      );
    }
    total += bytes;
    if (total > limits.maxAppendBytes) {
      throw new InvalidArgumentError(
        'APPEND_TOO_LARGE',
        `the events of one append exceed ${limits.maxAppendBytes} bytes of JSON together`,
        'events',
      );
    }
    return {
      id,
      type: event.type,
      json: `{"id":"${id}","type":"${event.type}","data":${data},"metadata":${meta},"sv":${schemaVersion}}`,
    };
  });
}
