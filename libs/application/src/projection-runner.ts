import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  comparePositions,
  SCHEMA_LOCK_SQL,
  SqlEventStore,
  START,
  type EventStore,
  type CategoryByStreamPage,
  type LogFilter,
  type LogPosition,
  type RecordedEvent,
  type StoreTransaction,
  type Subscription,
} from '@muskel/event-store';

/** A read model kept from the global log. `apply` runs in the same transaction as the checkpoint save. */
export interface Projection {
  /** Stable id: the checkpoint and the lease are kept under it. */
  readonly name: string;
  readonly filter?: LogFilter;
  /** Creates its tables (idempotent). */
  setup(tx: StoreTransaction): Promise<void>;
  apply(event: RecordedEvent, tx: StoreTransaction): Promise<void>;
  /**
   * Applies a page of events (log order) at once; the runner then reads pages and commits each page with its
   * checkpoint in one transaction. Must be idempotent per event, like `apply`.
   */
  applyBatch?(events: RecordedEvent[], tx: StoreTransaction): Promise<void>;
  /** Empties the projection's rows (not its tables' definitions): the first step of a rebuild. */
  reset?(tx: StoreTransaction): Promise<void>;
  /**
   * A rebuild's own way of applying pages, for projections that gain from holding state across pages (the
   * registry writes each household once per segment instead of once per page). The rebuild commits a segment of
   * pages, then `flush`, then the checkpoint, in one transaction. Given the store, a session may also write
   * idempotent rows on other connections (in parallel), as long as `flush` waits for them: the checkpoint comes after.
   */
  rebuildSession?(store: EventStore): RebuildSession;
  /**
   * A rebuild may fold the streams of one category whole, in stream order (stores with `readCategoryByStream`),
   * instead of reading the log in order: each stream's rows are written once, from nothing, and nothing is kept
   * from one stream to the next. Events appended after the rebuild started follow in log order.
   */
  readonly streamRebuild?: {
    category: string;
    /** Writes the rows of these whole streams, none of which has rows yet, in `tx`. */
    applyStreams(events: RecordedEvent[], tx: StoreTransaction): Promise<void>;
  };
}

export interface RebuildSession {
  /** Applies a page inside the segment's transaction (idempotent per event, like `applyBatch`). */
  applyPage(events: RecordedEvent[], tx: StoreTransaction): Promise<void>;
  /** Writes what the session still holds, before the segment's checkpoint in the same transaction. */
  flush(tx: StoreTransaction): Promise<void>;
  /** The segment's transaction failed: forget what it held (the retry starts again from the checkpoint). */
  discard(): void;
  /** The last segment: before `setup` completes the tables in the final transaction (e.g. build indexes aside). */
  finish?(tx: StoreTransaction): Promise<void>;
}

export interface ProjectionRunnerOptions {
  /** How long the lease lasts without renewal; another instance takes over after it. Default 10 s. */
  leaseTtlMs?: number;
  instanceId?: string;
  onError?: (error: unknown) => void;
  /** Events per page (and per transaction) for projections with `applyBatch`. Default 500. */
  batchSize?: number;
}

/** Longest wait between looks at the log when a batching projection has caught up. */
const IDLE_POLL_MS = 100;

/**
 * Runs one projection: one active instance across processes (a lease), resuming from its checkpoint, each event
 * applied and checkpointed in one transaction, so a crash or a replay neither loses nor applies an event twice.
 */
export class ProjectionRunner {
  private readonly instanceId: string;
  private readonly leaseTtlMs: number;
  private stopped = false;
  private readonly stopping = new AbortController();
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private position: LogPosition = START;
  private readonly waiters = new Set<{ target: LogPosition; resolve: () => void }>();

  constructor(
    private readonly store: EventStore,
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
  }

  async setup(): Promise<void> {
    // Under the schema lock: an API process creates the same read-model tables when it starts (ReadModelTables).
    await this.store.withTransaction(async (tx) => {
      await tx.query(SCHEMA_LOCK_SQL);
      await this.projection.setup(tx);
    });
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.subscription?.close();
    await this.loop;
    await this.store.leases.release(this.projection.name, this.instanceId).catch(() => undefined);
  }

