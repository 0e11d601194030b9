import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventStore } from './event-store.port';
import { StoreUnavailableError } from './errors';
import type { AppendLimits } from './validation';
import { PgliteExecutor } from './sql/pglite.executor';
import { PostgresExecutor } from './sql/postgres.executor';
import { SqlEventStore } from './sql/sql-event-store';
import { WalFlusher } from './sql/wal-flusher';

/** After this many WAL segments (16 MiB each) the PGlite store checkpoints and flushes its data files. */
const SEGMENTS_PER_CHECKPOINT = 4;

export interface PostgresEventStoreOptions {
  connectionString: string;
  poolSize?: number;
  limits?: Partial<AppendLimits>;
  pollIntervalMs?: number;
}

export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<SqlEventStore> {
  const executor = new PostgresExecutor({ connectionString: options.connectionString, poolSize: options.poolSize });
  return Promise.resolve(
    new SqlEventStore(executor, {
      kind: 'postgres',
      pageSize: 1000,
      limits: options.limits,
      notifyOtherProcesses: true,
      concurrentConnections: true,
      pollIntervalMs: options.pollIntervalMs,
    }),
  );
}

export interface PgliteEventStoreOptions {
  /** Directory of the database files; in memory when absent. */
  dataDir?: string;
  /** Start from a dump made by `dumpDataDir()` (tests use it to skip initdb). */
  loadDataDir?: Blob;
  /**
   * Flush PGlite's WAL to disk before acknowledging each commit (default true with a dataDir). Off, a power cut
   * may lose acknowledged events; only tests and benchmarks turn it off.
   */
  durable?: boolean;
  limits?: Partial<AppendLimits>;
  pollIntervalMs?: number;
}

export class PgliteEventStore extends SqlEventStore {
  constructor(
    private readonly pglite: PgliteExecutor,
    readonly flusher: WalFlusher | undefined,
    options: PgliteEventStoreOptions,
  ) {
    super(pglite, {
      kind: 'pglite',
      // PGlite runs queries on the Node thread, one at a time: small pages keep appends flowing during catch-up.
      pageSize: 500,
      limits: options.limits,
      notifyOtherProcesses: false,
      concurrentConnections: false,
      pollIntervalMs: options.pollIntervalMs,
      afterCommit: flusher ? () => this.flushDurably(flusher) : undefined,
      onClosed: flusher ? () => flusher.syncAll() : undefined,
    });
  }

  private checkpointing: Promise<void> | null = null;

  private async flushDurably(flusher: WalFlusher): Promise<void> {
    await flusher.flush();
    if (flusher.segmentsSinceSync >= SEGMENTS_PER_CHECKPOINT && !this.checkpointing) {
      // PostgreSQL recycles WAL after a checkpoint; the data files it wrote must reach the disk first-hand.
      this.checkpointing = (async () => {
        await this.pglite.exec('CHECKPOINT');
        await flusher.syncAll();
      })()
        .catch(() => undefined)
        .finally(() => {
          this.checkpointing = null;
        });
    }
  }

  /** A copy of the whole database, to start other instances from (tests). */
  dumpDataDir(): Promise<Blob> {
    return this.pglite.dumpDataDir();
  }
}

export async function createPgliteEventStore(options: PgliteEventStoreOptions = {}): Promise<PgliteEventStore> {
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = path.resolve(options.dataDir);
    fs.mkdirSync(dataDir, { recursive: true });
  }
  const executor = await PgliteExecutor.open({ dataDir, loadDataDir: options.loadDataDir });
  const durable = options.durable ?? true;
  const flusher = dataDir && durable ? new WalFlusher(dataDir) : undefined;
  return new PgliteEventStore(executor, flusher, options);
}

export interface EventStoreConfig {
  /** PostgreSQL server; when absent, the embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** KurrentDB server for the events; its read models (checkpoints, leases) stay in `databaseUrl`, which it needs. */
  kurrentdbUrl?: string;
}

/** The store the configuration asks for. Not yet initialised: call `init()`. */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  if (config.kurrentdbUrl) {
    if (!config.databaseUrl) throw new StoreUnavailableError('KURRENTDB_URL needs DATABASE_URL for the read models');
    // Loaded only here: the client brings a native module that other configurations need not load.
    const { createKurrentDbEventStore } = await import('./kurrentdb/kurrentdb-event-store');
    return createKurrentDbEventStore({
      connectionString: config.kurrentdbUrl,
      readModelDatabaseUrl: config.databaseUrl,
      poolSize: config.poolSize,
    });
  }
  if (config.databaseUrl) {
    return createPostgresEventStore({ connectionString: config.databaseUrl, poolSize: config.poolSize });
  }
  return createPgliteEventStore({ dataDir: path.join(config.dataDir, 'pglite') });
}
