/**
 * The event-store conformance suite (design notes §6.3, cases 1–34 and 36, plus bad input and a SIGKILL durability
 * case). Every adapter runs it through a spec file:
 *
 *   describeEventStoreConformance('postgres', harness, { skip: { 'case-id': 'reason' } });
 *
 * It codes strictly against the `EventStore` port. Cases that only touch streams, checkpoints and leases with unique
 * names share one store; every case that looks at the global log, subscriptions, crashes or the lifecycle opens its
 * own store(s) on a database of its own (`harness.fresh()`). A case closes what it opened (also when it fails); the
 * harness drops the databases in `afterAll`.
 *
 * On PostgreSQL the global log is gated by the oldest running transaction of the whole server, so before asserting
 * exactly what readAll or a subscription returns, cases wait until `headPosition()` reached their last write
 * (`settled()`): a test suite running alongside on the same server delays the log, it does not fail this suite.
 */
import { randomUUID } from 'node:crypto';
import {
  CheckpointConflictError,
  DuplicateEventIdError,
  EventStoreError,
  InvalidArgumentError,
  StoreClosedError,
  WrongExpectedVersionError,
} from '../errors';
import type { EventStore, StoreTransaction } from '../event-store.port';
import { comparePositions, END, START } from '../position';
import type { JsonObject, LogPosition, NewEvent, RecordedEvent, SubscriptionMessage } from '../types';
import { FixtureProcess } from './child-process';
import {
  deferred,
  describeError,
  exposeGc,
  indexedUuid,
  newEvent,
  newEvents,
  rejectsInvalid,
  rejectsWith,
  sleep,
  streamName,
  SubscriptionProbe,
  toArray,
  waitFor,
  withTimeout,
  type TestEvent,
} from './conformance-helpers';

export const CASE_IDS = [
  'append-new-stream',
  'append-no-stream-conflict',
  'append-exact',
  'append-stream-exists',
  'append-any',
  'append-atomic-batch',
  'append-sizes',
  'append-empty',
  'idempotent-retry',
  'conflict-concurrent-exact',
  'conflict-concurrent-any-hot-stream',
  'json-fidelity',
  'read-stream',
  'read-missing-stream',
  'read-your-writes',
  'position-consistency',
  'all-order',
  'all-gap-safe-deterministic',
  'all-gap-safe-soak',
  'all-per-stream-order',
  'all-rollback',
  'all-resume-exclusive',
  'all-filters',
  'sub-catchup-then-live',
  'sub-from-end',
  'sub-filter-checkpoints',
  'sub-resume-after-crash',
  'sub-backpressure',
  'sub-close',
  'sub-reconnect',
  'checkpoint-cas',
  'checkpoint-transactional',
  'lease-exclusive',
  'init-idempotent',
  'close-idempotent',
  'durability-sigkill',
  'tx-read-stream',
  'written-head',
  'append-multi-stream',
  'read-events',
  'copy-rows',
  'count-after',
  'category-by-stream',
  'bad-input',
] as const;

export type CaseId = (typeof CASE_IDS)[number];

export interface FreshOptions {
  /**
   * The database must outlive this process's store: `childEnv()` and `reopen()` will be used on it (a real data
   * directory for embedded adapters). Server adapters can ignore it.
   */
  persistent?: boolean;
}

export interface ConformanceHarness {
  /** A new, initialised store on a database of its own. */
  fresh(options?: FreshOptions): Promise<EventStore>;
  /**
   * A second, initialised store instance on the same database as one made by fresh() (like a second process).
   * Absent where only one instance may open the database (PGlite).
   */
  sibling?(store: EventStore): Promise<EventStore>;
  /**
   * A new, initialised store instance on the database of `store` (made with `persistent: true`), opened after
   * `store` was closed where the adapter is `exclusive`. Used by the crash and durability cases to look at what a
   * killed child process left behind.
   */
  reopen?(store: EventStore): Promise<EventStore>;
  /**
   * `count` store instances, not yet initialised, on a new empty database (only one where the adapter is
   * exclusive). Used to run the very first `init()` concurrently.
   */
  uninitialised?(count: number): Promise<EventStore[]>;
  /**
   * Environment for a child process to open the same database (used by the crash test); the child opens it only
   * after this process has closed it where the adapter is single-instance.
   */
  childEnv(store: EventStore): Record<string, string>;
  /** Whether the store must be closed before a child process opens the database (PGlite: true). */
  exclusive: boolean;
  /** Makes the database unreachable for a moment (e.g. terminate the store's backends on PostgreSQL); absent where impossible. */
  interrupt?(store: EventStore): Promise<void>;
  /** Drops the databases / temp dirs created. */
  dispose(): Promise<void>;
}

export interface ConformanceOptions {
  /** Cases this adapter cannot run, each with the reason shown in the test title. */
  skip?: Partial<Record<CaseId, string>>;
}

const MiB = 1024 * 1024;

/** What a case gets: stores it opens through here are closed when it ends. */
interface CaseContext {
  harness: ConformanceHarness;
  /**
   * The store shared by the cases that only touch streams, checkpoints and leases of their own (unique names), so
   * they do not each pay for a new database. Not closed by the case.
   */
  shared(): Promise<EventStore>;
  fresh(options?: FreshOptions): Promise<EventStore>;
  /** A sibling instance, or `undefined` where the harness has none. */
  sibling(store: EventStore): Promise<EventStore | undefined>;
  reopen(store: EventStore): Promise<EventStore>;
  /** Registers a store opened otherwise, to be closed at the end. */
  track(store: EventStore): EventStore;
}

interface CaseDefinition {
  num: string;
  id: CaseId;
  /** Title when it should not be `<num> <id>`. */
  title?: string;
  timeoutMs?: number;
  /** A reason to skip decided from the harness (e.g. a missing capability). */
  autoSkip?: (harness: ConformanceHarness) => string | undefined;
  run(ctx: CaseContext): Promise<void>;
}