  /** Resolves once the projection has applied everything up to `position` (read-your-writes for a caller). */
  async waitFor(position: LogPosition, timeoutMs = 5_000): Promise<boolean> {
    const checkpoint = await this.store.checkpoints.load(this.projection.name);
    if (checkpoint && comparePositions(checkpoint, position) >= 0) return true;
    return new Promise((resolve) => {
      const waiter = {
        target: position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private reached(position: LogPosition): void {
    this.position = position;
    for (const waiter of [...this.waiters]) if (comparePositions(position, waiter.target) >= 0) waiter.resolve();
  }

  private async run(): Promise<void> {
    const name = this.projection.name;
    while (!this.stopped) {
      try {
        if (!(await this.store.leases.tryAcquire(name, this.instanceId, this.leaseTtlMs))) {
          await this.pause(this.leaseTtlMs / 3);
          continue;
        }
        if (this.projection.applyBatch) await this.consumePages(this.projection.applyBatch.bind(this.projection));
        else await this.consume();
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error);
        await this.pause(500);
      }
    }
  }

  /** Waits, but not past `stop()`. */
  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  private async consume(): Promise<void> {
    const name = this.projection.name;
    const after = (await this.store.checkpoints.load(name)) ?? START;
    this.reached(after);
    let saved: LogPosition | null = after === START ? null : after;
    const subscription = this.store.subscribeToAll({ after, filter: this.projection.filter });
    this.subscription = subscription;
    // Renewed on a timer, so an idle projection keeps its lease; losing it ends the subscription.
    const renewal = setInterval(() => {
      this.store.leases
        .renew(name, this.instanceId, this.leaseTtlMs)
        .then((held) => (held ? undefined : subscription.close()))
        .catch(() => subscription.close());
    }, this.leaseTtlMs / 3);
    try {
      for await (const message of subscription) {
        if (this.stopped) break;
        const position = message.kind === 'event' ? message.event.position : message.position;
        if (message.kind !== 'event' && comparePositions(position, this.position) <= 0) continue;
        // Compare-and-set on the checkpoint: should another instance have taken over (an expired lease), this
        // transaction fails instead of applying an event a second time.
        const expectedPrevious = saved;
        if (message.kind === 'event') {
          const { event } = message;
          await this.store.withTransaction(async (tx) => {
            await this.projection.apply(event, tx);
            await this.store.checkpoints.save(name, position, { expectedPrevious, tx });
          });
        } else {
          await this.store.checkpoints.save(name, position, { expectedPrevious });
        }
        saved = position;
        this.reached(position);
      }
    } finally {
      clearInterval(renewal);
      await subscription.close();
    }
  }

  /**
   * The batching path: a page of `batchSize` events and its checkpoint per transaction. A short page means the
   * reader reached the settled end, so the checkpoint may move to the head read before it, past events the filter
   * skipped; otherwise a projection that filters would lag behind the log forever (and waiters with it).
   */
  private async consumePages(applyBatch: NonNullable<Projection['applyBatch']>): Promise<void> {
    const name = this.projection.name;
    let after = (await this.store.checkpoints.load(name)) ?? START;
    this.reached(after);
    let saved: LogPosition | null = after === START ? null : after;
    let leaseLost = false;
    const renewal = setInterval(() => {
      this.store.leases
        .renew(name, this.instanceId, this.leaseTtlMs)
        .then((held) => {
          if (!held) leaseLost = true;
        })
        .catch(() => {
          leaseLost = true;
        });
    }, this.leaseTtlMs / 3);
    // Catching up, the next page is read on another connection while this one is applied (PGlite has only one):
    // the reader's wait for PostgreSQL and the projection's work overlap instead of taking turns.
    const prefetch = this.store.capabilities().concurrentConnections;
    let pending: ReturnType<typeof readPage> | null = null;
    try {
      while (!this.stopped && !leaseLost) {
        const page = await (pending ?? readPage(this.store, after, this.batchSize, this.projection.filter));
        pending = null;
        if (prefetch && !page.short) {
          pending = readPage(this.store, page.next, this.batchSize, this.projection.filter);
          // Awaited on the next turn; if this page's transaction fails first, the read is dropped with it.
          pending.catch(() => undefined);
        }
        if (comparePositions(page.next, after) > 0) {
          const expectedPrevious = saved;
          await this.store.withTransaction(async (tx) => {
            if (page.events.length > 0) await applyBatch(page.events, tx);
            await this.store.checkpoints.save(name, page.next, { expectedPrevious, tx });
          });
          saved = page.next;
          after = page.next;
          this.reached(after);
        }
        if (page.short) await this.idle();
      }
    } finally {
      clearInterval(renewal);
      // Not left running into a store that closes next.
      await pending?.catch(() => undefined);
    }
  }

  /** Until the next append in this process (or another, on PostgreSQL), at most IDLE_POLL_MS. */
  private async idle(): Promise<void> {
    // A SQL store, or its raw view (the audit log's), wakes the runner on the next append.
    const wakeable = this.store as Partial<Pick<SqlEventStore, 'waitForAppend'>>;
    if (typeof wakeable.waitForAppend === 'function') await wakeable.waitForAppend(IDLE_POLL_MS, this.stopping.signal);
    else await this.pause(IDLE_POLL_MS);
  }
}

/** One page of the log for a projection, and where its checkpoint may go once the page is applied. */
async function readPage(
  store: EventStore,
  after: LogPosition,
  maxCount: number,
  filter: LogFilter | undefined,
): Promise<{ events: RecordedEvent[]; next: LogPosition; short: boolean }> {
  // The head is read first: everything up to it has settled, so a short page has seen all of it.
  const head = await store.headPosition();
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll({ after, maxCount, filter })) events.push(event);
  const short = events.length < maxCount;
  let next = events.length > 0 ? events[events.length - 1]!.position : after;
  if (short && head !== START && comparePositions(head, next) > 0) next = head;
  return { events, next, short };
}

/**
 * A rebuild by stream on PostgreSQL: pages read ahead, and page transactions in flight at once. Each transaction
 * alternates between this thread (folding, formatting) and the server (COPY); with four in flight one of them has work
 * for the server while this thread formats another (measured on 1,000,000 events: about a tenth faster than two).
 */
const STREAM_PAGES_AHEAD = 2;
const STREAM_WRITES_IN_FLIGHT = 4;

/**
 * The first part of a rebuild by stream: the category's streams up to `upTo`, a page of whole streams per
 * transaction, then the checkpoint at `upTo`. On PostgreSQL the next page is read and folded while the previous one
 * is written; pages still commit in order (each waits for the one before, and moves the cursor with a
 * compare-and-set), so a crash leaves the rows of the streams up to the cursor and none after it.
 */
async function rebuildByStream(
  store: EventStore,
  projection: Projection,
  upTo: LogPosition,
  cursor: string | null,
  options: {
    batchSize: number;
    signal?: AbortSignal;
    leaseLost: () => boolean;
    onProgress: (applied: number) => void;
  },
): Promise<number> {
  const { name } = projection;
  const { category } = projection.streamRebuild!;
  const applyStreams = (events: RecordedEvent[], tx: StoreTransaction) =>
    projection.streamRebuild!.applyStreams(events, tx);
  const read = (afterStream: string | null) => {
    const page = store.readCategoryByStream!({
      category,
      upTo,
      afterStream: afterStream ?? undefined,
      minEvents: options.batchSize,
    });
    page.catch(() => undefined);
    return page;
  };
  // The page after `previous`, read as soon as `previous` is (the end of the category reads nothing more).
  const readAfter = (previous: Promise<CategoryByStreamPage>) => {
    const page = previous.then((p) => (p.lastStream === undefined ? p : read(p.lastStream)));
    page.catch(() => undefined);
    return page;
  };
  // Beside an open transaction only where there is another connection (not PGlite).
  const parallel = store.capabilities().concurrentConnections;
  const writing: Promise<void>[] = [];
  let applied = 0;
  const ahead: Promise<CategoryByStreamPage>[] = [read(cursor)];
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      if (options.leaseLost()) throw new Error(`projection ${name}: lease lost during the rebuild`);
      const page = await ahead.shift()!;
      if (page.events.length === 0 || page.lastStream === undefined) break;
      const last = page.lastStream;
      if (parallel) {
        // Reads run ahead of the writes, each starting when the one before it returns (its last stream is the next
        // one's start), so a page is there when a write slot frees up.
        let previous = ahead.at(-1) ?? Promise.resolve(page);
        while (ahead.length < STREAM_PAGES_AHEAD) {
          previous = readAfter(previous);
          ahead.push(previous);
        }
      }
      const expected = cursor;
      const before = writing.at(-1);
      const write = store.withTransaction(async (tx) => {
        // Rows and cursor share the commit: a lost commit is redone from the cursor (the last page waits, below).
        await tx.query('SET LOCAL synchronous_commit = off');
        await applyStreams(page.events, tx);
        await before?.catch(() => undefined);
        const moved = await tx.query(
          `UPDATE projection_rebuilds SET stream_cursor = $2
            WHERE name = $1 AND stream_cursor IS NOT DISTINCT FROM $3 RETURNING name`,
          [name, last, expected],
        );
        if (moved.length !== 1) throw new Error(`projection ${name}: the rebuild's cursor moved elsewhere`);
      });
      write.catch(() => undefined);
      writing.push(write);
      cursor = last;
      applied += page.events.length;
      if (!parallel) {
        await writing.shift();
        ahead.push(read(last));
      } else if (writing.length >= STREAM_WRITES_IN_FLIGHT) await writing.shift();
      options.onProgress(applied);
    }
    while (writing.length > 0) await writing.shift();
  } finally {
    await Promise.allSettled(writing);
  }
  // Durable, with the checkpoint: the log-order part goes on from here.
  await store.withTransaction(async (tx) => {
    await store.checkpoints.save(name, upTo, { expectedPrevious: null, tx });
    await tx.query('UPDATE projection_rebuilds SET stream_up_to = NULL WHERE name = $1', [name]);
  });
  return applied;
}

