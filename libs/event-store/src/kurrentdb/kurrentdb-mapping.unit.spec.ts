import {
  ANY,
  AccessDeniedError,
  InvalidArgumentError as KurrentInvalidArgumentError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeletedError,
  TimeoutError,
  UnavailableError,
  UnsupportedError,
  WrongExpectedVersionError as KurrentWrongExpectedVersionError,
  type JSONRecordedEvent,
  type Position,
} from '@kurrent/kurrentdb-client';
import fc from 'fast-check';
import {
  DuplicateEventIdError,
  InvalidArgumentError,
  StoreUnavailableError,
  WrongExpectedVersionError,
} from '../errors';
import { END, START, comparePositions } from '../position';
import type { ExpectedState, JsonObject } from '../types';
import { prepareEvents, DEFAULT_LIMITS } from '../validation';
import {
  PORT_STREAM_REGEX,
  checkpointCadence,
  compareKurrentPositions,
  decodeKurrentPosition,
  encodeKurrentPosition,
  exactAlternation,
  fromKurrentCurrentState,
  fromKurrentEvent,
  fromKurrentStreamState,
  mapKurrentError,
  mapMultiAppendError,
  revisionFromKurrent,
  revisionsOfMultiAppend,
  toKurrentEvent,
  toKurrentMultiAppendEvent,
  toKurrentReadPosition,
  toKurrentStreamState,
  toServerFilter,
} from './kurrentdb-mapping';
import { MultiStreamAppendUnsupportedError, UnreadableEventError } from './kurrentdb-errors';

const U64_MAX = 2n ** 64n - 1n;
const u64 = fc.bigInt({ min: 0n, max: U64_MAX });
const position = fc.record({ commit: u64, prepare: u64 });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('KurrentDB positions as opaque log positions', () => {
  it('round-trip every pair of unsigned 64-bit integers exactly (no Number rounding)', () => {
    fc.assert(
      fc.property(position, (p) => {
        expect(decodeKurrentPosition(encodeKurrentPosition(p))).toEqual(p);
      }),
    );
    const big = { commit: 2n ** 53n + 1n, prepare: U64_MAX };
    expect(encodeKurrentPosition(big)).toBe('00009007199254740993:18446744073709551615');
    expect(decodeKurrentPosition(encodeKurrentPosition(big))).toEqual(big);
  });

  it('order as KurrentDB orders $all: by commit, then prepare', () => {
    fc.assert(
      fc.property(position, position, (a, b) => {
        const expected = Math.sign(compareKurrentPositions(a, b));
        expect(Math.sign(comparePositions(encodeKurrentPosition(a), encodeKurrentPosition(b)))).toBe(expected);
        // Plain text order agrees too: the SQL checkpoint table compares positions with `<` on text.
        const [ta, tb] = [encodeKurrentPosition(a), encodeKurrentPosition(b)];
        expect(Math.sign(ta < tb ? -1 : ta > tb ? 1 : 0)).toBe(expected);
      }),
    );
    // Small numbers that would sort wrongly as unpadded text.
    expect(
      comparePositions(
        encodeKurrentPosition({ commit: 9n, prepare: 9n }),
        encodeKurrentPosition({ commit: 10n, prepare: 0n }),
      ),
    ).toBeLessThan(0);
  });

  it('put START before and END after every position', () => {
    fc.assert(
      fc.property(position, (p) => {
        const encoded = encodeKurrentPosition(p);
        expect(comparePositions(START, encoded)).toBeLessThan(0);
        expect(comparePositions(encoded, END)).toBeLessThan(0);
      }),
    );
    expect(decodeKurrentPosition(START)).toBe(START);
  });

  it('refuse numbers outside 0 .. 2^64 - 1 when encoding', () => {
    expect(codeOf(() => encodeKurrentPosition({ commit: U64_MAX + 1n, prepare: 0n }))).toBe('INVALID_POSITION');
    expect(codeOf(() => encodeKurrentPosition({ commit: 0n, prepare: -1n }))).toBe('INVALID_POSITION');
  });

  it.each([
    '',
    'END',
    '12:34',
    '00000000000000000001-00000000000000000001',
    '18446744073709551616:00000000000000000000',
    '00000000000000000000:99999999999999999999',
    ' 0000000000000000001:00000000000000000001',
  ])('reject %j as a position with INVALID_POSITION', (bad) => {
    expect(codeOf(() => decodeKurrentPosition(bad))).toBe('INVALID_POSITION');
  });

  it('become the client read positions, START and END included', () => {
    expect(toKurrentReadPosition(START)).toBe('start');
    expect(toKurrentReadPosition(END)).toBe('end');
    fc.assert(fc.property(position, (p) => expect(toKurrentReadPosition(encodeKurrentPosition(p))).toEqual(p)));
  });
});

