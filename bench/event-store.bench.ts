/**
 * Event-store benchmark (`npm run bench`): the PostgreSQL and PGlite adapters against a raw baseline on the same
 * database, in the same run.
 *
 * The baseline is a table made with `CREATE TABLE raw_events (LIKE es_events INCLUDING ALL)` (same columns,
 * defaults, identity, primary key, unique constraint and index) written with plain INSERTs, one autocommit
 * transaction per append, through the same driver: the store's own `pg` pool or its own PGlite instance. On
 * PostgreSQL the raw statements are named (prepared once per connection), as the adapter's append is.
 *
 * Each measurement warms both sides up, then alternates adapter and raw rounds (A R, R A, A R, …) and reports the
 * median of the rounds; "vs raw" is the ratio of the medians. It reports and never fails on a missed target: the
 * exit code is non-zero only on errors.
 *
 * Environment: BENCH_DATABASE_URL (or TEST_DATABASE_URL) names the PostgreSQL server, default
 * postgres://postgres@127.0.0.1:5432/test; the bench creates a database `muskel_bench_<random>` there and drops it
 * at the end. BENCH_ROUNDS, BENCH_ROUND_MS and BENCH_WARMUP_MS change the number and length of the rounds (defaults
 * 5, 2000 and 700); BENCH_ONLY=postgres or pglite runs one adapter.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import {
  createPgliteEventStore,
  createPostgresEventStore,
  type JsonObject,
  type NewEvent,
  type PgliteEventStore,
  type RecordedEvent,
  type SqlEventStore,
} from '@muskel/event-store';

// ------------------------------------------------------------------ settings

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive whole number (got "${raw}")`);
  return value;
}

const SERVER_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUND_MS = envInt('BENCH_ROUND_MS', 2000);
const WARMUP_MS = envInt('BENCH_WARMUP_MS', 700);
const ROUNDS = envInt('BENCH_ROUNDS', 5);
/** `postgres` or `pglite` runs one adapter only (for development; the full run measures both). */
const ONLY = process.env.BENCH_ONLY;
if (ONLY !== undefined && ONLY !== 'postgres' && ONLY !== 'pglite') {
  throw new Error(`BENCH_ONLY must be "postgres" or "pglite" (got "${ONLY}")`);
}
const WRITERS = 16;
/** One connection per writer, plus one for the adapter's coalesced NOTIFY. */
const POOL_SIZE = WRITERS + 1;
const STREAM_READS = 1000;
const STREAM_READ_WARMUP = 100;
const EVENT_TYPE = 'BenchEvent';
const BATCH = 10;

const TARGETS = {
  postgresVsRaw: 0.85,
  postgresReadAll: 100_000,
  pgliteReadAll: 15_000,
  pgliteAppends: 400,
} as const;

// ------------------------------------------------------------------ payload

const VILLAGES = ['Sukamaju', 'Mekarsari', 'Sumberrejo', 'Karangasem', 'Tanjungsari', 'Cibodas', 'Margamulya'];
const REASONS = [
  'Kepala keluarga kehilangan pekerjaan tetap; rumah berdinding bambu',
  'Lansia tinggal sendiri tanpa penghasilan; atap rumah bocor',
  'Anak usia sekolah putus sekolah karena biaya; lantai tanah',
];

let sequence = 0;

/** About 250 bytes of JSON: a synthetic proposal to add a household to the registry (no real person). */
function proposal(): JsonObject {
  const n = ++sequence;
  return {
    proposalId: `USL-${String(n).padStart(8, '0')}`,
    kind: 'penambahan',
    desa: VILLAGES[n % VILLAGES.length]!,
    rtRw: `0${n % 9}/00${n % 7}`,
    household: `Rumah Tangga Contoh ${n % 1000}`,
    members: 2 + (n % 6),
    monthlyIncome: 750_000 + (n % 20) * 50_000,
    reason: REASONS[n % REASONS.length]!,
    submittedOn: '2025-03-14',
  };
}