async function applyPage(projection: Projection, events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
  if (events.length === 0) return;
  if (projection.applyBatch) {
    await projection.applyBatch(events, tx);
    return;
  }
  for (const event of events) await projection.apply(event, tx);
}

/**
 * Resolves true once the projection's stored checkpoint reaches `position`, false after `timeoutMs`. It polls the
 * checkpoint table, so it works in a process that does not run the projection (read-your-writes in an API replica).
 */
export async function waitForProjection(
  store: EventStore,
  name: string,
  position: LogPosition,
  timeoutMs = 5_000,
  pollMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checkpoint = await store.checkpoints.load(name);
    if (checkpoint && comparePositions(checkpoint, position) >= 0) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(pollMs, left));
  }
}

export interface RebuildProgress {
  name: string;
  /** Events applied by this call so far. */
  applied: number;
  position: LogPosition;
  /** The log's head when the rebuild (or this resumption of it) started. */
  head: LogPosition;
  done: boolean;
}

export interface RebuildOptions {
  onProgress?: (progress: RebuildProgress) => void;
  /** Events per page and transaction. Default 2000. */
  batchSize?: number;
  /** Events per transaction for projections with a `rebuildSession` (several pages). Default 100,000. */
  segmentSize?: number;
  /** The rebuild holds the projection's lease while it runs. Default 10 s. */
  leaseTtlMs?: number;
  /**
   * Take the lease from whoever holds it (default true): a running runner then fails to renew, stops consuming
   * (its page in flight fails the checkpoint's compare-and-set) and waits until the rebuild releases the lease.
   * With false, wait for the lease instead.
   */
  takeOver?: boolean;
  /** How long to wait for the lease before giving up. Default twice the TTL. */
  leaseWaitMs?: number;
  instanceId?: string;
  signal?: AbortSignal;
  /** Fold whole streams first where the projection and the store can (default true); false reads the log in order. */
  byStream?: boolean;
}