async function runCase(
  harness: ConformanceHarness,
  shared: () => Promise<EventStore>,
  body: (ctx: CaseContext) => Promise<void>,
): Promise<void> {
  const opened: EventStore[] = [];
  const track = (store: EventStore): EventStore => {
    opened.push(store);
    return store;
  };
  const ctx: CaseContext = {
    harness,
    shared,
    track,
    fresh: async (options) => track(await harness.fresh(options)),
    sibling: async (store) => (harness.sibling ? track(await harness.sibling(store)) : undefined),
    reopen: async (store) => {
      if (!harness.reopen) {
        throw new Error(
          'this case needs harness.reopen(); skip it with a reason where the adapter cannot reopen a database',
        );
      }
      return track(await harness.reopen(store));
    },
  };
  let failure: unknown;
  try {
    await body(ctx);
  } catch (error) {
    failure = error;
  }
  const closeErrors: unknown[] = [];
  for (const store of opened.reverse()) {
    try {
      await withTimeout(store.close(), 15_000, 'store.close()');
    } catch (error) {
      closeErrors.push(error);
    }
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(describeError(failure));
  if (closeErrors.length > 0) throw new Error(`closing a store failed: ${describeError(closeErrors[0])}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Small assertion helpers

function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
}

function expectStrictlyIncreasing(positions: LogPosition[], what: string): void {
  for (let i = 1; i < positions.length; i++) {
    const previous = positions[i - 1]!;
    const current = positions[i]!;
    if (!(comparePositions(previous, current) < 0)) {
      throw new Error(`${what}: position ${i} (${current}) does not sort after position ${i - 1} (${previous})`);
    }
  }
}

function ids(events: Array<{ id: string }>): string[] {
  return events.map((e) => e.id);
}

function expectNoDuplicates(values: string[], what: string): void {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) dupes.add(v);
    seen.add(v);
  }
  if (dupes.size > 0) throw new Error(`${what}: ${dupes.size} duplicated, e.g. ${[...dupes].slice(0, 3).join(', ')}`);
}

/** Per stream, revisions in the order given must be strictly increasing. */
function expectPerStreamOrder(events: RecordedEvent[], what: string): void {
  const last = new Map<string, number>();
  for (const e of events) {
    const previous = last.get(e.streamName);
    if (previous !== undefined && !(e.revision > previous)) {
      throw new Error(`${what}: stream ${e.streamName} revision ${e.revision} appears after revision ${previous}`);
    }
    last.set(e.streamName, e.revision);
  }
}

/**
 * Waits until the global log has settled up to `position` (`headPosition()` reached it). On PostgreSQL the log is
 * gated by the oldest running transaction of the whole server, so a test running elsewhere on it may hold back what
 * readAll returns for a moment; the assertions after this wait then hold exactly.
 */
async function settled(store: EventStore, position: LogPosition, ms = 15_000): Promise<void> {
  await waitFor(
    async () => comparePositions(await store.headPosition(), position) >= 0,
    ms,
    `the global log to settle up to ${position}`,
  );
}

/** Appends a marker event, waits until the log settled up to it, and returns its position: a head after everything written so far. */
async function settledHead(store: EventStore): Promise<LogPosition> {
  const { position } = await store.appendToStream(streamName('marker'), [newEvent('Marker')], {
    expected: 'no_stream',
  });
  await settled(store, position);
  return position;
}

async function readAllEvents(store: EventStore, after: LogPosition = START): Promise<RecordedEvent[]> {
  return toArray(store.readAll({ after }), 30_000, 'readAll');
}

async function readStreamEvents(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  return toArray(store.readStream(stream), 30_000, 'readStream');
}

/** Appends `events` in batches of `size` with exact expectations; returns the results. */
async function appendInBatches(store: EventStore, stream: string, events: NewEvent[], size: number): Promise<void> {
  for (let start = 0; start < events.length; start += size) {
    await store.appendToStream(stream, events.slice(start, start + size), {
      expected: start === 0 ? 'no_stream' : start - 1,
    });
  }
}

/** A transaction that retries on failure, as a caller of `withTransaction` would (used under contention). */
async function transactionWithRetry<T>(
  store: EventStore,
  work: (tx: StoreTransaction) => Promise<T>,
  attempts: number,
  failures: unknown[],
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.withTransaction(work);
    } catch (error) {
      failures.push(error);
      if (attempt >= attempts) {
        throw new Error(`withTransaction failed ${attempt} times; last: ${describeError(error)}`, { cause: error });
      }
      await sleep(Math.random() * 10);
    }
  }
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
}

// ---------------------------------------------------------------------------------------------------------------
// The cases

const CASES: CaseDefinition[] = [
  {
    num: '01',
    id: 'append-new-stream',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('order');
      const events = newEvents(3, 'OrderPlaced');
      const result = await store.appendToStream(stream, events, { expected: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(2);
      expect(typeof result.position).toBe('string');
      expect(comparePositions(START, result.position)).toBeLessThan(0);

      const read = await readStreamEvents(store, stream);
      expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(ids(read)).toEqual(ids(events));
      expect(read.map((e) => e.type)).toEqual(['OrderPlaced', 'OrderPlaced', 'OrderPlaced']);
      expect(read.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
      expect(read.every((e) => e.streamName === stream)).toBe(true);
      expect(read[2]!.position).toBe(result.position);
      expect(await store.getStreamState(stream)).toBe(2);

      // Another stream starts at revision 0 on its own.
      const other = streamName('order');
      const otherResult = await store.appendToStream(other, [newEvent('OrderPlaced')], { expected: 'no_stream' });
      expect(otherResult.nextExpectedRevision).toBe(0);

      // Defaults: an id is generated when absent, schemaVersion 1, metadata {}.
      const third = streamName('order');
      await store.appendToStream(third, [{ type: 'NoId', data: { x: 1 } }], { expected: 'no_stream' });
      const [generated] = await readStreamEvents(store, third);
      expect(generated!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      expect(generated!.schemaVersion).toBe(1);
      expect(generated!.metadata).toEqual({});
    },
  },
  {
    num: '02',
    id: 'append-no-stream-conflict',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('order');
      await store.appendToStream(stream, newEvents(2), { expected: 'no_stream' });
      const error = await rejectsWith(
        () => store.appendToStream(stream, newEvents(2), { expected: 'no_stream' }),
        WrongExpectedVersionError,
      );
      expect(error.stream).toBe(stream);
      expect(error.expected).toBe('no_stream');
      expect(error.actual).toBe(1);
      expect(error.code).toBe('WRONG_EXPECTED_VERSION');
      expect(await store.getStreamState(stream)).toBe(1);
      expect(await readStreamEvents(store, stream)).toHaveLength(2);
    },
  },
  {
    num: '03',
    id: 'append-exact',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('order');
      const first = await store.appendToStream(stream, newEvents(2), { expected: 'no_stream' });
      expect(first.nextExpectedRevision).toBe(1);
      const second = await store.appendToStream(stream, newEvents(2), { expected: 1 });
      expect(second.nextExpectedRevision).toBe(3);

      const stale = await rejectsWith(
        () => store.appendToStream(stream, newEvents(3), { expected: 1 }),
        WrongExpectedVersionError,
        'stale revision',
      );
      expect(stale.stream).toBe(stream);
      expect(stale.expected).toBe(1);
      expect(stale.actual).toBe(3);

      const ahead = await rejectsWith(
        () => store.appendToStream(stream, newEvents(1), { expected: 7 }),
        WrongExpectedVersionError,
        'revision ahead of the stream',
      );
      expect(ahead.expected).toBe(7);
      expect(ahead.actual).toBe(3);

      const missing = streamName('order');
      const onMissing = await rejectsWith(
        () => store.appendToStream(missing, newEvents(1), { expected: 0 }),
        WrongExpectedVersionError,
        'exact revision on a missing stream',
      );
      expect(onMissing.expected).toBe(0);
      expect(onMissing.actual).toBe('no_stream');
      expect(await store.getStreamState(missing)).toBe('no_stream');

      // Nothing partially written by the failed appends.
      const read = await readStreamEvents(store, stream);
      expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      const third = await store.appendToStream(stream, newEvents(1), { expected: 3 });
      expect(third.nextExpectedRevision).toBe(4);
    },
  },
  {
    num: '04',
    id: 'append-stream-exists',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('order');
      const error = await rejectsWith(
        () => store.appendToStream(stream, newEvents(1), { expected: 'stream_exists' }),
        WrongExpectedVersionError,
      );
      expect(error.expected).toBe('stream_exists');
      expect(error.actual).toBe('no_stream');
      expect(await store.getStreamState(stream)).toBe('no_stream');

      await store.appendToStream(stream, newEvents(1), { expected: 'no_stream' });
      const result = await store.appendToStream(stream, newEvents(2), { expected: 'stream_exists' });
      expect(result.nextExpectedRevision).toBe(2);
      expect((await readStreamEvents(store, stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
    },
  },
  {
    num: '05',
    id: 'append-any',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('order');
      expect((await store.appendToStream(stream, newEvents(1), { expected: 'any' })).nextExpectedRevision).toBe(0);
      expect((await store.appendToStream(stream, newEvents(2), { expected: 'any' })).nextExpectedRevision).toBe(2);
      expect((await store.appendToStream(stream, newEvents(1), { expected: 'any' })).nextExpectedRevision).toBe(3);
      expect((await readStreamEvents(store, stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
    },
  },
  {
    num: '06',
    id: 'append-atomic-batch',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('order');
      await store.appendToStream(stream, newEvents(2), { expected: 'no_stream' });
      const head = await settledHead(store);

      // The third event is over the size limit.
      await rejectsInvalid(
        () =>
          store.appendToStream(stream, [newEvent(), newEvent(), newEvent('Big', { blob: 'x'.repeat(3 * MiB) })], {
            expected: 1,
          }),
        'EVENT_TOO_LARGE',
        /large|size|limit|byte/i,
        'batch with an oversized third event',
      );
      // The third event's data is not a JSON object.
      await rejectsInvalid(
        () =>
          store.appendToStream(
            stream,
            [newEvent(), newEvent(), { id: randomUUID(), type: 'Bad', data: [1, 2] as unknown as JsonObject }],
            { expected: 1 },
          ),
        'INVALID_EVENT_DATA',
        /data|object|json/i,
        'batch whose third event data is an array',
      );
      // The third event reuses an id already stored in another stream: the first two must not be written either.
      const elsewhere = streamName('order');
      const taken = newEvent();
      const takenResult = await store.appendToStream(elsewhere, [taken], { expected: 'no_stream' });
      const firstTwo = [newEvent(), newEvent()];
      await rejectsWith(
        () => store.appendToStream(stream, [...firstTwo, { ...taken }], { expected: 1 }),
        DuplicateEventIdError,
        'batch whose third event id is taken',
      );
      // Same on a new stream: the stream must not come into existence.
      const fresh2 = streamName('order');
      await rejectsWith(
        () => store.appendToStream(fresh2, [newEvent(), newEvent(), { ...taken }], { expected: 'no_stream' }),
        DuplicateEventIdError,
        'new-stream batch whose third event id is taken',
      );
      expect(await store.getStreamState(fresh2)).toBe('no_stream');

      await settled(store, takenResult.position);
      const read = await readStreamEvents(store, stream);
      expect(read.map((e) => e.revision)).toEqual([0, 1]);
      const after = await readAllEvents(store, head);
      expect(ids(after)).toEqual([taken.id]);
      for (const e of firstTwo) expect(ids(after)).not.toContain(e.id);

      // A string with U+0000 may or may not be storable (PostgreSQL jsonb cannot hold it): either the whole batch
      // is written and round-trips exactly, or the append fails with a typed error and nothing is written.
      const nulStream = streamName('order');
      const nulEvents = [newEvent(), newEvent(), newEvent('Nul', { text: 'a\u0000b' })];
      let accepted = true;
      try {
        await store.appendToStream(nulStream, nulEvents, { expected: 'no_stream' });
      } catch (error) {
        accepted = false;
        if (!(error instanceof InvalidArgumentError)) {
          throw new Error(`a U+0000 in event data must fail with InvalidArgumentError, got ${describeError(error)}`);
        }
      }
      const nulRead = await readStreamEvents(store, nulStream);
      if (accepted) {
        expect(ids(nulRead)).toEqual(ids(nulEvents));
        expect(nulRead[2]!.data).toEqual({ text: 'a\u0000b' });
      } else {
        expect(nulRead).toEqual([]);
        expect(await store.getStreamState(nulStream)).toBe('no_stream');
      }
    },
  },
  {
    num: '07',
    id: 'append-sizes',
    async run({ shared }) {
      const store = await shared();
      for (const n of [1, 25, 26, 1000]) {
        const stream = streamName('size');
        const events = newEvents(n, 'Sized', (i) => ({ i, text: `event ${i} of ${n}` }));
        const result = await store.appendToStream(stream, events, { expected: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(n - 1);
        const read = await readStreamEvents(store, stream);
        expect(read.map((e) => e.revision)).toEqual(range(n));
        expect(ids(read)).toEqual(ids(events));
        expect(read[n - 1]!.position).toBe(result.position);
      }

      // About 1 MiB of data is accepted and read back intact.
      const bigStream = streamName('size');
      const blob = 'x'.repeat(MiB - 1024);
      await store.appendToStream(bigStream, [newEvent('Big', { blob, tail: 'ende' })], { expected: 'no_stream' });
      const [big] = await readStreamEvents(store, bigStream);
      expect((big!.data.blob as string).length).toBe(blob.length);
      expect(big!.data.blob === blob).toBe(true);
      expect(big!.data.tail).toBe('ende');

      // Over the limit: a typed error, nothing written.
      const hugeStream = streamName('size');
      const error = await rejectsInvalid(
        () =>
          store.appendToStream(hugeStream, [newEvent('Huge', { blob: 'x'.repeat(3 * MiB) })], {
            expected: 'no_stream',
          }),
        'EVENT_TOO_LARGE',
        /large|size|limit|byte/i,
        '3 MiB event',
      );
      expect(error).toBeInstanceOf(EventStoreError);
      expect(await store.getStreamState(hugeStream)).toBe('no_stream');
    },
  },
  {
    num: '08',
    id: 'append-empty',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('order');
      const head = await settledHead(store);

      const onMissing = await store.appendToStream(stream, [], { expected: 'no_stream' });
      expect(onMissing.nextExpectedRevision).toBe(-1);
      expect(onMissing.position).toBe(START);
      expect((await store.appendToStream(stream, [], { expected: 'any' })).nextExpectedRevision).toBe(-1);
      await rejectsWith(
        () => store.appendToStream(stream, [], { expected: 'stream_exists' }),
        WrongExpectedVersionError,
      );
      await rejectsWith(() => store.appendToStream(stream, [], { expected: 0 }), WrongExpectedVersionError);
      // The empty append did not create the stream.
      expect(await store.getStreamState(stream)).toBe('no_stream');

      const written = await store.appendToStream(stream, newEvents(2), { expected: 'no_stream' });
      const exact = await store.appendToStream(stream, [], { expected: 1 });
      expect(exact).toEqual({ nextExpectedRevision: 1, position: written.position });
      expect(await store.appendToStream(stream, [], { expected: 'stream_exists' })).toEqual(exact);
      expect(await store.appendToStream(stream, [], { expected: 'any' })).toEqual(exact);
      const stale = await rejectsWith(
        () => store.appendToStream(stream, [], { expected: 0 }),
        WrongExpectedVersionError,
      );
      expect(stale.actual).toBe(1);
      const noStream = await rejectsWith(
        () => store.appendToStream(stream, [], { expected: 'no_stream' }),
        WrongExpectedVersionError,
      );
      expect(noStream.actual).toBe(1);

      expect(await store.getStreamState(stream)).toBe(1);
      await settled(store, written.position);
      expect(await readAllEvents(store, head)).toHaveLength(2);
    },
  },
  {
    num: '09',
    id: 'idempotent-retry',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('order');
      const a = newEvents(2, 'A');
      const b = newEvents(3, 'B');
      const first = await store.appendToStream(stream, a, { expected: 'no_stream' });
      expect(await store.appendToStream(stream, a, { expected: 'no_stream' })).toEqual(first);

      const second = await store.appendToStream(stream, b, { expected: 1 });
      expect(second.nextExpectedRevision).toBe(4);
      // Retrying the last batch, and the earlier one after the stream moved on, returns the first results.
      expect(await store.appendToStream(stream, b, { expected: 1 })).toEqual(second);
      expect(await store.appendToStream(stream, a, { expected: 'no_stream' })).toEqual(first);

      // With `any`.
      const c = newEvents(2, 'C');
      const third = await store.appendToStream(stream, c, { expected: 'any' });
      expect(await store.appendToStream(stream, c, { expected: 'any' })).toEqual(third);

      const read = await readStreamEvents(store, stream);
      expect(ids(read)).toEqual([...ids(a), ...ids(b), ...ids(c)]);
      expect(read.map((e) => e.revision)).toEqual(range(7));

      // The same ids on another stream are a different event: rejected, nothing written.
      const other = streamName('order');
      const duplicate = await rejectsWith(
        () => store.appendToStream(other, b, { expected: 'no_stream' }),
        DuplicateEventIdError,
        'same ids on another stream',
      );
      expect(duplicate.code).toBe('DUPLICATE_EVENT_ID');
      expect(b.map((e) => e.id)).toContain(duplicate.eventId);
      expect(await store.getStreamState(other)).toBe('no_stream');

      // A batch that only partly repeats stored ids is not a retry: rejected, nothing written.
      const partial = [{ ...c[0]! }, newEvent('D')];
      await rejectsWith(
        () => store.appendToStream(stream, partial, { expected: 'any' }),
        EventStoreError,
        'a batch mixing a stored id and a new one',
      );
      expect(ids(await readStreamEvents(store, stream))).toEqual(ids(read));
    },
  },
  {
    num: '10',
    id: 'conflict-concurrent-exact',
    async run({ shared, sibling }) {
      const store = await shared();
      const other = await sibling(store);
      const writers = other ? [store, other] : [store];
      const stream = streamName('hot');
      await store.appendToStream(stream, [newEvent()], { expected: 'no_stream' });
      const rounds = 5;
      for (let round = 0; round < rounds; round++) {
        const current = round; // the revision every writer read
        const attempts = Array.from({ length: 8 }, (_, w) =>
          writers[w % writers.length]!.appendToStream(stream, [newEvent('Raced', { round, w })], { expected: current }),
        );
        const settled = await Promise.allSettled(attempts);
        const won = settled.filter((s) => s.status === 'fulfilled');
        const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
        expect(won).toHaveLength(1);
        expect((won[0] as PromiseFulfilledResult<{ nextExpectedRevision: number }>).value.nextExpectedRevision).toBe(
          current + 1,
        );
        for (const loss of lost) {
          if (!(loss.reason instanceof WrongExpectedVersionError)) {
            throw new Error(`a losing writer must get WrongExpectedVersionError, got ${describeError(loss.reason)}`);
          }
          expect(loss.reason.expected).toBe(current);
          expect(loss.reason.actual).toBe(current + 1);
        }
      }
      const read = await readStreamEvents(store, stream);
      expect(read.map((e) => e.revision)).toEqual(range(rounds + 1));
      expectNoDuplicates(ids(read), 'event ids');
    },
  },
  {
    num: '11',
    id: 'conflict-concurrent-any-hot-stream',
    timeoutMs: 90_000,
    async run({ shared, sibling }) {
      const store = await shared();
      const other = await sibling(store);
      const writers = other ? [store, other] : [store];
      const perWriter = store.capabilities().concurrentConnections ? 100 : 25;
      const stream = streamName('hot');
      const head = await settledHead(store);
      const results = new Map<string, { nextExpectedRevision: number; position: LogPosition }>();
      const written: TestEvent[][] = [];
      await Promise.all(
        range(8).map(async (w) => {
          const mine: TestEvent[] = [];
          written.push(mine);
          for (let i = 0; i < perWriter; i++) {
            const event = newEvent('Hot', { w, i });
            mine.push(event);
            results.set(
              event.id,
              await writers[w % writers.length]!.appendToStream(stream, [event], { expected: 'any' }),
            );
          }
        }),
      );
      const read = await readStreamEvents(store, stream);
      const total = 8 * perWriter;
      expect(read.map((e) => e.revision)).toEqual(range(total));
      expectNoDuplicates(ids(read), 'event ids');
      expect(new Set(ids(read))).toEqual(new Set(written.flat().map((e) => e.id)));
      const byId = new Map(read.map((e) => [e.id, e]));
      for (const mine of written) {
        const revisions = mine.map((e) => byId.get(e.id)!.revision);
        expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
        for (const e of mine) {
          const recorded = byId.get(e.id)!;
          expect(results.get(e.id)).toEqual({ nextExpectedRevision: recorded.revision, position: recorded.position });
        }
      }
      // Case 20 under this load: the global log keeps the stream's revision order.
      const latest = [...results.values()]
        .map((r) => r.position)
        .reduce((x, y) => (comparePositions(x, y) >= 0 ? x : y));
      await settled(store, latest);
      const inLog = (await readAllEvents(store, head)).filter((e) => e.streamName === stream);
      expect(inLog.map((e) => e.revision)).toEqual(range(total));
      expectStrictlyIncreasing(
        inLog.map((e) => e.position),
        'log positions of the hot stream',
      );
    },
  },
  {
    num: '12',
    id: 'json-fidelity',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('fidelity');
      const data: JsonObject = {
        text: 'Musyawarah desa: penerima bantuan sosial (DTKS) disetujui oleh Kepala Desa Sukamaju, Kab. Bogor',
        emoji: '🎉👨‍👩‍👧‍👦🇮🇩✅',
        mixed: 'Ä ö ü ß é — 中文 — العربية — ไทย — ქართული',
        escapes: 'quote " backslash \\ newline \n tab \t slash / looks-escaped \\u0041 \r\n',
        control: '\u0001\u001f\u007f',
        empty: '',
        bigNumber: '123456789012345678901234567890',
        money: '1500000.50',
        maxSafe: Number.MAX_SAFE_INTEGER,
        minSafe: Number.MIN_SAFE_INTEGER,
        float: 0.1,
        tiny: 1e-7,
        huge: 1.5e300,
        negative: -42,
        zero: 0,
        bools: [true, false],
        nothing: null,
        emptyObject: {},
        emptyArray: [],
        nested: { a: { b: { c: [1, { d: [[], {}] }, 'x', null] } } },
        'key with spaces': 1,
        'kunci.bertitik': 2,
        ключ: 3,
        '🔑': 4,
        $dollar: 5,
        '': 'empty key',
      };
      const metadata: JsonObject = {
        correlationId: randomUUID(),
        causationId: randomUUID(),
        actor: 'Ibu Siti Nurhaliza',
        note: 'Catatan rapat 📝',
        nested: { roles: ['sekretaris desa'], count: 2 },
      };
      const head = await settledHead(store);
      const before = Date.now();
      const event = newEvent('BantuanDisetujui', data, { metadata, schemaVersion: 3 });
      const plain = newEvent('Plain', {});
      const appended = await store.appendToStream(stream, [event, plain], { expected: 'no_stream' });
      await settled(store, appended.position);
      const after = Date.now();

      const check = (read: RecordedEvent[], where: string): void => {
        const [got, gotPlain] = read;
        expect({ where, data: got!.data }).toEqual({ where, data });
        expect(JSON.stringify(got!.data.emoji)).toBe(JSON.stringify(data.emoji));
        expect(got!.metadata).toEqual(metadata);
        expect(got!.schemaVersion).toBe(3);
        expect(got!.type).toBe('BantuanDisetujui');
        expect(gotPlain!.data).toEqual({});
        expect(gotPlain!.metadata).toEqual({});
        expect(gotPlain!.schemaVersion).toBe(1);
        for (const e of [got!, gotPlain!]) {
          expect(e.recordedAt).toBeInstanceOf(Date);
          expect(Number.isNaN(e.recordedAt.getTime())).toBe(false);
          // Same machine, so the database clock and ours agree within a few seconds.
          expect(e.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
          expect(e.recordedAt.getTime()).toBeLessThanOrEqual(after + 5_000);
        }
      };
      check(await readStreamEvents(store, stream), 'readStream');
      check(await readAllEvents(store, head), 'readAll');
      const probe = new SubscriptionProbe(store.subscribeToAll({ after: head }));
      try {
        check(await probe.takeEvents(2), 'subscribeToAll');
      } finally {
        await probe.close();
      }
    },
  },
  {
    num: '13',
    id: 'read-stream',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('read');
      const sameCategory = `${stream}x`; // a longer name with the same prefix must not leak into reads of `stream`
      for (let i = 0; i < 10; i++) {
        await store.appendToStream(stream, [newEvent('R', { i })], { expected: i === 0 ? 'no_stream' : i - 1 });
        await store.appendToStream(sameCategory, [newEvent('R', { i })], { expected: 'any' });
      }
      const revs = async (options?: Parameters<EventStore['readStream']>[1]): Promise<number[]> =>
        (await toArray(store.readStream(stream, options))).map((e) => e.revision);

      expect(await revs()).toEqual(range(10));
      expect(await revs({ direction: 'forwards' })).toEqual(range(10));
      expect(await revs({ from: 'start' })).toEqual(range(10));
      expect(await revs({ direction: 'backwards' })).toEqual(range(10).reverse());
      expect(await revs({ direction: 'backwards', from: 'end' })).toEqual(range(10).reverse());
      expect(await revs({ direction: 'backwards', from: 'end', maxCount: 3 })).toEqual([9, 8, 7]);
      expect(await revs({ from: 3 })).toEqual(range(7, 3));
      expect(await revs({ from: 3, direction: 'backwards' })).toEqual([3, 2, 1, 0]);
      expect(await revs({ maxCount: 4 })).toEqual([0, 1, 2, 3]);
      expect(await revs({ from: 5, maxCount: 2 })).toEqual([5, 6]);
      expect(await revs({ from: 9 })).toEqual([9]);
      expect(await revs({ from: 10 })).toEqual([]);
      expect(await revs({ from: 25 })).toEqual([]);
      expect(await revs({ direction: 'backwards', maxCount: 1 })).toEqual([9]);

      const all = await readStreamEvents(store, stream);
      expect(all.every((e) => e.streamName === stream)).toBe(true);
      expect(all.map((e) => e.data.i)).toEqual(range(10));
      expectStrictlyIncreasing(
        all.map((e) => e.position),
        'readStream positions',
      );
    },
  },
  {
    num: '14',
    id: 'read-missing-stream',
    async run({ shared }) {
      const store = await shared();
      await store.appendToStream(streamName('other'), newEvents(2), { expected: 'no_stream' });
      const missing = streamName('missing');
      expect(await toArray(store.readStream(missing))).toEqual([]);
      expect(await toArray(store.readStream(missing, { direction: 'backwards' }))).toEqual([]);
      expect(await toArray(store.readStream(missing, { from: 'end', direction: 'backwards' }))).toEqual([]);
      expect(await toArray(store.readStream(missing, { from: 3 }))).toEqual([]);
      expect(await store.getStreamState(missing)).toBe('no_stream');
    },
  },
  {
    num: '15',
    id: 'read-your-writes',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('ryw');
      for (let i = 0; i < 20; i++) {
        const event = newEvent('W', { i });
        const result = await store.appendToStream(stream, [event], { expected: i === 0 ? 'no_stream' : i - 1 });
        const [last] = await toArray(store.readStream(stream, { direction: 'backwards', maxCount: 1 }));
        expect(last?.id).toBe(event.id);
        expect(last?.revision).toBe(i);
        expect(last?.position).toBe(result.position);
        expect(await store.getStreamState(stream)).toBe(i);
      }
    },
  },
  {
    num: '16',
    id: 'position-consistency',
    async run({ fresh }) {
      const store = await fresh();
      const s1 = streamName('pos');
      const s2 = streamName('pos');
      const r1 = await store.appendToStream(s1, newEvents(3), { expected: 'no_stream' });
      const r2 = await store.appendToStream(s2, newEvents(2), { expected: 'no_stream' });
      const r3 = await store.appendToStream(s1, newEvents(1), { expected: 2 });
      await settled(store, r3.position);

      const stream1 = await readStreamEvents(store, s1);
      const stream2 = await readStreamEvents(store, s2);
      expect(stream1[2]!.position).toBe(r1.position);
      expect(stream1[3]!.position).toBe(r3.position);
      expect(stream2[1]!.position).toBe(r2.position);

      const all = await readAllEvents(store);
      const byId = new Map(all.map((e) => [e.id, e]));
      for (const e of [...stream1, ...stream2]) {
        expect(byId.get(e.id)?.position).toBe(e.position);
        expect(byId.get(e.id)?.revision).toBe(e.revision);
        expect(byId.get(e.id)?.streamName).toBe(e.streamName);
      }
      expect(comparePositions(r1.position, r2.position)).toBeLessThan(0);
      expect(comparePositions(r2.position, r3.position)).toBeLessThan(0);
      expect(comparePositions(r2.position, r1.position)).toBeGreaterThan(0);
      expect(comparePositions(r1.position, r1.position)).toBe(0);
      expect(comparePositions(START, r1.position)).toBeLessThan(0);
      expect(comparePositions(r3.position, END)).toBeLessThan(0);
      expect(all[all.length - 1]!.position).toBe(r3.position);
      expect(await store.headPosition()).toBe(r3.position);
    },
  },
  {
    num: '17',
    id: 'all-order',
    async run({ fresh }) {
      const store = await fresh();
      const streams = range(5).map(() => streamName('order'));
      const expected: string[] = [];
      let last: LogPosition = START;
      for (let i = 0; i < 40; i++) {
        const stream = streams[i % 5]!;
        const batch = newEvents(1 + (i % 3), 'Logged', (k) => ({ i, k }));
        last = (await store.appendToStream(stream, batch, { expected: 'any' })).position;
        expected.push(...ids(batch));
      }
      await settled(store, last);
      const all = await readAllEvents(store);
      expect(ids(all)).toEqual(expected);
      expectStrictlyIncreasing(
        all.map((e) => e.position),
        'readAll positions',
      );
      expectPerStreamOrder(all, 'readAll');

      // Paging with maxCount gives the same sequence.
      const paged: RecordedEvent[] = [];
      let after: LogPosition = START;
      for (;;) {
        const page = await toArray(store.readAll({ after, maxCount: 7 }));
        expect(page.length).toBeLessThanOrEqual(7);
        if (page.length === 0) break;
        paged.push(...page);
        after = page[page.length - 1]!.position;
      }
      expect(ids(paged)).toEqual(expected);
      expect(paged.map((e) => e.position)).toEqual(all.map((e) => e.position));
    },
  },
  {
    num: '18',
    id: 'all-gap-safe-deterministic',
    async run({ fresh }) {
      const store = await fresh();
      const before = await settledHead(store);
      const sA = streamName('gapa');
      const sB = streamName('gapb');
      const eventA = newEvent('A');
      const eventB = newEvent('B');
      const probe = new SubscriptionProbe(store.subscribeToAll({ after: before }));
      const gate = deferred();
      const aAppended = deferred<LogPosition>();
      try {
        await probe.untilCaughtUp();
        const transaction = store.withTransaction(async (tx) => {
          const result = await tx.appendToStream(sA, [eventA], { expected: 'no_stream' });
          aAppended.resolve(result.position);
          await gate.promise;
          return result;
        });
        transaction.catch((error: unknown) => aAppended.reject(error));
        const positionA = await withTimeout(aAppended.promise, 10_000, 'transaction A to append');
        try {
          // B commits while A is open.
          const resultB = await withTimeout(
            store.appendToStream(sB, [eventB], { expected: 'no_stream' }),
            10_000,
            'B to commit while A is open',
          );
          expect(comparePositions(positionA, resultB.position)).toBeLessThan(0);
          // Nothing that sorts at or after A may be read while A is open; B sorts after A, so nothing at all.
          const whileOpen = await readAllEvents(store, before);
          for (const e of whileOpen) {
            expect(comparePositions(e.position, positionA)).toBeLessThan(0);
          }
          expect(ids(whileOpen)).toEqual([]);
          expect(comparePositions(await store.headPosition(), positionA)).toBeLessThan(0);
          await probe.expectNoEvent(300);
        } finally {
          gate.resolve();
        }
        const resultA = await withTimeout(transaction, 10_000, 'transaction A to commit');
        expect(resultA.position).toBe(positionA);

        const settled = await waitFor(
          async () => {
            const got = await readAllEvents(store, before);
            return got.length >= 2 ? got : undefined;
          },
          10_000,
          'both events to be readable after A committed',
        );
        expect(ids(settled)).toEqual([eventA.id, eventB.id]);
        expectStrictlyIncreasing(
          settled.map((e) => e.position),
          'readAll positions',
        );
        const delivered = await probe.takeEvents(2);
        expect(ids(delivered)).toEqual([eventA.id, eventB.id]);
        await probe.expectNoEvent(100);
      } finally {
        gate.resolve();
        await probe.close();
      }
    },
  },
  {
    num: '19',
    id: 'all-gap-safe-soak',
    timeoutMs: 90_000,
    async run({ fresh }) {
      const store = await fresh();
      const concurrent = store.capabilities().concurrentConnections;
      const appendsPerWriter = concurrent ? 30 : 12;
      const shared = range(3).map(() => streamName('soak'));
      const written: string[] = [];
      let writersDone = false;
      const txFailures: unknown[] = [];

      const writer = async (w: number): Promise<void> => {
        const own = streamName('soaktx');
        for (let i = 0; i < appendsPerWriter; i++) {
          const batch = newEvents(1 + Math.floor(Math.random() * 3), 'Soak', (k) => ({ w, i, k }));
          if (w % 4 === 3) {
            // Holds its transaction open for a moment while others commit: the reader must wait, not skip.
            await transactionWithRetry(
              store,
              async (tx) => {
                await tx.appendToStream(own, batch, { expected: 'any' });
                await sleep(Math.random() * 8);
              },
              10,
              txFailures,
            );
          } else {
            await store.appendToStream(shared[w % shared.length]!, batch, { expected: 'any' });
          }
          written.push(...ids(batch));
          await sleep(Math.random() * 6);
        }
      };

      const seen: RecordedEvent[] = [];
      const reader = async (): Promise<void> => {
        let last: LogPosition = START;
        const deadline = Date.now() + 60_000;
        for (;;) {
          const finished = writersDone;
          let got = 0;
          for await (const e of store.readAll({ after: last })) {
            if (comparePositions(last, e.position) >= 0) {
              throw new Error(`readAll after ${last} returned ${e.position}, which does not sort after it`);
            }
            seen.push(e);
            last = e.position;
            got++;
          }
          if (finished && got === 0 && seen.length >= written.length) return;
          if (Date.now() > deadline) throw new Error(`tailing reader saw ${seen.length} of ${written.length} events`);
          if (got === 0) await sleep(3);
        }
      };

      const readerDone = reader();
      try {
        await Promise.all(range(8).map(writer));
      } finally {
        writersDone = true;
      }
      await readerDone;
      expectNoDuplicates(ids(seen), 'events read by the tailing reader');
      expect(new Set(ids(seen))).toEqual(new Set(written));
      expect(seen).toHaveLength(written.length);
      expectPerStreamOrder(seen, 'tailing reader');
      const all = await readAllEvents(store);
      expect(ids(all)).toEqual(ids(seen));
    },
  },
  {
    num: '20',
    id: 'all-per-stream-order',
    timeoutMs: 90_000,
    async run({ fresh }) {
      const store = await fresh();
      const concurrent = store.capabilities().concurrentConnections;
      const failures: unknown[] = [];

      if (concurrent) {
        // The orderdemo scenario: T1 writes s1 (taking its transaction id first), T2 writes s2 and commits, then T1
        // writes s2. T1's s2 event must not end up before T2's in the log.
        const s1 = streamName('ord1');
        const s2 = streamName('ord2');
        const gate = deferred();
        const t1Started = deferred();
        const e1 = newEvent('T1');
        const e2 = newEvent('T1');
        const t1 = transactionWithRetry(
          store,
          async (tx) => {
            await tx.appendToStream(s1, [e1], { expected: 'any' });
            t1Started.resolve();
            await gate.promise;
            await tx.appendToStream(s2, [e2], { expected: 'any' });
          },
          5,
          failures,
        );
        t1.catch(() => t1Started.resolve());
        try {
          await withTimeout(t1Started.promise, 10_000, 'T1 to write s1');
          await withTimeout(
            store.appendToStream(s2, [newEvent('T2')], { expected: 'any' }),
            10_000,
            'T2 to commit while T1 is open',
          );
        } finally {
          gate.resolve();
        }
        await withTimeout(t1, 20_000, 'T1 to commit');
        await settledHead(store);
        const all = await readAllEvents(store);
        expectPerStreamOrder(all, 'readAll after the orderdemo interleaving');
        expect((await readStreamEvents(store, s2)).map((e) => e.revision)).toEqual([0, 1]);
        expect(all.filter((e) => e.streamName === s2).map((e) => e.revision)).toEqual([0, 1]);
      }

      // Random concurrency: plain `any` appends and two-stream transactions on a few shared streams.
      const pool = range(3).map(() => streamName('mix'));
      const rounds = concurrent ? 25 : 10;
      const plain = async (w: number): Promise<void> => {
        for (let i = 0; i < rounds; i++) {
          await store.appendToStream(pool[(w + i) % pool.length]!, newEvents(1 + (i % 2), 'Plain'), {
            expected: 'any',
          });
        }
      };
      const transactional = async (w: number): Promise<void> => {
        for (let i = 0; i < Math.ceil(rounds / 2); i++) {
          const a = (w + i) % pool.length;
          const b = (a + 1 + (i % 2)) % pool.length;
          // Lock streams in a fixed order so the transactions cannot deadlock each other.
          const [first, second] = [pool[Math.min(a, b)]!, pool[Math.max(a, b)]!];
          const e1 = newEvents(1, 'Unit');
          const e2 = newEvents(2, 'Unit');
          await transactionWithRetry(
            store,
            async (tx) => {
              await tx.appendToStream(first, e1, { expected: 'any' });
              await sleep(Math.random() * 3);
              await tx.appendToStream(second, e2, { expected: 'any' });
            },
            30,
            failures,
          );
        }
      };
      await Promise.all([...range(4).map(plain), ...range(3).map(transactional)]);

      await settledHead(store);
      const all = await readAllEvents(store);
      expectPerStreamOrder(all, 'readAll under concurrency');
      expectStrictlyIncreasing(
        all.map((e) => e.position),
        'readAll positions',
      );
      for (const stream of pool) {
        const inLog = all.filter((e) => e.streamName === stream);
        const inStream = await readStreamEvents(store, stream);
        expect(inLog.map((e) => e.revision)).toEqual(range(inStream.length));
        expect(ids(inLog)).toEqual(ids(inStream));
      }
    },
  },
  {
    num: '21',
    id: 'all-rollback',
    async run({ fresh }) {
      const store = await fresh();
      const head = await settledHead(store);
      const probe = new SubscriptionProbe(store.subscribeToAll({ after: head }));
      try {
        await probe.untilCaughtUp();
        const rolledBack = streamName('rollback');
        const boom = new Error('boom');
        const rejected = await store
          .withTransaction(async (tx) => {
            await tx.appendToStream(rolledBack, newEvents(2), { expected: 'no_stream' });
            throw boom;
          })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(rejected).toBe(boom);
        expect(await store.getStreamState(rolledBack)).toBe('no_stream');
        expect(await toArray(store.readStream(rolledBack))).toEqual([]);
        expect(await readAllEvents(store, head)).toEqual([]);
        expect(await store.headPosition()).toBe(head);
        await probe.expectNoEvent(200);

        // A later append is read normally: the reader is not stalled by the rolled-back transaction.
        const later = newEvent('Later');
        const laterResult = await store.appendToStream(rolledBack, [later], { expected: 'no_stream' });
        await settled(store, laterResult.position);
        expect(ids(await readAllEvents(store, head))).toEqual([later.id]);
        expect(ids(await probe.takeEvents(1, 5_000))).toEqual([later.id]);
        expect((await readStreamEvents(store, rolledBack)).map((e) => e.revision)).toEqual([0]);
      } finally {
        await probe.close();
      }
    },
  },
  {
    num: '22',
    id: 'all-resume-exclusive',
    async run({ fresh }) {
      const store = await fresh();
      const streams = range(3).map(() => streamName('resume'));
      let last: LogPosition = START;
      for (let i = 0; i < 15; i++) {
        last = (await store.appendToStream(streams[i % 3]!, newEvents(2), { expected: 'any' })).position;
      }
      await settled(store, last);
      const all = await readAllEvents(store);
      expect(all).toHaveLength(30);
      expect(ids(await readAllEvents(store, START))).toEqual(ids(all));
      for (const k of [0, 1, 14, 28, 29]) {
        const suffix = await readAllEvents(store, all[k]!.position);
        expect(ids(suffix)).toEqual(ids(all.slice(k + 1)));
      }
      expect(await readAllEvents(store, all[29]!.position)).toEqual([]);
      const window = await toArray(store.readAll({ after: all[9]!.position, maxCount: 5 }));
      expect(ids(window)).toEqual(ids(all.slice(10, 15)));
    },
  },
  {
    num: '23',
    id: 'all-filters',
    async run({ fresh }) {
      const store = await fresh();
      const alpha1 = streamName('alpha');
      const alpha2 = `alpha-${randomUUID()}-part`;
      const alphabet = streamName('alphabet'); // must not match category "alpha"
      const beta = streamName('beta');
      const gamma = streamName('gamma');
      const plan: Array<[string, string[]]> = [
        [alpha1, ['Created', 'Updated']],
        [beta, ['Created']],
        [alphabet, ['Created']],
        [gamma, ['Created', 'Deleted']],
        [alpha2, ['Updated']],
        [beta, ['Updated']],
        [alpha1, ['Deleted']],
        [beta, ['Updated', 'Updated']],
        [alphabet, ['Updated', 'Deleted']],
      ];
      let last: LogPosition = START;
      for (const [stream, types] of plan) {
        last = (
          await store.appendToStream(
            stream,
            types.map((t) => newEvent(t)),
            { expected: 'any' },
          )
        ).position;
      }
      await settled(store, last);
      const all = await readAllEvents(store);
      const filtered = async (
        filter: { categories?: string[]; eventTypes?: string[] },
        after: LogPosition = START,
      ): Promise<string[]> => ids(await toArray(store.readAll({ after, filter })));
      const expectIds = (predicate: (e: RecordedEvent) => boolean, from = 0): string[] =>
        ids(all.slice(from).filter(predicate));

      expect(await filtered({ categories: ['alpha'] })).toEqual(expectIds((e) => categoryOf(e.streamName) === 'alpha'));
      expect(await filtered({ categories: ['alpha', 'gamma'] })).toEqual(
        expectIds((e) => ['alpha', 'gamma'].includes(categoryOf(e.streamName))),
      );
      expect(await filtered({ categories: ['alphabet'] })).toEqual(expectIds((e) => e.streamName === alphabet));
      expect(await filtered({ categories: ['nothing'] })).toEqual([]);
      expect(await filtered({ eventTypes: ['Updated'] })).toEqual(expectIds((e) => e.type === 'Updated'));
      expect(await filtered({ eventTypes: ['Created', 'Deleted'] })).toEqual(
        expectIds((e) => e.type === 'Created' || e.type === 'Deleted'),
      );
      // Both filters: an event must match both.
      expect(await filtered({ categories: ['beta'], eventTypes: ['Updated'] })).toEqual(
        expectIds((e) => e.streamName === beta && e.type === 'Updated'),
      );
      // With `after` and with `maxCount` (which counts matching events).
      expect(await filtered({ categories: ['alpha'] }, all[3]!.position)).toEqual(
        expectIds((e) => categoryOf(e.streamName) === 'alpha', 4),
      );
      const limited = await toArray(store.readAll({ filter: { eventTypes: ['Updated'] }, maxCount: 2 }));
      expect(ids(limited)).toEqual(expectIds((e) => e.type === 'Updated').slice(0, 2));

      // A filtered subscription still reports progress through the events it skips.
      const lastGamma = all.filter((e) => e.streamName === gamma).pop()!;
      const head = all[all.length - 1]!.position;
      const probe = new SubscriptionProbe(
        store.subscribeToAll({ filter: { categories: ['gamma'] }, checkpointEvery: 2 }),
      );
      try {
        const { events, signals, position } = await probe.untilCaughtUp();
        expect(ids(events)).toEqual(expectIds((e) => e.streamName === gamma));
        expect(position).toBe(head);
        const checkpoints = signals.filter((s) => s.kind === 'checkpoint');
        expect(checkpoints.some((s) => comparePositions(s.position, lastGamma.position) > 0)).toBe(true);
      } finally {
        await probe.close();
      }
    },
  },
  {
    num: '24',
    id: 'sub-catchup-then-live',
    async run({ fresh }) {
      const store = await fresh();
      // On an empty store the subscription catches up at once.
      const empty = new SubscriptionProbe(store.subscribeToAll());
      try {
        const first = await empty.untilCaughtUp();
        expect(first.events).toEqual([]);
      } finally {
        await empty.close();
      }

      const stream = streamName('sub');
      const existing = newEvents(5);
      await settled(store, (await store.appendToStream(stream, existing, { expected: 'no_stream' })).position);
      const probe = new SubscriptionProbe(store.subscribeToAll());
      try {
        const caughtUp = await probe.untilCaughtUp();
        expect(ids(caughtUp.events)).toEqual(ids(existing));
        expect(caughtUp.position).toBe(caughtUp.events[4]!.position);
        const live1 = newEvents(2, 'Live');
        const live2 = newEvents(1, 'Live');
        const other = streamName('sub');
        await store.appendToStream(stream, live1, { expected: 4 });
        await store.appendToStream(other, live2, { expected: 'no_stream' });
        const live = await probe.takeEvents(3);
        expect(ids(live)).toEqual([...ids(live1), ...ids(live2)]);
        const delivered = probe.events;
        expectNoDuplicates(ids(delivered), 'delivered events');
        expectStrictlyIncreasing(
          delivered.map((e) => e.position),
          'delivered positions',
        );
        await probe.expectNoEvent(150);
      } finally {
        await probe.close();
      }
    },
  },
  {
    num: '25',
    id: 'sub-from-end',
    async run({ fresh }) {
      const store = await fresh();
      const stream = streamName('end');
      await settled(store, (await store.appendToStream(stream, newEvents(5), { expected: 'no_stream' })).position);
      const head = await store.headPosition();
      const probe = new SubscriptionProbe(store.subscribeToAll({ after: END }));
      try {
        const caughtUp = await probe.untilCaughtUp();
        expect(caughtUp.events).toEqual([]);
        expect(caughtUp.position).toBe(head);
        const live = newEvents(3, 'Live');
        await store.appendToStream(stream, live.slice(0, 2), { expected: 4 });
        await store.appendToStream(stream, live.slice(2), { expected: 6 });
        expect(ids(await probe.takeEvents(3))).toEqual(ids(live));
        expect(probe.events).toHaveLength(3);
      } finally {
        await probe.close();
      }
    },
  },
  {
    num: '26',
    id: 'sub-filter-checkpoints',
    async run({ fresh }) {
      const store = await fresh();
      const alpha = streamName('alpha');
      const beta = streamName('beta');
      await store.appendToStream(alpha, newEvents(3, 'A'), { expected: 'any' });
      await store.appendToStream(beta, newEvents(30, 'B'), { expected: 'any' });
      await store.appendToStream(alpha, newEvents(2, 'A'), { expected: 'any' });
      await settled(store, (await store.appendToStream(beta, newEvents(30, 'B'), { expected: 'any' })).position);
      const all = await readAllEvents(store);
      const alphas = all.filter((e) => e.streamName === alpha);
      const head = all[all.length - 1]!.position;

      const filter = { categories: ['alpha'] };
      const probe = new SubscriptionProbe(store.subscribeToAll({ filter, checkpointEvery: 10 }));
      try {
        const { events, signals, position } = await probe.untilCaughtUp();
        expect(ids(events)).toEqual(ids(alphas));
        expect(position).toBe(head);
        // Every message's position moves forward.
        const positions = probe.messages.map((m) => (m.kind === 'event' ? m.event.position : m.position));
        for (let i = 1; i < positions.length; i++) {
          expect(comparePositions(positions[i - 1]!, positions[i]!)).toBeLessThanOrEqual(0);
        }
        for (const m of probe.messages) {
          if (m.kind === 'event') expect(m.event.streamName).toBe(alpha);
        }
        const checkpoints = signals.filter((s) => s.kind === 'checkpoint').map((s) => s.position);
        // 30 skipped events between alpha #3 and alpha #4, and 30 after the last alpha: a checkpoint in each run.
        expect(
          checkpoints.some(
            (p) => comparePositions(p, alphas[2]!.position) > 0 && comparePositions(p, alphas[3]!.position) < 0,
          ),
        ).toBe(true);
        expect(checkpoints.some((p) => comparePositions(p, alphas[4]!.position) > 0)).toBe(true);
        for (const p of checkpoints) expect(comparePositions(p, head)).toBeLessThanOrEqual(0);

        // Live: 25 skipped events move the reported position past at least the 10th of them.
        const liveBeta = newEvents(25, 'B');
        const liveResult = await store.appendToStream(beta, liveBeta, { expected: 59 });
        await settled(store, liveResult.position);
        const liveAll = await readAllEvents(store, head);
        const tenth = liveAll[9]!.position;
        await probe.until(
          (m) => m.kind !== 'event' && comparePositions(m.position, tenth) >= 0,
          10_000,
          'a checkpoint past the 10th skipped live event',
        );
        const liveAlpha = newEvent('A');
        await store.appendToStream(alpha, [liveAlpha], { expected: 4 });
        expect(ids(await probe.takeEvents(1))).toEqual([liveAlpha.id]);
        expect(comparePositions(liveResult.position, probe.events[probe.events.length - 1]!.position)).toBeLessThan(0);

        // Resuming from a checkpoint gives the matching events after it.
        const resumeFrom = checkpoints.find((p) => comparePositions(p, alphas[2]!.position) > 0)!;
        const resumed = new SubscriptionProbe(store.subscribeToAll({ after: resumeFrom, filter, checkpointEvery: 10 }));
        try {
          const again = await resumed.untilCaughtUp();
          expect(ids(again.events)).toEqual([alphas[3]!.id, alphas[4]!.id, liveAlpha.id]);
        } finally {
          await resumed.close();
        }
      } finally {
        await probe.close();
      }
    },
  },
  {
    num: '27',
    id: 'sub-resume-after-crash',
    timeoutMs: 120_000,
    async run(ctx) {
      const { harness } = ctx;
      const store = await ctx.fresh({ persistent: true });
      const env = harness.childEnv(store);
      const stream = streamName('crash');
      const subscriberId = 'crash-sub';
      const seed = randomUUID();
      const initial = 100;
      const whileDown = 30;
      const eventsFor = (from: number, count: number): NewEvent[] =>
        range(count, from).map((i) => ({ id: indexedUuid(seed, i), type: 'CrashProbe', data: { i } }));
      const childEnv = {
        ...env,
        MUSKEL_CRASH_SUBSCRIBER: subscriberId,
        MUSKEL_CRASH_STREAM: stream,
        MUSKEL_CRASH_SEED: seed,
        // On an exclusive adapter the child writes the first events itself (and repeats that idempotently).
        MUSKEL_CRASH_APPEND_COUNT: harness.exclusive ? String(initial) : '0',
      };
      if (harness.exclusive) {
        await store.close();
      } else {
        await appendInBatches(store, stream, eventsFor(0, initial), 10);
      }

      // Run 1: slow consumer, killed mid-way.
      const run1 = new FixtureProcess('crash-subscriber.ts', { ...childEnv, MUSKEL_CRASH_DELAY_MS: '15' });
      try {
        await run1.waitForLines('seen', 20, 60_000);
        await sleep(Math.random() * 15);
        run1.kill('SIGKILL');
        await run1.waitForExit(10_000);
      } finally {
        await run1.stop();
      }
      if (run1.describeExit() !== 'signal SIGKILL') {
        throw new Error(`run 1 should have been killed but ended with ${run1.describeExit()}${run1.stderrTail()}`);
      }
      const seenBeforeKill = run1.linesWith('seen').length;
      expect(seenBeforeKill).toBeLessThan(initial);

      // More events arrive while the consumer is down.
      const writer = harness.exclusive ? await ctx.reopen(store) : store;
      const lastWrite = await writer.appendToStream(stream, eventsFor(initial, whileDown), { expected: initial - 1 });
      // Run 2 stops at its first caughtUp: make sure that is after every event.
      await settled(writer, lastWrite.position);
      if (harness.exclusive) await writer.close();

      // Run 2: resumes from the checkpoint, consumes everything, exits when caught up.
      const run2 = new FixtureProcess('crash-subscriber.ts', { ...childEnv, MUSKEL_CRASH_DELAY_MS: '0' });
      try {
        const exit = await run2.waitForExit(60_000);
        if (exit.code !== 0) throw new Error(`run 2 ended with ${run2.describeExit()}${run2.stderrTail()}`);
      } finally {
        await run2.stop();
      }
      expect(run2.linesWith('caughtUp')).toHaveLength(1);

      const verifier = harness.exclusive ? await ctx.reopen(store) : store;
      const total = initial + whileDown;
      const streamEvents = await readStreamEvents(verifier, stream);
      expect(ids(streamEvents)).toEqual(range(total).map((i) => indexedUuid(seed, i)));
      const rows = await verifier.withTransaction((tx) =>
        tx.query<{ event_id: string; n: number | string }>(
          'SELECT event_id::text AS event_id, count(*) AS n FROM crash_seen GROUP BY event_id',
        ),
      );
      const counts = new Map(rows.map((r) => [r.event_id, Number(r.n)]));
      const duplicated = [...counts].filter(([, n]) => n !== 1);
      expect(duplicated).toEqual([]);
      const missing = ids(streamEvents).filter((id) => !counts.has(id));
      expect(missing).toEqual([]);
      expect(counts.size).toBe(total);
      expect(await verifier.checkpoints.load(subscriberId)).toBe(streamEvents[total - 1]!.position);
      // Run 2 resumed right after the last event the killed run committed.
      expect(run2.linesWith('seen').length).toBeGreaterThanOrEqual(total - seenBeforeKill - 1);
      expect(run2.linesWith('seen').length).toBeLessThanOrEqual(total - seenBeforeKill);
    },
  },
  {
    num: '28',
    id: 'sub-backpressure',
    timeoutMs: 120_000,
    async run({ fresh }) {
      const gc = exposeGc();
      if (!gc) throw new Error('cannot expose gc() to measure memory; run node with --expose-gc');
      const store = await fresh();
      const stream = streamName('bulk');
      const count = 3000;
      const payloadBytes = 32 * 1024;
      const payload = 'p'.repeat(payloadBytes);
      for (let start = 0; start < count; start += 20) {
        await store.appendToStream(
          stream,
          range(20, start).map((i) => newEvent('Bulk', { i, payload })),
          { expected: start === 0 ? 'no_stream' : start - 1 },
        );
      }
      const totalBytes = count * payloadBytes;
      gc();
      const baseline = process.memoryUsage().heapUsed;

      const probe = new SubscriptionProbe(store.subscribeToAll());
      let expectedI = 0;
      let lastPosition: LogPosition = START;
      const consume = (e: RecordedEvent): void => {
        expect(e.data.i).toBe(expectedI);
        expect(comparePositions(lastPosition, e.position)).toBeLessThan(0);
        expectedI++;
        lastPosition = e.position;
      };
      try {
        for (const e of await probe.takeEvents(10)) consume(e);
        probe.messages.length = 0;
        // The consumer stalls: a pull-based subscription with a bounded buffer must not read the rest meanwhile.
        await sleep(1_000);
        gc();
        const growth = process.memoryUsage().heapUsed - baseline;
        if (growth > totalBytes / 2) {
          throw new Error(
            `heap grew by ${(growth / MiB).toFixed(1)} MiB while the consumer stalled after 10 of ${count} events ` +
              `(${(totalBytes / MiB).toFixed(0)} MiB in total): the subscription is reading far ahead`,
          );
        }
        // Slow consumer through the rest: order kept, nothing lost.
        while (expectedI < count) {
          const message = await probe.next(20_000);
          if (!message) throw new Error(`subscription ended after ${expectedI} events`);
          if (message.kind !== 'event') continue;
          consume(message.event);
          probe.messages.length = 0;
          if (expectedI % 200 === 0) await sleep(20);
          else if (expectedI % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        // Generous: the log is read below the oldest transaction open on the server, which other suites may hold.
        await probe.until((m) => m.kind === 'caughtUp', 60_000, 'caughtUp after the last event');
        expect(expectedI).toBe(count);
      } finally {
        await probe.close();
      }
    },
  },
  {
    num: '29',
    id: 'sub-close',
    async run({ fresh }) {
      const timersBefore = activeTimers();
      const store = await fresh();
      const stream = streamName('close');
      await store.appendToStream(stream, newEvents(3), { expected: 'no_stream' });

      const subscription = store.subscribeToAll();
      const received: SubscriptionMessage[] = [];
      let loopError: unknown;
      const loop = (async () => {
        try {
          for await (const message of subscription) received.push(message);
        } catch (error) {
          loopError = error;
        }
      })();
      await waitFor(() => received.some((m) => m.kind === 'caughtUp'), 10_000, 'caughtUp');
      const live = newEvent('Live');
      await store.appendToStream(stream, [live], { expected: 2 });
      await waitFor(() => received.some((m) => m.kind === 'event' && m.event.id === live.id), 10_000, 'the live event');

      // The loop is now waiting for more; close() must end it promptly.
      const started = Date.now();
      await withTimeout(subscription.close(), 2_000, 'subscription.close()');
      await withTimeout(loop, 2_000, 'the for-await loop to end after close()');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(loopError).toBeUndefined();
      const countAtClose = received.length;
      await store.appendToStream(stream, newEvents(2), { expected: 3 });
      await sleep(300);
      expect(received).toHaveLength(countAtClose);
      await withTimeout(subscription.close(), 2_000, 'a second subscription.close()');
      const after = await withTimeout(subscription[Symbol.asyncIterator]().next(), 2_000, 'next() after close()');
      expect(after.done).toBe(true);

      // Closed before iterating: iteration ends at once.
      const unused = store.subscribeToAll();
      await withTimeout(unused.close(), 2_000, 'closing an unused subscription');
      expect(
        (await withTimeout(unused[Symbol.asyncIterator]().next(), 2_000, 'next() on a closed subscription')).done,
      ).toBe(true);

      // Leaving a for-await loop with `break` closes the subscription too.
      const broken = store.subscribeToAll();
      for await (const message of broken) {
        void message;
        break;
      }
      await withTimeout(broken.close(), 2_000, 'close() after break');

      await withTimeout(store.close(), 5_000, 'store.close() after the subscriptions ended');
      await sleep(50);
      const timersAfter = activeTimers();
      if (timersAfter > timersBefore) {
        throw new Error(
          `${timersAfter - timersBefore} timer(s) left after the subscriptions and the store were closed ` +
            `(${process.getActiveResourcesInfo().join(', ')})`,
        );
      }
    },
  },
  {
    num: '30',
    id: 'sub-reconnect',
    autoSkip: (harness) => (harness.interrupt ? undefined : 'the harness cannot make the database unreachable'),
    async run({ fresh, harness }) {
      const store = await fresh();
      const stream = streamName('reconnect');
      const first = await store.appendToStream(stream, newEvents(2), { expected: 'any' });
      // Caught up means up to the settled head: wait until a transaction elsewhere on the server no longer holds it back.
      await settled(store, first.position);
      const probe = new SubscriptionProbe(store.subscribeToAll());
      const appended: string[] = [];
      const append = async (n: number): Promise<void> => {
        const events = newEvents(n, 'AfterInterrupt');
        // The append itself may hit the dropped connection once; retry it a few times (same ids: idempotent).
        for (let attempt = 1; ; attempt++) {
          try {
            await store.appendToStream(stream, events, { expected: 'any' });
            break;
          } catch (error) {
            if (attempt >= 5) throw error;
            await sleep(200);
          }
        }
        appended.push(...ids(events));
      };
      try {
        const caughtUp = await probe.untilCaughtUp();
        expect(caughtUp.events).toHaveLength(2);
        await append(2);
        await probe.takeEvents(2);

        await harness.interrupt!(store);
        await append(3);
        await harness.interrupt!(store);
        await sleep(200);
        await append(2);
        const delivered = await probe.takeEvents(5, 20_000);
        expect(ids(delivered)).toEqual(appended.slice(2));
        expectNoDuplicates(ids(probe.events), 'delivered events');
        expect(ids(probe.events)).toEqual(ids(await readAllEvents(store)));
        expect((await store.health()).reachable).toBe(true);
      } finally {
        await probe.close();
      }
    },
  },
  {
    num: '31',
    id: 'checkpoint-cas',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('cp');
      await store.appendToStream(stream, newEvents(4), { expected: 'no_stream' });
      const [p1, p2, p3, p4] = (await readStreamEvents(store, stream)).map((e) => e.position) as [
        LogPosition,
        LogPosition,
        LogPosition,
        LogPosition,
      ];
      const cp = store.checkpoints;
      const suffix = randomUUID();
      const [A, B, C] = [`cas-a-${suffix}`, `cas-b-${suffix}`, `cas-c-${suffix}`];
      expect(await cp.load(A)).toBeUndefined();
      expect(await cp.save(A, p1)).toBe('saved');
      expect(await cp.load(A)).toBe(p1);
      expect(await cp.save(A, p1)).toBe('unchanged');
      expect(await cp.save(A, p2, { expectedPrevious: p1 })).toBe('saved');
      expect(await cp.save(A, p2, { expectedPrevious: p2 })).toBe('unchanged');

      const stale = await rejectsWith(() => cp.save(A, p3, { expectedPrevious: p1 }), CheckpointConflictError);
      expect(stale.subscriberId).toBe(A);
      expect(stale.expected).toBe(p1);
      expect(stale.actual).toBe(p2);
      expect(await cp.load(A)).toBe(p2);
      // Never backwards.
      await rejectsWith(() => cp.save(A, p1), CheckpointConflictError, 'moving a checkpoint backwards');
      expect(await cp.load(A)).toBe(p2);

      // `null` = no checkpoint yet.
      expect(await cp.save(B, p1, { expectedPrevious: null })).toBe('saved');
      const taken = await rejectsWith(() => cp.save(B, p2, { expectedPrevious: null }), CheckpointConflictError);
      expect(taken.actual).toBe(p1);
      const none = await rejectsWith(() => cp.save(C, p2, { expectedPrevious: p1 }), CheckpointConflictError);
      expect(none.actual).toBeNull();
      expect(await cp.load(C)).toBeUndefined();
      // Subscribers are independent.
      expect(await cp.load(A)).toBe(p2);
      expect(await cp.load(B)).toBe(p1);

      // Another instance already stored the very position this one saves from a stale expectation: a conflict,
      // since this instance's work for that position would be a duplicate (exactly-once projections).
      const D = `cas-d-${suffix}`;
      expect(await cp.save(D, p2)).toBe('saved');
      expect(await cp.save(D, p3, { expectedPrevious: p2 })).toBe('saved');
      await rejectsWith(() => cp.save(D, p3, { expectedPrevious: p2 }), CheckpointConflictError, 'a duplicate save');
      expect(await cp.save(D, p3)).toBe('unchanged');

      // Racing saves with the same expectation: exactly one wins.
      const race = await Promise.allSettled(
        range(6).map((i) => cp.save(A, i % 2 === 0 ? p3 : p4, { expectedPrevious: p2 })),
      );
      const wins = race.filter((r) => r.status === 'fulfilled' && r.value === 'saved');
      expect(wins).toHaveLength(1);
      // Every other one fails, even one saving the very position the winner stored.
      for (const r of race) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CheckpointConflictError);
        else expect(r.value).toBe('saved');
      }
      const final = await cp.load(A);
      expect([p3, p4]).toContain(final);
    },
  },
  {
    num: '32',
    id: 'checkpoint-transactional',
    async run({ shared }) {
      const store = await shared();
      const table = `conf_proj_${Math.floor(Math.random() * 1e9)}`;
      await store.withTransaction((tx) => tx.query(`CREATE TABLE ${table} (id text PRIMARY KEY, n integer NOT NULL)`));
      const projection = `proj-${randomUUID()}`;
      const stream = streamName('proj');
      await store.appendToStream(stream, newEvents(3), { expected: 'no_stream' });
      const [p1, p2, p3] = (await readStreamEvents(store, stream)).map((e) => e.position) as [
        LogPosition,
        LogPosition,
        LogPosition,
      ];
      const rows = async (): Promise<string[]> =>
        (await store.withTransaction((tx) => tx.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`))).map(
          (r) => r.id,
        );

      await store.withTransaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, ['a', 1]);
        expect(await store.checkpoints.save(projection, p1, { expectedPrevious: null, tx })).toBe('saved');
        expect(await store.checkpoints.load(projection, tx)).toBe(p1);
      });
      expect(await rows()).toEqual(['a']);
      expect(await store.checkpoints.load(projection)).toBe(p1);

      // The work fails after both writes: both roll back.
      const boom = new Error('projection failed');
      const failed = await store
        .withTransaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, ['b', 2]);
          await store.checkpoints.save(projection, p2, { expectedPrevious: p1, tx });
          expect(await store.checkpoints.load(projection, tx)).toBe(p2);
          throw boom;
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failed).toBe(boom);
      expect(await rows()).toEqual(['a']);
      expect(await store.checkpoints.load(projection)).toBe(p1);

      // The checkpoint save fails (stale expectation): the projection write rolls back too.
      await rejectsWith(
        () =>
          store.withTransaction(async (tx) => {
            await tx.query(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, ['c', 3]);
            await store.checkpoints.save(projection, p3, { expectedPrevious: p2, tx });
          }),
        CheckpointConflictError,
      );
      expect(await rows()).toEqual(['a']);
      expect(await store.checkpoints.load(projection)).toBe(p1);

      // An append in the same unit of work rolls back with it.
      const appendedStream = streamName('proj');
      await store
        .withTransaction(async (tx) => {
          await tx.appendToStream(appendedStream, newEvents(1), { expected: 'no_stream' });
          await tx.query(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, ['d', 4]);
          throw boom;
        })
        .catch(() => undefined);
      expect(await store.getStreamState(appendedStream)).toBe('no_stream');
      expect(await rows()).toEqual(['a']);

      await store.withTransaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, ['e', 5]);
        expect(await store.checkpoints.save(projection, p3, { expectedPrevious: p1, tx })).toBe('saved');
      });
      expect(await rows()).toEqual(['a', 'e']);
      expect(await store.checkpoints.load(projection)).toBe(p3);
    },
  },
  {
    num: '33',
    id: 'lease-exclusive',
    async run({ shared, sibling }) {
      const store = await shared();
      const other = (await sibling(store)) ?? store;
      const leases = store.leases;
      const suffix = randomUUID();
      const names = {
        worker: `worker-${suffix}`,
        short: `short-${suffix}`,
        another: `another-${suffix}`,
        raced: `raced-${suffix}`,
      };
      expect(await leases.holder(names.worker)).toBeUndefined();
      expect(await leases.tryAcquire(names.worker, 'i1', 5_000)).toBe(true);
      expect(await other.leases.tryAcquire(names.worker, 'i2', 5_000)).toBe(false);
      const held = await leases.holder(names.worker);
      expect(held?.instanceId).toBe('i1');
      expect(held?.expiresAt).toBeInstanceOf(Date);
      expect(held!.expiresAt.getTime()).toBeGreaterThan(Date.now());
      expect(await other.leases.renew(names.worker, 'i2', 5_000)).toBe(false);
      expect(await leases.renew(names.worker, 'i1', 5_000)).toBe(true);
      expect(await leases.tryAcquire(names.worker, 'i1', 5_000)).toBe(true); // the holder re-acquires
      await other.leases.release(names.worker, 'i2'); // not the holder: no effect
      expect((await leases.holder(names.worker))?.instanceId).toBe('i1');
      await leases.release(names.worker, 'i1');
      expect(await leases.holder(names.worker)).toBeUndefined();
      expect(await other.leases.tryAcquire(names.worker, 'i2', 5_000)).toBe(true);
      expect(await leases.tryAcquire(names.worker, 'i1', 5_000)).toBe(false);

      // Expiry.
      expect(await leases.tryAcquire(names.short, 'i1', 800)).toBe(true);
      expect(await other.leases.tryAcquire(names.short, 'i2', 5_000)).toBe(false);
      await sleep(1_000);
      expect(await other.leases.tryAcquire(names.short, 'i2', 5_000)).toBe(true);
      expect(await leases.renew(names.short, 'i1', 800)).toBe(false);
      expect((await leases.holder(names.short))?.instanceId).toBe('i2');

      // Leases are per subscriber.
      expect(await leases.tryAcquire(names.another, 'i1', 5_000)).toBe(true);

      // A race: exactly one of many instances gets it.
      const race = await Promise.all(
        range(8).map((i) => (i % 2 === 0 ? store : other).leases.tryAcquire(names.raced, `r${i}`, 5_000)),
      );
      expect(race.filter(Boolean)).toHaveLength(1);
      const winner = `r${race.indexOf(true)}`;
      expect((await leases.holder(names.raced))?.instanceId).toBe(winner);
    },
  },
  {
    num: '34',
    id: 'init-idempotent',
    async run({ fresh, sibling, harness, track }) {
      if (harness.uninitialised) {
        // The very first init, concurrently from every instance the adapter allows (and twice on one).
        const stores = (await harness.uninitialised(2)).map(track);
        await withTimeout(
          Promise.all([...stores.map((s) => s.init()), stores[0]!.init()]),
          30_000,
          'concurrent first init()',
        );
        const stream = streamName('init');
        await stores[0]!.appendToStream(stream, newEvents(2), { expected: 'no_stream' });
        for (const s of stores) expect(await s.getStreamState(stream)).toBe(1);
        for (const s of stores) await s.close();
      }
      const store = await fresh();
      const stream = streamName('init');
      await store.appendToStream(stream, newEvents(3), { expected: 'no_stream' });
      await store.init();
      await store.init();
      const other = await sibling(store);
      await withTimeout(
        Promise.all([store.init(), store.init(), ...(other ? [other.init(), other.init()] : [])]),
        30_000,
        'concurrent init()',
      );
      expect(await store.getStreamState(stream)).toBe(2);
      expect((await readStreamEvents(store, stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      if (other) expect(await other.getStreamState(stream)).toBe(2);
      const health = await store.health();
      expect(health.kind).toBe(store.kind);
      expect(health.reachable).toBe(true);
      expect(typeof health.schemaVersion).toBe('number');
      expect(health.schemaVersion).toBeGreaterThanOrEqual(1);
    },
  },
  {
    num: '36',
    id: 'close-idempotent',
    async run({ fresh }) {
      const store = await fresh();
      const stream = streamName('closed');
      await store.appendToStream(stream, newEvents(1), { expected: 'no_stream' });
      await withTimeout(store.close(), 10_000, 'close()');
      await withTimeout(store.close(), 10_000, 'a second close()');
      await withTimeout(Promise.all([store.close(), store.close()]), 10_000, 'concurrent close()');
      const calls: Array<[string, () => unknown]> = [
        ['appendToStream', () => store.appendToStream(stream, newEvents(1), { expected: 'any' })],
        ['readStream', () => toArray(store.readStream(stream))],
        ['getStreamState', () => store.getStreamState(stream)],
        ['readAll', () => toArray(store.readAll())],
        ['headPosition', () => store.headPosition()],
        ['subscribeToAll', () => toArray(store.subscribeToAll(), 5_000)],
        ['checkpoints.load', () => store.checkpoints.load('x')],
        ['checkpoints.save', () => store.checkpoints.save('x', START)],
        ['leases.tryAcquire', () => store.leases.tryAcquire('x', 'i', 1_000)],
        ['leases.holder', () => store.leases.holder('x')],
        ['withTransaction', () => store.withTransaction(() => Promise.resolve(1))],
        ['init', () => store.init()],
      ];
      for (const [name, call] of calls) {
        await rejectsWith(call, StoreClosedError, `${name} after close()`);
      }
      // health() is a report: after close it may reject with StoreClosedError or report the store unreachable.
      const health = await store.health().catch((error: unknown) => {
        if (error instanceof StoreClosedError) return undefined;
        throw error;
      });
      if (health) expect(health.reachable).toBe(false);
    },
  },
  {
    num: '37a',
    id: 'durability-sigkill',
    title: 'durability: acknowledged appends survive SIGKILL',
    timeoutMs: 120_000,
    async run(ctx) {
      const { harness } = ctx;
      const store = await ctx.fresh({ persistent: true });
      const env = harness.childEnv(store);
      const stream = streamName('durable');
      if (harness.exclusive) await store.close();
      const child = new FixtureProcess('durability-writer.ts', { ...env, MUSKEL_DURABILITY_STREAM: stream });
      try {
        await child.waitForLines('acked', 200, 60_000);
        await sleep(Math.random() * 20);
        child.kill('SIGKILL');
        await child.waitForExit(10_000);
      } finally {
        await child.stop();
      }
      if (child.describeExit() !== 'signal SIGKILL') {
        throw new Error(
          `the writer should have been killed but ended with ${child.describeExit()}${child.stderrTail()}`,
        );
      }
      const acked = child.linesWith('acked');
      expect(acked.length).toBeGreaterThanOrEqual(200);

      const verifier = harness.exclusive ? await ctx.reopen(store) : store;
      // The append in flight at the kill may still commit on a server that has not yet noticed the dead client:
      // read until the stream stops changing, so that one is counted too.
      let events = await readStreamEvents(verifier, stream);
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        await sleep(300);
        const again = await readStreamEvents(verifier, stream);
        if (again.length === events.length) break;
        events = again;
      }
      const stored = new Set(ids(events));
      const lost = acked.filter((id) => !stored.has(id));
      if (lost.length > 0) {
        throw new Error(
          `${lost.length} of ${acked.length} acknowledged appends are missing after SIGKILL, e.g. ${lost.slice(0, 3).join(', ')}`,
        );
      }
      expect(events.map((e) => e.revision)).toEqual(range(events.length));
      expectNoDuplicates(ids(events), 'stored event ids');
      // One append at a time: at most the one in flight at the kill committed without its acknowledgement.
      expect(events.length).toBeLessThanOrEqual(acked.length + 1);
      const next = await verifier.appendToStream(stream, [newEvent('AfterCrash')], { expected: events.length - 1 });
      expect(next.nextExpectedRevision).toBe(events.length);
    },
  },
  {
    num: '38',
    id: 'tx-read-stream',
    title: 'tx-read-stream: a transaction reads a stream as readStream does, and its own appends where they join it',
    async run({ shared }) {
      const store = await shared();
      const stream = streamName('txread');
      await store.appendToStream(stream, newEvents(7), { expected: 'no_stream' });
      await store.appendToStream(stream, newEvents(5), { expected: 6 });
      const expected = await readStreamEvents(store, stream);
      expect(expected.map((e) => e.revision)).toEqual(range(12));
      expect(await store.withTransaction((tx) => tx.readStream(stream))).toEqual(expected);
      expect(await store.withTransaction((tx) => tx.readStream(streamName('txread-missing')))).toEqual([]);
      await rejectsWith(() => store.withTransaction((tx) => tx.readStream('')), InvalidArgumentError);
      if (!store.capabilities().transactions) return;
      // Inside the transaction, before its commit: its own appends are there, and nobody else sees them yet.
      const more = newEvents(2);
      const seen = await store.withTransaction(async (tx) => {
        await tx.appendToStream(stream, more, { expected: 11 });
        return tx.readStream(stream);
      });
      expect(ids(seen)).toEqual([...ids(expected), ...ids(more)]);
      expect(seen.map((e) => e.revision)).toEqual(range(14));
    },
  },
  {
    num: '39',
    id: 'written-head',
    title: 'written-head: the last event written, equal to the head once everything has settled',
    timeoutMs: 90_000,
    async run({ fresh }) {
      const store = await fresh();
      expect(await store.writtenHead()).toBe(START);
      const stream = streamName('written');
      let last: LogPosition = START;
      for (let i = 0; i < 3; i++) {
        const result = await store.appendToStream(stream, newEvents(2), {
          expected: i === 0 ? 'no_stream' : 2 * i - 1,
        });
        last = result.position;
        expect(await store.writtenHead()).toBe(last);
      }
      // The head waits for every transaction open on the server to end (other tests may hold one): a minute.
      await waitFor(async () => (await store.headPosition()) === last, 60_000, 'the head to reach the last append');
      expect(await store.writtenHead()).toBe(last);
    },
  },
  {
    num: '40',
    id: 'append-multi-stream',
    title: 'append-multi-stream: several streams at once, all or nothing, each with its expectation',
    async run({ shared }) {
      const store = await shared();
      const [a, b, c] = [streamName('multi'), streamName('multi'), streamName('multi')];
      await store.appendToStream(b, newEvents(2), { expected: 'no_stream' });
      const [ea, eb] = [newEvents(3), newEvents(1)];
      const results = await store.appendToStreams([
        { stream: a, events: ea, expected: 'no_stream' },
        { stream: b, events: eb, expected: 1 },
      ]);
      expect(results.map((r) => r.nextExpectedRevision)).toEqual([2, 2]);
      const [ra, rb] = [await readStreamEvents(store, a), await readStreamEvents(store, b)];
      expect(ids(ra)).toEqual(ids(ea));
      expect(ids(rb).slice(2)).toEqual(ids(eb));
      expect(results.map((r) => r.position)).toEqual([ra.at(-1)!.position, rb.at(-1)!.position]);

      // One expectation fails: nothing is written to any stream, and the error names that stream.
      const refused = await rejectsWith(
        () =>
          store.appendToStreams([
            { stream: c, events: newEvents(2), expected: 'no_stream' },
            { stream: a, events: newEvents(1), expected: 0 },
          ]),
        WrongExpectedVersionError,
      );
      expect(refused.stream).toBe(a);
      expect(await readStreamEvents(store, c)).toEqual([]);
      expect(ids(await readStreamEvents(store, a))).toEqual(ids(ea));

      // An entry without events only checks its expectation.
      const checked = await store.appendToStreams([
        { stream: a, events: [], expected: 2 },
        { stream: c, events: newEvents(1), expected: 'no_stream' },
      ]);
      expect(checked[0]).toEqual({ nextExpectedRevision: 2, position: results[0]!.position });
      expect(checked[1]!.nextExpectedRevision).toBe(0);
      const d = streamName('multi');
      await rejectsWith(
        () =>
          store.appendToStreams([
            { stream: a, events: [], expected: 5 },
            { stream: d, events: newEvents(1), expected: 'no_stream' },
          ]),
        WrongExpectedVersionError,
      );
      expect(await store.appendToStreams([])).toEqual([]);

      // Bad input writes nothing: not a list, a stream twice, a bad name, expectation or events.
      const bad: unknown[] = [
        undefined,
        {},
        [null],
        [
          { stream: d, events: newEvents(1), expected: 'no_stream' },
          { stream: d, events: newEvents(1), expected: 0 },
        ],
        [{ stream: '', events: [], expected: 'any' }],
        [{ stream: d, events: newEvents(1), expected: -3 }],
        [
          { stream: streamName('multi'), events: newEvents(1), expected: 'no_stream' },
          { stream: d, events: 'x', expected: 'any' },
        ],
      ];
      for (const appends of bad) {
        await rejectsWith(() => store.appendToStreams(appends as never), InvalidArgumentError, JSON.stringify(appends));
      }
      expect(await readStreamEvents(store, d)).toEqual([]);
    },
  },
  {
    num: '41',
    id: 'read-events',
    title: 'read-events: the events at given places, in the order asked, as readStream reads them',
    async run({ shared }) {
      const store = await shared();
      const [a, b] = [streamName('places'), streamName('places')];
      await store.appendToStream(a, newEvents(5), { expected: 'no_stream' });
      await store.appendToStream(b, newEvents(3), { expected: 'no_stream' });
      const [ra, rb] = [await readStreamEvents(store, a), await readStreamEvents(store, b)];
      const places = [
        { stream: b, revision: 2 },
        { stream: a, revision: 0 },
        { stream: a, revision: 4 },
        { stream: a, revision: 9 }, // past the end: left out
        { stream: streamName('places'), revision: 0 }, // no such stream: left out
        { stream: b, revision: 0 },
        { stream: a, revision: 0 }, // asked twice: given twice
      ];
      expect(await store.readEvents(places)).toEqual([rb[2], ra[0], ra[4], rb[0], ra[0]]);
      expect(await store.withTransaction((tx) => tx.readEvents(places))).toEqual([rb[2], ra[0], ra[4], rb[0], ra[0]]);
      expect(await store.readEvents([])).toEqual([]);
      if (store.capabilities().transactions) {
        // Inside a transaction, its own appends are there.
        const more = newEvents(1);
        const seen = await store.withTransaction(async (tx) => {
          await tx.appendToStream(b, more, { expected: 2 });
          return tx.readEvents([{ stream: b, revision: 3 }]);
        });
        expect(ids(seen)).toEqual(ids(more));
      }
      const bad: unknown[] = [
        undefined,
        {},
        [null],
        [{ stream: '', revision: 0 }],
        [{ stream: a, revision: -1 }],
        [{ stream: a, revision: 1.5 }],
        [{ stream: a }],
      ];
      for (const places of bad) {
        await rejectsWith(() => store.readEvents(places as never), InvalidArgumentError, JSON.stringify(places));
        await rejectsWith(
          () => store.withTransaction((tx) => tx.readEvents(places as never)),
          InvalidArgumentError,
          JSON.stringify(places),
        );
      }
    },
  },
  {
    num: '42',
    id: 'copy-rows',
    title: 'copy-rows: a transaction bulk-inserts read-model rows as given, all or nothing',
    async run({ shared }) {
      const store = await shared();
      const table = `conformance_copy_${randomUUID().replace(/-/g, '')}`;
      const columns = ['id', 'label', 'doc', 'tags'];
      await store.withTransaction((tx) =>
        tx.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, label text, doc json, tags text[])`),
      );
      try {
        const awkward = 'tab\tnewline\ncr\rbackslash\\ slash \\N quote\' "dq" emoji 🌾 NUL-free, kanji 村';
        const rows = [
          ['1', awkward, JSON.stringify({ text: awkward, n: 1 }), '{a,"b c"}'],
          ['2', null, null, null],
          ['3', '\\N', '[]', '{}'],
          ['4', '', '{"k":"\\u0041"}', '{"x\\\\y"}'],
        ];
        await store.withTransaction((tx) => tx.copyRows(table, columns, rows));
        // Many rows (several chunks) and a generator as the source.
        await store.withTransaction((tx) =>
          tx.copyRows(
            table,
            ['id', 'label'],
            (function* () {
              for (let i = 10; i < 2_510; i++) yield [String(i), `row ${i}`];
            })(),
          ),
        );
        await store.withTransaction((tx) => tx.copyRows(table, columns, []));
        const read = await store.withTransaction((tx) =>
          tx.query<{ id: string; label: string | null; doc: unknown; tags: string[] | null }>(
            `SELECT id::text AS id, label, doc, tags FROM ${table} WHERE id < 10 ORDER BY id`,
          ),
        );
        expect(read).toEqual([
          { id: '1', label: awkward, doc: { text: awkward, n: 1 }, tags: ['a', 'b c'] },
          { id: '2', label: null, doc: null, tags: null },
          { id: '3', label: '\\N', doc: [], tags: [] },
          { id: '4', label: '', doc: { k: 'A' }, tags: ['x\\y'] },
        ]);
        const count = async () =>
          Number(
            (
              await store.withTransaction((tx) => tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))
            )[0]?.n,
          );
        expect(await count()).toBe(4 + 2_500);
        // A duplicate key fails the call and the transaction: the rows before it in the same call are gone too.
        await expect(
          store.withTransaction(async (tx) => {
            await tx.query(`INSERT INTO ${table} (id, label) VALUES (5000, 'before')`);
            await tx.copyRows(
              table,
              ['id', 'label'],
              [
                ['5001', 'new'],
                ['1', 'duplicate'],
              ],
            );
          }),
        ).rejects.toThrow();
        expect(await count()).toBe(4 + 2_500);
        const bad: [string, unknown, unknown][] = [
          ['Bad-Table', columns, []],
          [`${table}; DROP TABLE x`, columns, []],
          [table, [], []],
          [table, ['id', 'id'], []],
          [table, ['id', 'la"bel'], []],
          [table, 'id', []],
          [table, columns, null],
          [table, columns, [['1', 'a']]],
          [table, ['id'], [[1]]],
          [table, ['id'], [undefined]],
        ];
        for (const [name, cols, rows] of bad) {
          await rejectsWith(
            () => store.withTransaction((tx) => tx.copyRows(name, cols as never, rows as never)),
            InvalidArgumentError,
            JSON.stringify([name, cols, rows]),
          );
        }
        expect(await count()).toBe(4 + 2_500);
      } finally {
        await store.withTransaction((tx) => tx.query(`DROP TABLE IF EXISTS ${table}`));
      }
    },
  },
  {
    num: '43',
    id: 'count-after',
    title: 'count-after: the events readAll would give after a position, counted up to a limit',
    timeoutMs: 90_000,
    async run({ fresh }) {
      const store = await fresh();
      expect(await store.countAfter(START, 10)).toBe(0);
      const [a, b] = [streamName('lag'), streamName('lag')];
      const first = await store.appendToStream(a, newEvents(4), { expected: 'no_stream' });
      const second = await store.appendToStream(b, newEvents(3), { expected: 'no_stream' });
      // Counted as readAll reads: settled events only (other tests may hold a transaction open for a while).
      await waitFor(async () => (await store.headPosition()) === second.position, 60_000, 'the head to settle');
      const all = await toArray(store.readAll());
      expect(all).toHaveLength(7);
      expect(await store.countAfter(START, 100)).toBe(7);
      expect(await store.countAfter(START, 5)).toBe(5);
      expect(await store.countAfter(START, 0)).toBe(0);
      expect(await store.countAfter(first.position, 100)).toBe(3);
      expect(await store.countAfter(all[1]!.position, 100)).toBe(5);
      expect(await store.countAfter(second.position, 100)).toBe(0);
      expect(await store.countAfter(END, 100)).toBe(0);
      for (const limit of [-1, 1.5, Number.NaN, '3', undefined]) {
        await rejectsWith(() => store.countAfter(START, limit as never), InvalidArgumentError, String(limit));
      }
      await rejectsWith(() => store.countAfter('not-a-position', 10), InvalidArgumentError, 'a bad position');
    },
  },
  {
    num: '44',
    id: 'category-by-stream',
    title: 'category-by-stream: whole streams of one category up to a position, in stream-name order, page by page',
    timeoutMs: 90_000,
    async run({ fresh }) {
      const store = await fresh();
      // An optional read: KurrentDB has no stream order, and a rebuild there reads the log instead.
      if (store.readCategoryByStream === undefined) return;
      const read = store.readCategoryByStream.bind(store);
      // `by_s`: its `_` must not match any character (`byXs` is another category).
      const [s1, s2, s3] = [streamName('by_s'), streamName('by_s'), streamName('by_s')];
      const decoys = [streamName('byXs'), streamName('other')];
      await store.appendToStream(s2, newEvents(5), { expected: 'no_stream' });
      await store.appendToStream(decoys[0]!, newEvents(2), { expected: 'no_stream' });
      await store.appendToStream(s1, newEvents(3), { expected: 'no_stream' });
      await store.appendToStream(
        s2,
        newEvents(7, 'TestEvent', (i) => ({ n: 5 + i })),
        { expected: 4 },
      );
      await store.appendToStream(decoys[1]!, newEvents(2), { expected: 'no_stream' });
      const upToAppend = await store.appendToStream(s3, newEvents(2), { expected: 'no_stream' });
      await waitFor(async () => (await store.headPosition()) === upToAppend.position, 60_000, 'the head to settle');
      const upTo = upToAppend.position;
      // After upTo: left out.
      await store.appendToStream(s1, newEvents(1, 'Later'), { expected: 2 });
      await store.appendToStream(streamName('by_s'), newEvents(1, 'Later'), { expected: 'no_stream' });

      const order = [s1, s2, s3].sort();
      const counts: Record<string, number> = { [s1]: 3, [s2]: 12, [s3]: 2 };
      const expected = order.flatMap((stream) => Array.from({ length: counts[stream]! }, (_, r) => [stream, r]));
      const places = (events: RecordedEvent[]) => events.map((e) => [e.streamName, e.revision]);

      const all = await read({ category: 'by_s', upTo, minEvents: 100 });
      expect(places(all.events)).toEqual(expected);
      expect(all.lastStream).toBe(order[2]);
      expect(all.events.every((e) => e.type === 'TestEvent')).toBe(true);
      expect(all.events.find((e) => e.streamName === s2 && e.revision === 6)?.data).toEqual({ n: 6 });

      // Pages of at least 4 events end on a stream's end: the 12 events of s2 come in one page.
      const pages: RecordedEvent[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await read({ category: 'by_s', upTo, afterStream: after, minEvents: 4 });
        if (page.events.length === 0) {
          expect(page.lastStream).toBeUndefined();
          break;
        }
        pages.push(page.events);
        expect(page.lastStream).toBe(page.events[page.events.length - 1]!.streamName);
        after = page.lastStream;
        expect(pages.length).toBeLessThanOrEqual(3);
      }
      expect(places(pages.flat())).toEqual(expected);
      expect(
        pages.find((page) => page.some((e) => e.streamName === s2))!.filter((e) => e.streamName === s2),
      ).toHaveLength(12);
      for (const page of pages) {
        const streams = new Set(page.map((e) => e.streamName));
        for (const stream of streams) expect(page.filter((e) => e.streamName === stream)).toHaveLength(counts[stream]!);
      }
      // One event per page asked: still whole streams.
      expect((await read({ category: 'by_s', upTo, afterStream: order[0], minEvents: 1 })).events).toHaveLength(
        counts[order[1]!]!,
      );

      for (const bad of [
        { category: 'by-s', upTo, minEvents: 4 },
        { category: 'by_s', upTo: START, minEvents: 4 },
        { category: 'by_s', upTo: END, minEvents: 4 },
        { category: 'by_s', upTo: 'not-a-position', minEvents: 4 },
        { category: 'by_s', upTo, minEvents: -1 },
        { category: 'by_s', upTo, afterStream: 7, minEvents: 4 },
      ]) {
        await rejectsWith(() => read(bad as never), InvalidArgumentError, JSON.stringify(bad));
      }
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Bad input: one shared store; every rejected call must leave its stream untouched.

function defineBadInput(shared: () => Promise<EventStore>): void {
  let store: EventStore;
  beforeAll(async () => {
    store = await shared();
  });

  const expectNothingWritten = async (stream: string): Promise<void> => {
    expect(await store.getStreamState(stream)).toBe('no_stream');
  };
  const appendRejects = async (
    stream: string,
    events: NewEvent[],
    codes: string | string[],
    mentions: RegExp,
    what: string,
    options: { expected: unknown } = { expected: 'no_stream' },
  ): Promise<void> => {
    await rejectsInvalid(
      () => store.appendToStream(stream, events, options as { expected: 'no_stream' }),
      codes,
      mentions,
      what,
    );
    if (/^[a-z]+-[0-9a-f-]{36}$/.test(stream)) await expectNothingWritten(stream);
  };

  it('stream names', async () => {
    for (const name of ['', 'noCategory', `${'a'.repeat(300)}-x`, 'proposal-with:colon', 'proposal-with space']) {
      await appendRejects(
        name,
        [newEvent()],
        'INVALID_STREAM_NAME',
        /stream/i,
        `stream name ${JSON.stringify(name.slice(0, 40))}`,
      );
    }
    await rejectsInvalid(
      () => store.appendToStream(42 as unknown as string, [newEvent()], { expected: 'any' }),
      'INVALID_STREAM_NAME',
      /stream/i,
      'a number as stream name',
    );
    // Names that are fine.
    for (const name of [streamName('proposal'), `proposal-${randomUUID()}-part-2`]) {
      await store.appendToStream(name, [newEvent()], { expected: 'any' });
      expect(await store.getStreamState(name)).toBe(0);
    }
  });

  it('event types', async () => {
    for (const type of ['', 'x'.repeat(300), 'has space']) {
      await appendRejects(
        streamName('bad'),
        [newEvent(type)],
        'INVALID_EVENT_TYPE',
        /type/i,
        `event type ${JSON.stringify(type.slice(0, 40))}`,
      );
    }
    await appendRejects(
      streamName('bad'),
      [{ type: undefined as unknown as string, data: {} }],
      'INVALID_EVENT_TYPE',
      /type/i,
      'missing type',
    );
  });

  it('event data that is not a JSON object', async () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const cases: Array<[string, unknown]> = [
      ['an array', [1, 2]],
      ['null', null],
      ['a string', 'text'],
      ['a number', 5],
      ['a Date', new Date()],
      ['a Map', new Map([['a', 1]])],
      ['an undefined value', { a: undefined }],
      ['a function value', { f: () => 1 }],
      ['a bigint value', { b: 10n }],
      ['a NaN value', { n: Number.NaN }],
      ['an Infinity value', { n: Number.POSITIVE_INFINITY }],
      ['a nested NaN', { deep: { list: [1, Number.NaN] } }],
      ['an undefined in an array', { list: [1, undefined] }],
      ['a symbol value', { s: Symbol('x') }],
      ['a circular object', circular],
      ['missing data', undefined],
    ];
    for (const [what, data] of cases) {
      await appendRejects(
        streamName('bad'),
        [{ id: randomUUID(), type: 'T', data: data as JsonObject }],
        'INVALID_EVENT_DATA',
        /data|json|object|value/i,
        `data: ${what}`,
      );
    }
    // The bad event second in a batch: the first is not written either.
    await appendRejects(
      streamName('bad'),
      [newEvent(), newEvent('T', { n: Number.NaN })],
      'INVALID_EVENT_DATA',
      /data|json|value/i,
      'batch with bad data second',
    );
  });

  it('metadata that is not a JSON object', async () => {
    const cases: Array<[string, unknown]> = [
      ['an array', ['a']],
      ['a string', 'meta'],
      ['a function value', { f: () => 1 }],
      ['a bigint value', { b: 1n }],
    ];
    for (const [what, metadata] of cases) {
      await appendRejects(
        streamName('bad'),
        [newEvent('T', {}, { metadata: metadata as JsonObject })],
        'INVALID_METADATA',
        /metadata/i,
        `metadata: ${what}`,
      );
    }
  });

  it('over-size payload', async () => {
    await appendRejects(
      streamName('bad'),
      [newEvent('T', { blob: 'x'.repeat(3 * MiB) })],
      'EVENT_TOO_LARGE',
      /large|size|limit|byte/i,
      '3 MiB of data',
    );
    await appendRejects(
      streamName('bad'),
      [newEvent('T', {}, { metadata: { blob: 'x'.repeat(3 * MiB) } })],
      'EVENT_TOO_LARGE',
      /large|size|limit|byte/i,
      '3 MiB of metadata',
    );
  });

  it('expected revisions', async () => {
    const stream = streamName('bad');
    for (const expected of [-1, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 'latest', '3']) {
      await appendRejects(
        stream,
        [newEvent()],
        'INVALID_EXPECTED_REVISION',
        /expect|revision/i,
        `expected ${String(expected)}`,
        { expected },
      );
    }
    for (const expected of [null, undefined]) {
      await appendRejects(
        stream,
        [newEvent()],
        ['INVALID_EXPECTED_REVISION', 'INVALID_ARGUMENT'],
        /expect|revision/i,
        `expected ${String(expected)}`,
        { expected },
      );
    }
    await rejectsInvalid(
      () => store.appendToStream(stream, [newEvent()], undefined as unknown as { expected: 'any' }),
      ['INVALID_EXPECTED_REVISION', 'INVALID_ARGUMENT'],
      /expect|revision|option/i,
      'no options',
    );
    await expectNothingWritten(stream);
  });

  it('event ids', async () => {
    for (const id of ['not-a-uuid', '', '123', `${randomUUID()}x`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']) {
      await appendRejects(
        streamName('bad'),
        [{ id, type: 'T', data: {} }],
        'INVALID_EVENT_ID',
        /id/i,
        `event id ${JSON.stringify(id)}`,
      );
    }
    const dup = newEvent();
    await appendRejects(
      streamName('bad'),
      [dup, { ...dup, type: 'Other' }],
      ['INVALID_EVENT_ID', 'INVALID_ARGUMENT'],
      /id|duplicate/i,
      'duplicate ids within one append',
    );
    await appendRejects(
      streamName('bad'),
      [dup, { ...dup }],
      ['INVALID_EVENT_ID', 'INVALID_ARGUMENT'],
      /id|duplicate/i,
      'the same event twice in one append',
    );
  });

  it('schema versions', async () => {
    for (const schemaVersion of [0, -1, 1.5, Number.NaN]) {
      await appendRejects(
        streamName('bad'),
        [newEvent('T', {}, { schemaVersion })],
        ['INVALID_ARGUMENT', 'INVALID_EVENT_DATA'],
        /schema/i,
        `schemaVersion ${schemaVersion}`,
      );
    }
  });

  it('events that are not an array', async () => {
    await rejectsInvalid(
      () => store.appendToStream(streamName('bad'), undefined as unknown as NewEvent[], { expected: 'any' }),
      ['INVALID_ARGUMENT'],
      /event/i,
      'events undefined',
    );
  });

  it('read options and positions', async () => {
    const stream = streamName('bad');
    await store.appendToStream(stream, newEvents(2), { expected: 'no_stream' });
    for (const maxCount of [-1, 1.5, Number.NaN]) {
      await rejectsInvalid(
        () => toArray(store.readStream(stream, { maxCount })),
        'INVALID_ARGUMENT',
        /max|count/i,
        `readStream maxCount ${maxCount}`,
      );
      await rejectsInvalid(
        () => toArray(store.readAll({ maxCount })),
        'INVALID_ARGUMENT',
        /max|count/i,
        `readAll maxCount ${maxCount}`,
      );
    }
    for (const from of [-1, 1.5]) {
      await rejectsInvalid(
        () => toArray(store.readStream(stream, { from })),
        ['INVALID_ARGUMENT', 'INVALID_EXPECTED_REVISION'],
        /from|revision/i,
        `readStream from ${from}`,
      );
    }
    await rejectsInvalid(
      () => toArray(store.readStream(stream, { direction: 'sideways' as 'forwards' })),
      'INVALID_ARGUMENT',
      /direction/i,
      'readStream direction',
    );
    for (const after of ['garbage', '']) {
      await rejectsInvalid(
        () => toArray(store.readAll({ after })),
        'INVALID_POSITION',
        /position/i,
        `readAll after ${JSON.stringify(after)}`,
      );
      await rejectsInvalid(
        () => store.checkpoints.save(`bad-${randomUUID()}`, after),
        'INVALID_POSITION',
        /position/i,
        `checkpoint ${JSON.stringify(after)}`,
      );
    }
    await rejectsInvalid(
      () => toArray(store.subscribeToAll({ after: 'garbage' }), 5_000),
      'INVALID_POSITION',
      /position/i,
      'subscribeToAll after garbage',
    );
    await rejectsInvalid(
      () => store.leases.tryAcquire('lease', 'i1', -5),
      'INVALID_ARGUMENT',
      /ttl|time|lease/i,
      'negative lease ttl',
    );
  });
}

/**
 * Defines the conformance suite for one adapter: one `describe` with one `it` per case; skipped cases show their
 * reason in the title.
 */
export function describeEventStoreConformance(
  adapterName: string,
  harness: ConformanceHarness,
  options: ConformanceOptions = {},
): void {
  const skip = options.skip ?? {};
  describe(`event store conformance: ${adapterName}`, () => {
    let sharedStore: Promise<EventStore> | undefined;
    const shared = (): Promise<EventStore> => (sharedStore ??= harness.fresh());
    // The first store may have to build the harness's template (initdb on PGlite): not a case's time.
    beforeAll(async () => {
      await shared();
    }, 180_000);
    afterAll(async () => {
      try {
        if (sharedStore) await (await sharedStore).close();
      } finally {
        await harness.dispose();
      }
    });

    for (const definition of CASES) {
      const title = definition.title ?? `${definition.num} ${definition.id}`;
      const reason = skip[definition.id] ?? definition.autoSkip?.(harness);
      if (reason) {
        it.skip(`${title} — skipped: ${reason}`, () => undefined);
      } else {
        it(title, () => runCase(harness, shared, definition.run), definition.timeoutMs);
      }
    }

    const badInputReason = skip['bad-input'];
    if (badInputReason) {
      describe.skip(`bad input — skipped: ${badInputReason}`, () => {
        it('bad input', () => undefined);
      });
    } else {
      describe('bad input', () => defineBadInput(shared));
    }
  });
}