function metadata(): JsonObject {
  return { correlationId: randomUUID(), actor: 'operator-desa-bench' };
}

function newEvent(): NewEvent {
  return { id: randomUUID(), type: EVENT_TYPE, data: proposal(), metadata: metadata() };
}

function newStream(): string {
  return `bench-${randomUUID()}`;
}

// ------------------------------------------------------------------ raw baseline SQL

const RAW_TABLE_SQL = 'CREATE TABLE raw_events (LIKE es_events INCLUDING ALL)';
/** Created only before the read phase, so the append phases compare identical index sets. */
const RAW_READ_INDEX_SQL = 'CREATE INDEX raw_events_global_position ON raw_events (global_position)';

const RAW_INSERT_1 = {
  name: 'bench_raw_insert_1',
  text: `INSERT INTO raw_events (stream_id, stream_revision, event_id, event_type, data, metadata)
         VALUES ($1, 0, $2, $3, $4, $5)`,
};

const RAW_INSERT_BATCH = {
  name: 'bench_raw_insert_batch',
  text: `INSERT INTO raw_events (stream_id, stream_revision, event_id, event_type, data, metadata) VALUES ${Array.from(
    { length: BATCH },
    (_, i) => `($1, ${i}, $${2 + 4 * i}, $${3 + 4 * i}, $${4 + 4 * i}, $${5 + 4 * i})`,
  ).join(', ')}`,
};

const RAW_COLUMNS =
  'global_position, stream_id, stream_revision, event_id, event_type, data, metadata, schema_version, recorded_at';