describe('expected states and revisions', () => {
  it('map the port expectations to the client stream states', () => {
    expect(toKurrentStreamState('any')).toBe(ANY);
    expect(toKurrentStreamState('no_stream')).toBe(NO_STREAM);
    expect(toKurrentStreamState('stream_exists')).toBe(STREAM_EXISTS);
    expect(toKurrentStreamState(0)).toBe(0n);
    expect(toKurrentStreamState(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('round-trip every expectation', () => {
    const expected: fc.Arbitrary<ExpectedState> = fc.oneof(
      fc.constantFrom<ExpectedState>('any', 'no_stream', 'stream_exists'),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(fc.property(expected, (e) => expect(fromKurrentStreamState(toKurrentStreamState(e))).toBe(e)));
  });

  it('read current states and refuse revisions a JS number cannot hold', () => {
    expect(fromKurrentCurrentState(NO_STREAM)).toBe('no_stream');
    expect(fromKurrentCurrentState(41n)).toBe(41);
    expect(revisionFromKurrent(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => revisionFromKurrent(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(StoreUnavailableError);
    expect(() => revisionFromKurrent(-1n)).toThrow(StoreUnavailableError);
  });
});

describe('client errors as the port typed errors', () => {
  it('wrong expected version: the caller expectation and the actual state', () => {
    const raw = new KurrentWrongExpectedVersionError(undefined, {
      streamName: 'order-1',
      expected: 3n,
      current: 5n,
    });
    const mapped = mapKurrentError(raw, { stream: 'order-1', expected: 3 });
    expect(mapped).toBeInstanceOf(WrongExpectedVersionError);
    expect(mapped).toMatchObject({ stream: 'order-1', expected: 3, actual: 5, code: 'WRONG_EXPECTED_VERSION' });

    const onMissing = mapKurrentError(
      new KurrentWrongExpectedVersionError(undefined, {
        streamName: 'order-2',
        expected: STREAM_EXISTS,
        current: NO_STREAM,
      }),
    );
    expect(onMissing).toMatchObject({ stream: 'order-2', expected: 'stream_exists', actual: 'no_stream' });
  });

  it('size limits, deleted streams and bad arguments as InvalidArgumentError with stable codes', () => {
    const tooLarge = mapKurrentError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576));
    expect(tooLarge).toBeInstanceOf(InvalidArgumentError);
    expect(tooLarge).toMatchObject({ code: 'APPEND_TOO_LARGE' });
    expect((tooLarge as Error).message).toContain('1048576');

    expect(mapKurrentError(StreamDeletedError.fromStreamName('order-1'), { stream: 'order-1' })).toMatchObject({
      code: 'STREAM_DELETED',
    });
    expect(mapKurrentError(new KurrentInvalidArgumentError('bad'))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('connectivity and access problems as StoreUnavailableError', () => {
    for (const raw of [
      new UnavailableError(undefined, 'down'),
      new TimeoutError(undefined, 'slow'),
      new AccessDeniedError(undefined, 'no'),
    ]) {
      const mapped = mapKurrentError(raw);
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      expect((mapped as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
    }
  });

  it('a raw gRPC error of an unreachable server as StoreUnavailableError', () => {
    // What the append path of the client threw here with no server listening.
    const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    expect(mapKurrentError(raw)).toBeInstanceOf(StoreUnavailableError);
    const late = Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 });
    expect(mapKurrentError(late)).toBeInstanceOf(StoreUnavailableError);
  });

  it('leaves port errors and foreign errors as they are', () => {
    const port = new DuplicateEventIdError('order-1', 'x', 'y');
    expect(mapKurrentError(port)).toBe(port);
    const bug = new TypeError('oops');
    expect(mapKurrentError(bug)).toBe(bug);
    expect(mapKurrentError('text')).toBe('text');
  });
});

describe('filters', () => {
  const cadence = checkpointCadence(500);
  const portStream = new RegExp(PORT_STREAM_REGEX);

  it('keeps the unfiltered log to the port streams, without system streams', () => {
    const { filter, accepts } = toServerFilter(undefined, cadence);
    expect(filter).toMatchObject({ filterOn: 'streamName', regex: PORT_STREAM_REGEX });
    for (const name of ['proposal-1', 'order-a.b~c', 'meeting_x-2']) expect(portStream.test(name)).toBe(true);
    for (const name of ['$stats-127.0.0.1:2113', '$all', '$$order-1', 'Order-1', 'order']) {
      expect(portStream.test(name)).toBe(false);
    }
    expect(accepts({ streamName: 'order-1', type: 'X' })).toBe(true);
  });

  it('turns categories into stream-name prefixes ending in "-"', () => {
    const { filter, accepts } = toServerFilter({ categories: ['alpha', 'gamma'] }, cadence);
    expect(filter).toMatchObject({ filterOn: 'streamName', prefixes: ['alpha-', 'gamma-'] });
    expect(accepts({ streamName: 'alpha-1', type: 'A' })).toBe(true);
    expect(accepts({ streamName: 'alphabet-1', type: 'A' })).toBe(false);
  });

  it('turns event types into an exact, escaped regex', () => {
    const { filter } = toServerFilter({ eventTypes: ['Created', 'Member.Added'] }, cadence);
    expect(filter).toMatchObject({ filterOn: 'eventType', regex: exactAlternation(['Created', 'Member.Added']) });
    const regex = new RegExp(exactAlternation(['Created', 'Member.Added']));
    expect(regex.test('Created')).toBe(true);
    expect(regex.test('Member.Added')).toBe(true);
    expect(regex.test('MemberxAdded')).toBe(false);
    expect(regex.test('CreatedLater')).toBe(false);
    expect(regex.test('ReCreated')).toBe(false);
  });

  it('with categories and types, filters categories on the server and types in the adapter', () => {
    const { filter, accepts } = toServerFilter({ categories: ['beta'], eventTypes: ['Updated'] }, cadence);
    expect(filter).toMatchObject({ filterOn: 'streamName', prefixes: ['beta-'] });
    expect(accepts({ streamName: 'beta-1', type: 'Updated' })).toBe(true);
    expect(accepts({ streamName: 'beta-1', type: 'Created' })).toBe(false);
    expect(accepts({ streamName: 'gamma-1', type: 'Updated' })).toBe(false);
  });

  it('matches nothing for an empty list, as the SQL adapters do', () => {
    for (const f of [{ categories: [] }, { eventTypes: [] }]) {
      const { filter, accepts } = toServerFilter(f, cadence);
      expect(filter).toMatchObject({ filterOn: 'streamName', regex: '^$' });
      expect(accepts({ streamName: 'order-1', type: 'X' })).toBe(false);
    }
  });

  it('asks for a checkpoint at least once per checkpointEvery scanned events', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (every) => {
        const { maxSearchWindow, checkpointInterval } = checkpointCadence(every);
        expect(maxSearchWindow).toBeGreaterThanOrEqual(1);
        expect(maxSearchWindow).toBeLessThanOrEqual(32);
        expect(checkpointInterval).toBeGreaterThanOrEqual(1);
        expect(maxSearchWindow * checkpointInterval).toBeLessThanOrEqual(every);
      }),
    );
    expect(toServerFilter({ categories: ['a'] }, checkpointCadence(2))).toMatchObject({
      filter: { maxSearchWindow: 2, checkpointInterval: 1 },
    });
  });
});

const id = '0b5c7e0e-8a51-4d8c-9f6e-3c1d2b4a5f60';

/** An event as the client reads it, written by this adapter unless `overrides` say otherwise. */
function recorded(overrides: Partial<JSONRecordedEvent> = {}): JSONRecordedEvent {
  return {
    streamId: 'proposal-1',
    id: id.toUpperCase(),
    isJson: true,
    revision: 4n,
    type: 'ProposalSubmitted',
    created: new Date('2026-01-02T03:04:05.678Z'),
    data: { village: 'Sukamaju' },
    metadata: { schemaVersion: 2, metadata: { correlationId: 'c-1' } },
    position: { commit: 100n, prepare: 90n },
    ...overrides,
  };
}

describe('events', () => {
  it('maps a recorded event of this adapter to the port', () => {
    expect(fromKurrentEvent(recorded())).toEqual({
      streamName: 'proposal-1',
      revision: 4,
      position: encodeKurrentPosition({ commit: 100n, prepare: 90n }),
      id,
      type: 'ProposalSubmitted',
      data: { village: 'Sukamaju' },
      metadata: { correlationId: 'c-1' },
      schemaVersion: 2,
      recordedAt: new Date('2026-01-02T03:04:05.678Z'),
    });
  });

  it('skips system and foreign streams, keeps foreign metadata as it is', () => {
    expect(fromKurrentEvent(recorded({ streamId: '$stats-1' }))).toBeUndefined();
    expect(fromKurrentEvent(recorded({ type: '$metadata' }))).toBeUndefined();
    const foreign = fromKurrentEvent(recorded({ metadata: { $correlationId: 'x' } }));
    expect(foreign).toMatchObject({ metadata: { $correlationId: 'x' }, schemaVersion: 1 });
  });

  it('refuses an event of a port stream whose data is not a JSON object', () => {
    expect(() => fromKurrentEvent(recorded({ data: [1, 2] }))).toThrow(UnreadableEventError);
    expect(() =>
      fromKurrentEvent({ ...recorded(), isJson: false, data: new Uint8Array([1]) } as unknown as JSONRecordedEvent),
    ).toThrow(UnreadableEventError);
  });

  it('round-trips data, metadata, id, type and schema version through the client event', () => {
    const json = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })),
      { maxKeys: 5 },
    ) as fc.Arbitrary<JsonObject>;
    fc.assert(
      fc.property(json, json, fc.integer({ min: 1, max: 1000 }), fc.uuid(), (data, metadata, schemaVersion, uuid) => {
        const event = { id: uuid, type: 'Some.Event', data, metadata, schemaVersion };
        const [prepared] = prepareEvents([event], DEFAULT_LIMITS);
        const sent = toKurrentEvent(prepared!, event);
        expect(sent).toMatchObject({ id: uuid.toLowerCase(), type: 'Some.Event', contentType: 'application/json' });
        // What the server stores is JSON text: send it through JSON as the server would.
        const stored = JSON.parse(JSON.stringify({ data: sent.data, metadata: sent.metadata })) as {
          data: JsonObject;
          metadata: JsonObject;
        };
        const back = fromKurrentEvent(
          recorded({ id: sent.id, type: sent.type, data: stored.data, metadata: stored.metadata }),
        );
        expect(back).toMatchObject({ id: uuid.toLowerCase(), type: 'Some.Event', data, metadata, schemaVersion });
      }),
    );
  });

  it('takes the position from the server or the given fallback, and refuses an event without any', () => {
    const fallback: Position = { commit: 7n, prepare: 7n };
    expect(fromKurrentEvent(recorded({ position: undefined }), fallback)?.position).toBe(
      encodeKurrentPosition(fallback),
    );
    expect(() => fromKurrentEvent(recorded({ position: undefined }))).toThrow(UnreadableEventError);
  });
});

describe('multi-stream appends', () => {
  const json = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })),
    { maxKeys: 5 },
  ) as fc.Arbitrary<JsonObject>;

  it('sends metadata as a flat object of strings, which reads back as the port metadata (fast-check)', () => {
    fc.assert(
      fc.property(json, json, fc.integer({ min: 1, max: 1000 }), fc.uuid(), (data, metadata, schemaVersion, uuid) => {
        const event = { id: uuid, type: 'Some.Event', data, metadata, schemaVersion };
        const [prepared] = prepareEvents([event], DEFAULT_LIMITS);
        const sent = toKurrentMultiAppendEvent(prepared!, event);
        expect(sent).toMatchObject({ id: uuid.toLowerCase(), type: 'Some.Event', contentType: 'application/json' });
        // The client refuses anything but string values (KurrentDB 25.1's append sessions).
        expect(Object.values(sent.metadata as object).every((value) => typeof value === 'string')).toBe(true);
        // Read back as stored: JSON text, and the server may add properties of its own next to ours.
        const stored = JSON.parse(
          JSON.stringify({ ...(sent.metadata as object), '$schema.name': 'Some.Event' }),
        ) as JsonObject;
        const back = fromKurrentEvent(
          recorded({
            id: sent.id,
            type: sent.type,
            data: JSON.parse(JSON.stringify(sent.data)) as JsonObject,
            metadata: stored,
          }),
        );
        expect(back).toMatchObject({ data, metadata, schemaVersion });
      }),
    );
  });

  it('keeps as it is metadata that only looks like the flat form', () => {
    const read = (metadata: JsonObject) => fromKurrentEvent(recorded({ metadata }));
    for (const metadata of [
      { schemaVersion: '1', metadata: 'not json' },
      { schemaVersion: '1', metadata: '[1]' },
      { schemaVersion: '01', metadata: '{}' },
      { schemaVersion: 'x', metadata: '{}' },
    ] as JsonObject[]) {
      expect(read(metadata)).toMatchObject({ metadata, schemaVersion: 1 });
    }
  });

  it("gives each stream the revision the server's answer names, in the order asked", () => {
    const answer = {
      position: 10n,
      responses: [
        { streamName: 'b-1', revision: 4n },
        { streamName: 'a-1', revision: 0n },
      ],
    };
    expect(revisionsOfMultiAppend(['a-1', 'b-1'], answer)).toEqual([0, 4]);
    expect(() => revisionsOfMultiAppend(['a-1', 'c-1'], answer)).toThrow(StoreUnavailableError);
  });

  it('says plainly when the server has no multi-stream append, and maps the rest as any append error', () => {
    expect(mapMultiAppendError(new UnsupportedError('multiStreamAppend', '25.1.0'))).toBeInstanceOf(
      MultiStreamAppendUnsupportedError,
    );
    const unimplemented = Object.assign(new Error('12 UNIMPLEMENTED: unknown service'), { code: 12 });
    expect(mapMultiAppendError(unimplemented)).toBeInstanceOf(MultiStreamAppendUnsupportedError);
    expect(mapMultiAppendError(new UnavailableError(undefined, 'down'))).toBeInstanceOf(StoreUnavailableError);
    const conflict = new KurrentWrongExpectedVersionError(undefined, {
      streamName: 'a-1',
      expected: NO_STREAM,
      current: 3n,
    });
    expect(mapMultiAppendError(conflict)).toMatchObject({ stream: 'a-1', expected: 'no_stream', actual: 3 });
    expect(mapMultiAppendError('not an error')).toBe('not an error');
  });
});