const REBUILDS_DDL = `CREATE TABLE IF NOT EXISTS projection_rebuilds (
  name text PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now())`;
// A rebuild by stream: the log position it folds up to, and the last stream whose rows are written.
const REBUILDS_STREAM_COLUMNS = `ALTER TABLE projection_rebuilds
  ADD COLUMN IF NOT EXISTS stream_up_to text, ADD COLUMN IF NOT EXISTS stream_cursor text`;

/**
 * Rebuilds a projection from the log. The first step (rows emptied, checkpoint deleted, a rebuild marked as under
 * way) is one transaction; then pages of the log are applied with their checkpoint, each in one transaction. A crash
 * leaves consistent rows and a checkpoint: calling this again while the mark stands resumes instead of starting over.
 */
export async function rebuildProjection(
  store: EventStore,
  projection: Projection,
  options: RebuildOptions = {},
): Promise<{ applied: number; position: LogPosition; resumed: boolean }> {
  const { name } = projection;
  const reset = projection.reset?.bind(projection);
  if (!reset) throw new Error(`projection ${name} cannot be rebuilt: it has no reset()`);
  const batchSize = options.batchSize ?? 2000;
  const ttl = options.leaseTtlMs ?? 10_000;
  const instanceId = options.instanceId ?? randomUUID();
  const waitUntil = Date.now() + (options.leaseWaitMs ?? 2 * ttl);
  const takeOver = options.takeOver ?? true;
  for (;;) {
    if (takeOver)
      await store.withTransaction((tx) => tx.query('DELETE FROM es_leases WHERE subscriber_id = $1', [name]));
    if (await store.leases.tryAcquire(name, instanceId, ttl)) break;
    if (Date.now() > waitUntil) throw new Error(`projection ${name} is held by another instance`);
    await sleep(Math.min(250, ttl / 4), undefined, { signal: options.signal });
  }
  let leaseLost = false;
  const renewal = setInterval(() => {
    store.leases.renew(name, instanceId, ttl).then(
      (held) => {
        if (!held) leaseLost = true;
      },
      () => {
        leaseLost = true;
      },
    );
  }, ttl / 3);
  try {
    const byStream =
      options.byStream !== false && projection.streamRebuild !== undefined && store.readCategoryByStream !== undefined;
    // Read before the transaction (PGlite has one connection): what the streams are folded up to.
    const startHead = byStream ? await store.headPosition() : START;
    const resumed = await store.withTransaction(async (tx) => {
      await tx.query(REBUILDS_DDL);
      await tx.query(REBUILDS_STREAM_COLUMNS);
      const marked = await tx.query('SELECT 1 FROM projection_rebuilds WHERE name = $1', [name]);
      if (marked.length > 0) return true;
      await projection.setup(tx);
      await reset(tx);
      await tx.query('DELETE FROM es_checkpoints WHERE subscriber_id = $1', [name]);
      await tx.query('INSERT INTO projection_rebuilds (name, stream_up_to) VALUES ($1, $2)', [
        name,
        startHead === START ? null : startHead,
      ]);
      return false;
    });
    let applied = 0;
    const [mark] = await store.withTransaction((tx) =>
      tx.query<{ stream_up_to: string | null; stream_cursor: string | null }>(
        'SELECT stream_up_to, stream_cursor FROM projection_rebuilds WHERE name = $1',
        [name],
      ),
    );
    if (mark?.stream_up_to) {
      applied = await rebuildByStream(store, projection, mark.stream_up_to, mark.stream_cursor, {
        batchSize,
        signal: options.signal,
        leaseLost: () => leaseLost,
        onProgress: (count) =>
          options.onProgress?.({ name, applied: count, position: START, head: mark.stream_up_to!, done: false }),
      });
    }
    let after = (await store.checkpoints.load(name)) ?? START;
    let saved: LogPosition | null = after === START ? null : after;
    const head = await store.headPosition();
    const read = (from: LogPosition) => {
      const page = readPage(store, from, batchSize, projection.filter);
      page.catch(() => undefined);
      return page;
    };
    let pending = read(after);
    const session = projection.rebuildSession?.(store);
    // A segment spans several pages only where the next page can be read beside the open transaction (PGlite has
    // one connection).
    const multiPage = store.capabilities().concurrentConnections;
    const segmentSize = options.segmentSize ?? 100_000;
    for (;;) {
      options.signal?.throwIfAborted();
      if (leaseLost) throw new Error(`projection ${name}: lease lost during the rebuild`);
      let page = await pending;
      // The next page is read while this one is written (another connection on PostgreSQL).
      if (!page.short) pending = read(page.next);
      const expectedPrevious = saved;
      let segmentEvents = 0;
      await store.withTransaction(async (tx) => {
        // Rows and checkpoint share the commit, so a crash that loses it loses both and the replay redoes the page:
        // the rebuild need not wait for each page's WAL flush (the last page, below, does).
        if (!page.short) await tx.query('SET LOCAL synchronous_commit = off');
        if (session) {
          // A segment: pages until `segmentSize` events (or the end), then the session's flush, in this transaction.
          try {
            for (;;) {
              await session.applyPage(page.events, tx);
              segmentEvents += page.events.length;
              if (page.short || !multiPage || segmentEvents >= segmentSize) break;
              const next = await pending;
              if (!next.short) pending = read(next.next);
              page = next;
            }
            await session.flush(tx);
          } catch (error) {
            session.discard();
            throw error;
          }
        } else {
          await applyPage(projection, page.events, tx);
          segmentEvents = page.events.length;
        }
        if (comparePositions(page.next, after) > 0) {
          await store.checkpoints.save(name, page.next, { expectedPrevious, tx });
        }
        if (page.short) {
          // The last page: the tables get what `reset()` may have dropped (indexes), and the mark goes with it, so a
          // crash between the two cannot leave it behind.
          await session?.finish?.(tx);
          await projection.setup(tx);
          await tx.query('DELETE FROM projection_rebuilds WHERE name = $1', [name]);
        }
      });
      if (comparePositions(page.next, after) > 0) saved = page.next;
      after = page.next;
      applied += segmentEvents;
      options.onProgress?.({ name, applied, position: after, head, done: page.short });
      if (page.short) return { applied, position: after, resumed };
    }
  } finally {
    clearInterval(renewal);
    await store.leases.release(name, instanceId).catch(() => undefined);
  }
}