const RAW_READ_PAGE = {
  name: 'bench_raw_read_page',
  text: `SELECT ${RAW_COLUMNS} FROM raw_events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
};

const RAW_READ_STREAM = {
  name: 'bench_raw_read_stream',
  text: `SELECT ${RAW_COLUMNS} FROM raw_events WHERE stream_id = $1 ORDER BY stream_revision`,
};

interface RawEventRow {
  global_position: string | number | bigint;
  stream_id: string;
  stream_revision: string | number | bigint;
  event_id: string;
  event_type: string;
  data: JsonObject;
  metadata: JsonObject;
  schema_version: number;
  recorded_at: Date | string;
}

/** What the adapter does with a row (`rowToEvent`), for the raw rows. */
function rawRowToEvent(row: RawEventRow): RecordedEvent {
  return {
    streamName: row.stream_id,
    revision: Number(row.stream_revision),
    position: String(row.global_position),
    id: row.event_id,
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    schemaVersion: row.schema_version,
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  };
}

// ------------------------------------------------------------------ one store under test

/** A store, what was written to it, and the 10-event streams available for readStream. */
class Subject {
  adapterEvents = 0;
  adapterAppends = 0;
  rawEvents = 0;
  readonly adapterStreams: string[] = [];
  readonly rawStreams: string[] = [];

  constructor(readonly store: SqlEventStore) {}

  private query<R>(statement: { name: string; text: string }, params: unknown[]): Promise<R[]> {
    return this.store.executor.query<R>(statement.text, params, statement.name);
  }

  async adapterAppend1(): Promise<number> {
    const result = await this.store.appendToStream(newStream(), [newEvent()], { expected: 'no_stream' });
    if (result.nextExpectedRevision !== 0) throw new Error(`append returned revision ${result.nextExpectedRevision}`);
    this.adapterAppends++;
    this.adapterEvents++;
    return 1;
  }

  async rawAppend1(): Promise<number> {
    await this.query(RAW_INSERT_1, [
      newStream(),
      randomUUID(),
      EVENT_TYPE,
      JSON.stringify(proposal()),
      JSON.stringify(metadata()),
    ]);
    this.rawEvents++;
    return 1;
  }

  async adapterAppendBatch(): Promise<number> {
    const stream = newStream();
    const events = Array.from({ length: BATCH }, newEvent);
    const result = await this.store.appendToStream(stream, events, { expected: 'no_stream' });
    if (result.nextExpectedRevision !== BATCH - 1) {
      throw new Error(`append returned revision ${result.nextExpectedRevision}`);
    }
    this.adapterStreams.push(stream);
    this.adapterAppends++;
    this.adapterEvents += BATCH;
    return BATCH;
  }

  async rawAppendBatch(): Promise<number> {
    const stream = newStream();
    const params: unknown[] = [stream];
    for (let i = 0; i < BATCH; i++) {
      params.push(randomUUID(), EVENT_TYPE, JSON.stringify(proposal()), JSON.stringify(metadata()));
    }
    await this.query(RAW_INSERT_BATCH, params);
    this.rawStreams.push(stream);
    this.rawEvents += BATCH;
    return BATCH;
  }

  /** Catch-up from the start of the log: `count` events, touched one by one as a projection would. */
  async adapterReadAll(count: number): Promise<number> {
    let read = 0;
    let checksum = 0;
    for await (const event of this.store.readAll({ maxCount: count })) {
      checksum += event.revision;
      read++;
    }
    if (read !== count) throw new Error(`readAll returned ${read} events, expected ${count}`);
    return checksum;
  }

  async rawReadAll(count: number): Promise<number> {
    let read = 0;
    let checksum = 0;
    let after = '0';
    while (read < count) {
      const limit = Math.min(this.store.pageSize, count - read);
      const rows = await this.query<RawEventRow>(RAW_READ_PAGE, [after, limit]);
      for (const event of rows.map(rawRowToEvent)) {
        checksum += event.revision;
        after = event.position;
      }
      read += rows.length;
      if (rows.length < limit) break;
    }
    if (read !== count) throw new Error(`raw read returned ${read} rows, expected ${count}`);
    return checksum;
  }

  async adapterReadStream(stream: string): Promise<void> {
    let read = 0;
    for await (const event of this.store.readStream(stream)) {
      if (event.revision !== read) throw new Error(`readStream: revision ${event.revision} at index ${read}`);
      read++;
    }
    if (read !== BATCH) throw new Error(`readStream returned ${read} events, expected ${BATCH}`);
  }

  async rawReadStream(stream: string): Promise<void> {
    const events = (await this.query<RawEventRow>(RAW_READ_STREAM, [stream])).map(rawRowToEvent);
    if (events.length !== BATCH) throw new Error(`raw stream read returned ${events.length} rows, expected ${BATCH}`);
  }

  async count(table: 'es_events' | 'raw_events'): Promise<number> {
    const [row] = await this.store.executor.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return row?.n ?? 0;
  }

  /** Every append the bench counted is in the tables, once. */
  async verifyCounts(): Promise<void> {
    const [events, raw] = await Promise.all([this.count('es_events'), this.count('raw_events')]);
    if (events !== this.adapterEvents || raw !== this.rawEvents) {
      throw new Error(
        `row counts disagree: es_events ${events} (appended ${this.adapterEvents}), raw_events ${raw} (inserted ${this.rawEvents})`,
      );
    }
  }
}

// ------------------------------------------------------------------ measurement

type Op = () => Promise<number>;

interface Measure {
  warmup(): Promise<unknown>;
  /** One round: events per second. */
  round(): Promise<number>;
}

interface Series {
  median: number;
  rounds: number[];
}

interface Pair {
  adapter: Series;
  raw: Series;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** `writers` async loops repeat `op` until `ms` have passed; events per second over the whole round. */
async function runFor(op: Op, writers: number, ms: number): Promise<number> {
  const start = performance.now();
  const deadline = start + ms;
  let events = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      // Not `events += await op()`: that reads `events` before the await and loses the other workers' counts.
      const done = await op();
      events += done;
    }
  };
  await Promise.all(Array.from({ length: writers }, worker));
  return events / ((performance.now() - start) / 1000);
}

function timed(op: Op, writers: number): Measure {
  return { warmup: () => runFor(op, writers, WARMUP_MS), round: () => runFor(op, writers, ROUND_MS) };
}

/** A fixed amount of work per round (a catch-up read of `events` events). */
function fixed(events: number, work: () => Promise<unknown>): Measure {
  return {
    warmup: work,
    round: async () => {
      const start = performance.now();
      await work();
      return events / ((performance.now() - start) / 1000);
    },
  };
}

function progress(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}

function fmtRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Warm both up, then alternate rounds so that drift (autovacuum, checkpoints, other load) hits both alike. */
async function compare(label: string, adapter: Measure, raw: Measure): Promise<Pair> {
  await adapter.warmup();
  await raw.warmup();
  const a: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      a.push(await adapter.round());
      r.push(await raw.round());
    } else {
      r.push(await raw.round());
      a.push(await adapter.round());
    }
  }
  progress(`${label}: adapter ${a.map(fmtRate).join(' / ')}, raw ${r.map(fmtRate).join(' / ')} events/s`);
  return { adapter: { median: median(a), rounds: a }, raw: { median: median(r), rounds: r } };
}

interface Latencies {
  adapter: number[];
  raw: number[];
}

/** Reads of random 10-event streams, adapter and raw interleaved one by one. */
async function streamReadLatencies(subject: Subject): Promise<Latencies> {
  const pick = (streams: string[]): string => {
    const stream = streams[Math.floor(Math.random() * streams.length)];
    if (stream === undefined) throw new Error('no 10-event streams to read');
    return stream;
  };
  const time = async (read: () => Promise<void>): Promise<number> => {
    const start = performance.now();
    await read();
    return performance.now() - start;
  };
  const result: Latencies = { adapter: [], raw: [] };
  for (let i = 0; i < STREAM_READ_WARMUP + STREAM_READS; i++) {
    const adapterStream = pick(subject.adapterStreams);
    const rawStream = pick(subject.rawStreams);
    let a: number;
    let r: number;
    if (i % 2 === 0) {
      a = await time(() => subject.adapterReadStream(adapterStream));
      r = await time(() => subject.rawReadStream(rawStream));
    } else {
      r = await time(() => subject.rawReadStream(rawStream));
      a = await time(() => subject.adapterReadStream(adapterStream));
    }
    if (i >= STREAM_READ_WARMUP) {
      result.adapter.push(a);
      result.raw.push(r);
    }
  }
  return result;
}

/** Tops both tables up with 10-event appends until each holds at least `events` rows, for the catch-up reads. */
async function fill(subject: Subject, events: number, writers: number): Promise<void> {
  const topUp = async (table: 'es_events' | 'raw_events', op: Op): Promise<void> => {
    let missing = events - (await subject.count(table));
    const worker = async (): Promise<void> => {
      while (missing > 0) {
        missing -= BATCH;
        await op();
      }
    };
    await Promise.all(Array.from({ length: writers }, worker));
  };
  await topUp('es_events', () => subject.adapterAppendBatch());
  await topUp('raw_events', () => subject.rawAppendBatch());
}

// ------------------------------------------------------------------ report

interface Row {
  metric: string;
  unit: 'events/s' | 'ms';
  adapter: number;
  raw?: number;
  /** Set when the row is checked against a target. */
  target?: { label: string; met: boolean };
}

interface Section {
  title: string;
  rows: Row[];
  notes: string[];
}

/** Adapter speed ÷ raw speed: 1.00 = as fast as raw (for latencies, raw ms ÷ adapter ms). */
function speedVsRaw(row: Row): number | undefined {
  if (row.raw === undefined) return undefined;
  return row.unit === 'ms' ? row.raw / row.adapter : row.adapter / row.raw;
}

function fmtValue(value: number, unit: Row['unit']): string {
  return unit === 'ms' ? `${value.toFixed(2)} ms` : `${fmtRate(value)} ev/s`;
}

function printSection(section: Section): void {
  const header = ['metric', 'adapter', 'raw', 'vs raw', 'target', 'result'];
  const lines = section.rows.map((row) => {
    const speed = speedVsRaw(row);
    return [
      row.metric,
      fmtValue(row.adapter, row.unit),
      row.raw === undefined ? '—' : fmtValue(row.raw, row.unit),
      speed === undefined ? '—' : `${speed.toFixed(2)}×`,
      row.target?.label ?? '(info)',
      row.target ? (row.target.met ? 'PASS' : 'MISS') : '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const right = new Set([1, 2, 3]);
  const format = (cells: string[]): string =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`\n${section.title}`);
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
  for (const note of section.notes) console.log(`  ${note}`);
}

function ratioTarget(pair: Pair, minimum: number): Row['target'] {
  return { label: `≥ ${minimum.toFixed(2)}× raw`, met: pair.adapter.median / pair.raw.median >= minimum };
}

function rateTarget(value: number, minimum: number): Row['target'] {
  return { label: `≥ ${fmtRate(minimum)} ev/s`, met: value >= minimum };
}

function pairRow(metric: string, pair: Pair, target?: Row['target']): Row {
  return { metric, unit: 'events/s', adapter: pair.adapter.median, raw: pair.raw.median, target };
}

function latencyRows(latencies: Latencies): Row[] {
  return [
    {
      metric: 'readStream, 10 events: p50',
      unit: 'ms',
      adapter: percentile(latencies.adapter, 0.5),
      raw: percentile(latencies.raw, 0.5),
    },
    {
      metric: 'readStream, 10 events: p95',
      unit: 'ms',
      adapter: percentile(latencies.adapter, 0.95),
      raw: percentile(latencies.raw, 0.95),
    },
  ];
}

// ------------------------------------------------------------------ the two adapters

async function serverVersion(store: SqlEventStore): Promise<string> {
  const [row] = await store.executor.query<{ server_version: string }>('SHOW server_version');
  return row?.server_version ?? '?';
}

async function prepareRawTable(store: SqlEventStore): Promise<void> {
  await store.executor.exec(RAW_TABLE_SQL);
}

/** The read phases run on vacuumed, analysed tables with hint bits set, for the adapter and raw alike. */
async function prepareReads(store: SqlEventStore): Promise<void> {
  await store.executor.exec(RAW_READ_INDEX_SQL);
  await store.executor.exec('VACUUM ANALYZE es_events');
  await store.executor.exec('VACUUM ANALYZE raw_events');
}

async function benchPostgres(url: string, database: string): Promise<Section> {
  const readAllEvents = 50_000;
  const store = await createPostgresEventStore({ connectionString: url, poolSize: POOL_SIZE });
  try {
    await store.init();
    await prepareRawTable(store);
    const subject = new Subject(store);
    const version = await serverVersion(store);
    progress(`PostgreSQL ${version}, database ${database}, pool ${POOL_SIZE}`);

    const seq = await compare(
      'PostgreSQL 1 event, sequential',
      timed(() => subject.adapterAppend1(), 1),
      timed(() => subject.rawAppend1(), 1),
    );
    const concurrent = await compare(
      `PostgreSQL 1 event, ${WRITERS} writers`,
      timed(() => subject.adapterAppend1(), WRITERS),
      timed(() => subject.rawAppend1(), WRITERS),
    );
    const batch = await compare(
      'PostgreSQL 10 events, sequential',
      timed(() => subject.adapterAppendBatch(), 1),
      timed(() => subject.rawAppendBatch(), 1),
    );

    await fill(subject, readAllEvents, 4);
    await prepareReads(store);
    const readAll = await compare(
      `PostgreSQL readAll ${fmtRate(readAllEvents)}`,
      fixed(readAllEvents, () => subject.adapterReadAll(readAllEvents)),
      fixed(readAllEvents, () => subject.rawReadAll(readAllEvents)),
    );
    const latencies = await streamReadLatencies(subject);
    await subject.verifyCounts();

    return {
      title: `PostgreSQL ${version} (database ${database}, pg pool of ${POOL_SIZE})`,
      rows: [
        pairRow('append 1 event, sequential', seq, ratioTarget(seq, TARGETS.postgresVsRaw)),
        pairRow(`append 1 event, ${WRITERS} writers`, concurrent, ratioTarget(concurrent, TARGETS.postgresVsRaw)),
        pairRow('append 10 events, sequential', batch),
        pairRow(
          `readAll catch-up (${fmtRate(readAllEvents)} events)`,
          readAll,
          rateTarget(readAll.adapter.median, TARGETS.postgresReadAll),
        ),
        ...latencyRows(latencies),
      ],
      notes: [
        "Raw statements are named (prepared per connection), like the adapter's append. Raw reads page by " +
          'global_position through an index added after the append phases; the adapter reads in (tx_id, ' +
          `global_position) order below the oldest running transaction. Both read ${store.pageSize}-row pages.`,
        `${subject.adapterEvents.toLocaleString('en-US')} events appended by the adapter, ` +
          `${subject.rawEvents.toLocaleString('en-US')} rows inserted raw; counts verified.`,
      ],
    };
  } finally {
    await store.close();
  }
}

async function benchPgliteDurable(dataDir: string): Promise<Section> {
  const readAllEvents = 20_000;
  const store: PgliteEventStore = await createPgliteEventStore({ dataDir });
  try {
    await store.init();
    await prepareRawTable(store);
    const subject = new Subject(store);
    const version = await serverVersion(store);
    const flusher = store.flusher;
    if (!flusher) throw new Error('the PGlite store with a dataDir should be durable by default');
    progress(`PGlite (PostgreSQL ${version}), durable, ${dataDir}`);

    /** WAL flushes per adapter append during `run`. */
    const flushesPerAppend = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
      const flushes = flusher.flushes;
      const appends = subject.adapterAppends;
      const result = await run();
      return [result, (flusher.flushes - flushes) / Math.max(1, subject.adapterAppends - appends)];
    };

    const [seq, seqFlushes] = await flushesPerAppend(() =>
      compare(
        'PGlite durable 1 event, sequential',
        timed(() => subject.adapterAppend1(), 1),
        timed(() => subject.rawAppend1(), 1),
      ),
    );
    const [concurrent, concurrentFlushes] = await flushesPerAppend(() =>
      compare(
        `PGlite durable 1 event, ${WRITERS} writers`,
        timed(() => subject.adapterAppend1(), WRITERS),
        timed(() => subject.rawAppend1(), WRITERS),
      ),
    );
    const [batch, batchFlushes] = await flushesPerAppend(() =>
      compare(
        'PGlite durable 10 events, sequential',
        timed(() => subject.adapterAppendBatch(), 1),
        timed(() => subject.rawAppendBatch(), 1),
      ),
    );

    await fill(subject, readAllEvents, 1);
    await prepareReads(store);
    const readAll = await compare(
      `PGlite readAll ${fmtRate(readAllEvents)}`,
      fixed(readAllEvents, () => subject.adapterReadAll(readAllEvents)),
      fixed(readAllEvents, () => subject.rawReadAll(readAllEvents)),
    );
    const latencies = await streamReadLatencies(subject);
    await subject.verifyCounts();

    return {
      title: `PGlite (PostgreSQL ${version}), durable (WAL fdatasync before acknowledging), data dir under ${os.tmpdir()}`,
      rows: [
        pairRow('append 1 event, sequential', seq, rateTarget(seq.adapter.median, TARGETS.pgliteAppends)),
        pairRow(`append 1 event, ${WRITERS} writers (1 connection)`, concurrent),
        pairRow('append 10 events, sequential', batch),
        pairRow(
          `readAll catch-up (${fmtRate(readAllEvents)} events)`,
          readAll,
          rateTarget(readAll.adapter.median, TARGETS.pgliteReadAll),
        ),
        ...latencyRows(latencies),
      ],
      notes: [
        `WAL flushes: ${flusher.flushes.toLocaleString('en-US')} in all; per adapter append: ` +
          `${seqFlushes.toFixed(2)} sequential, ${concurrentFlushes.toFixed(2)} with ${WRITERS} writers, ` +
          `${batchFlushes.toFixed(2)} for 10-event appends. Raw INSERTs are not flushed.`,
        `Reads page by ${store.pageSize} rows (the adapter's PGlite page size), raw too.`,
        `${subject.adapterEvents.toLocaleString('en-US')} events appended by the adapter, ` +
          `${subject.rawEvents.toLocaleString('en-US')} rows inserted raw; counts verified.`,
      ],
    };
  } finally {
    await store.close();
  }
}

/** For information: what the WAL flush costs, on a store that skips it. */
async function benchPgliteNotDurable(dataDir: string): Promise<Row> {
  const store = await createPgliteEventStore({ dataDir, durable: false });
  try {
    await store.init();
    await prepareRawTable(store);
    if (store.flusher) throw new Error('durable: false should not flush');
    const subject = new Subject(store);
    const seq = await compare(
      'PGlite durable:false 1 event, sequential',
      timed(() => subject.adapterAppend1(), 1),
      timed(() => subject.rawAppend1(), 1),
    );
    await subject.verifyCounts();
    return pairRow('append 1 event, sequential, durable: false', seq);
  } finally {
    await store.close();
  }
}

// ------------------------------------------------------------------ scratch resources

/** Run at the end, and on Ctrl-C: drop the bench database, remove the temp directories. */
const cleanups = new Set<() => Promise<void>>();

async function withCleanup<T>(cleanup: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  cleanups.add(cleanup);
  try {
    return await work();
  } finally {
    cleanups.delete(cleanup);
    await cleanup();
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL, application_name: 'muskel-bench-admin' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function withPostgresDatabase<T>(work: (url: string, database: string) => Promise<T>): Promise<T> {
  const database = `muskel_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return withCleanup(
    () => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    () => work(url.toString(), database),
  );
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-bench-pglite-'));
  return withCleanup(
    () => fs.promises.rm(dir, { recursive: true, force: true }),
    () => work(path.join(dir, 'data')),
  );
}

process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: cleaning up\n');
  void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).finally(() => process.exit(130));
});

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const sample = JSON.stringify(newEvent().data).length;
  console.log('Event-store benchmark');
  console.log(
    `${os.cpus().length} × ${cpu}; Node ${process.version}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `${ROUNDS} rounds of ${ROUND_MS} ms per side after ${WARMUP_MS} ms warm-up, alternating adapter and raw; medians. ` +
      `Payload: ${sample} bytes of JSON data + small metadata; each append starts a new stream (expected no_stream).`,
  );
  console.log(
    '"vs raw" = adapter speed ÷ raw speed on the same database in the same run (latency: raw ms ÷ adapter ms).',
  );

  const sections: Section[] = [];
  if (ONLY !== 'pglite') sections.push(await withPostgresDatabase((url, database) => benchPostgres(url, database)));
  if (ONLY !== 'postgres') {
    const pglite = await withTempDir((dir) => benchPgliteDurable(dir));
    pglite.rows.push(await withTempDir((dir) => benchPgliteNotDurable(dir)));
    sections.push(pglite);
  }

  for (const section of sections) printSection(section);

  const missed = sections.flatMap((section) =>
    section.rows
      .filter((row) => row.target && !row.target.met)
      .map((row) => `${section.title.split(' (')[0]}: ${row.metric} (${row.target!.label})`),
  );
  const checked = sections.reduce((n, section) => n + section.rows.filter((row) => row.target).length, 0);
  console.log(
    `\n${missed.length === 0 ? `All ${checked} targets met.` : `${missed.length} of ${checked} targets missed: ${missed.join('; ')}.`}` +
      ` (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
