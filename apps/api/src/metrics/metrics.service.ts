import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { AppConfig } from '@muskel/config';
import { EVENT_STORE, START, type EventStore, type SqlExecutor, type SqlQueryable } from '@muskel/event-store';
import { AUDIT_LOG_PROJECTION } from '@muskel/audit-log';
import { JOB_DISPATCHER } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { projectionNames } from '@muskel/projections';
import { REACTOR_NAMES } from '@muskel/reactors';
import { usersProjection } from '../users/queries/users.projection';
import { QueueDepth } from './queue-depth';

/** The log subscribers the worker runs (MUSKEL_ROLE worker or all). */
export const WORKER_SUBSCRIBERS: readonly string[] = [
  ...projectionNames,
  ...REACTOR_NAMES,
  AUDIT_LOG_PROJECTION,
  JOB_DISPATCHER,
];
/** The users list is kept by the API processes themselves (UsersModule). */
export const API_SUBSCRIBERS: readonly string[] = [usersProjection.name];
/** Every log subscriber; any other found in the checkpoint table is reported too. */
export const KNOWN_SUBSCRIBERS: readonly string[] = [...WORKER_SUBSCRIBERS, ...API_SUBSCRIBERS];

/**
 * Counting stops here: a projection this far behind is rebuilding or stuck, and the exact number no longer helps.
 * KurrentDB has no count and reads the events it counts, so it stops much sooner.
 */
export const LAG_COUNT_CAP = 1_000_000;
export const KURRENTDB_LAG_COUNT_CAP = 10_000;

/** Subscribers with a checkpoint (any besides the known ones is reported too). */
const CHECKPOINTED_SQL = 'SELECT subscriber_id FROM es_checkpoints ORDER BY subscriber_id';

/**
 * The oldest transactions open on the whole server (the event log's readers wait for every transaction that holds
 * a transaction id, whatever its database). Sessions of other database roles are visible only to a role with
 * pg_monitor (or pg_read_all_stats).
 */
const OLDEST_TRANSACTION_SQL = `
SELECT coalesce(extract(epoch FROM clock_timestamp() - min(xact_start)), 0)::float8 AS oldest,
       coalesce(extract(epoch FROM clock_timestamp() - min(xact_start) FILTER (WHERE backend_xid IS NOT NULL)), 0)::float8
         AS oldest_write
  FROM pg_stat_activity
 WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()`;

const REACTOR_FAILURES_SQL = `
SELECT reactor, count(*)::integer AS failures FROM reactor_failures GROUP BY reactor ORDER BY reactor`;

interface Lag {
  name: string;
  events: number;
  seconds: number;
  leased: boolean;
}

/**
 * The numbers `GET /metrics` exposes, in Prometheus' text format (prom-client). Database figures are read on each
 * scrape (two short queries, a 5 s statement timeout), so every process, API or worker, reports the same truth
 * about the shared database; process figures are this process's own. A registry per application instance, so
 * several applications in one process (the tests) do not collide.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();
  private defaultsStarted = false;
  private scrape: Promise<string> | undefined;

  private readonly lagEvents: Gauge<'projection'>;
  private readonly lagSeconds: Gauge<'projection'>;
  private readonly leaseHeld: Gauge<'projection'>;
  private readonly reactorFailures: Gauge<'reactor'>;
  private readonly databaseUp: Gauge;
  private readonly queueJobs: Gauge<'queue' | 'state'>;
  private readonly redisUp: Gauge;
  private readonly queueDepth: QueueDepth;
  private readonly oldestTransaction: Gauge | undefined;
  private readonly oldestWriteTransaction: Gauge | undefined;
  private readonly lagCap: number;

  constructor(
    private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_DATABASE) private readonly db: SqlExecutor,
  ) {
    const registers = [this.registry];
    new Gauge({
      name: 'muskel_info',
      help: 'Always 1; the labels say what this process runs (MUSKEL_ROLE) and on which event store.',
      labelNames: ['role', 'store'],
      registers,
    }).set({ role: config.MUSKEL_ROLE, store: store.kind }, 1);
    this.databaseUp = new Gauge({
      name: 'muskel_database_up',
      help: '1 when the database answered the last scrape, 0 when it did not (the database figures are then absent).',
      registers,
    });
    this.lagCap = store.kind === 'kurrentdb' ? KURRENTDB_LAG_COUNT_CAP : LAG_COUNT_CAP;
    this.lagEvents = new Gauge({
      name: 'muskel_projection_lag_events',
      help: `Events in the log after the projection's (or reactor's) checkpoint, up to the settled head; counted up to ${this.lagCap}.`,
      labelNames: ['projection'],
      registers,
    });
    this.lagSeconds = new Gauge({
      name: 'muskel_projection_lag_seconds',
      help: 'Age of the oldest event the projection (or reactor) has not applied yet; 0 when it is up to date.',
      labelNames: ['projection'],
      registers,
    });
    this.leaseHeld = new Gauge({
      name: 'muskel_projection_lease_held',
      help: 'Whether some worker holds the projection lease (1) or none does (0: nobody is applying events).',
      labelNames: ['projection'],
      registers,
    });
    this.reactorFailures = new Gauge({
      name: 'muskel_reactor_failures',
      help: 'Refusals recorded in reactor_failures, by reactor (events a reactor could not carry out and moved past).',
      labelNames: ['reactor'],
      registers,
    });
    this.queueJobs = new Gauge({
      name: 'muskel_queue_jobs',
      help: 'Jobs in each BullMQ queue by state (waiting, active, delayed, prioritized, failed); absent until a worker has created the queues.',
      labelNames: ['queue', 'state'],
      registers,
    });
    this.redisUp = new Gauge({
      name: 'muskel_redis_up',
      help: '1 when Redis answered the last scrape (a PING, then the queue counts), 0 when it did not (no queue figures then).',
      registers,
    });
    this.queueDepth = new QueueDepth(config.REDIS_URL, config.JOBS_PREFIX);
    // PGlite runs inside this process, one session at a time: there are no other transactions to watch.
    if (store.kind === 'postgres') {
      this.oldestTransaction = new Gauge({
        name: 'muskel_db_oldest_transaction_seconds',
        help: 'Age of the oldest transaction open on the PostgreSQL server (any database), 0 when none is.',
        registers,
      });
      this.oldestWriteTransaction = new Gauge({
        name: 'muskel_db_oldest_write_transaction_seconds',
        help: 'Age of the oldest open transaction holding a transaction id: it holds back every reader of the event log.',
        registers,
      });
    }
  }

  /** The exposition text. Concurrent scrapes share one collection. */
  metrics(): Promise<string> {
    this.scrape ??= this.collect().finally(() => {
      this.scrape = undefined;
    });
    return this.scrape;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async collect(): Promise<string> {
    if (!this.defaultsStarted) {
      // Started on the first scrape, not at boot: nothing runs (event-loop monitor, GC observer) where nobody scrapes.
      collectDefaultMetrics({ register: this.registry });
      this.defaultsStarted = true;
    }
    for (const gauge of [this.lagEvents, this.lagSeconds, this.leaseHeld, this.reactorFailures]) gauge.reset();
    try {
      const subscribers = await this.db.transaction(async (q) => {
        await q.query("SET LOCAL statement_timeout = '5s'");
        await this.collectReactorFailures(q);
        if (this.oldestTransaction && this.oldestWriteTransaction) {
          const [row] = await q.query<{ oldest: number; oldest_write: number }>(OLDEST_TRANSACTION_SQL);
          this.oldestTransaction.set(Number(row?.oldest ?? 0));
          this.oldestWriteTransaction.set(Number(row?.oldest_write ?? 0));
        }
        const checkpointed = await q.query<{ subscriber_id: string }>(CHECKPOINTED_SQL);
        return [...new Set([...KNOWN_SUBSCRIBERS, ...checkpointed.map((row) => row.subscriber_id)])].sort();
      });
      // Through the store, outside that transaction (PGlite has one connection): the log may not be in SQL at all.
      const lags: Lag[] = [];
      for (const name of subscribers) lags.push(await this.lagOf(name));
      for (const lag of lags) {
        const labels = { projection: lag.name };
        this.lagEvents.set(labels, lag.events);
        this.lagSeconds.set(labels, lag.seconds);
        this.leaseHeld.set(labels, lag.leased ? 1 : 0);
      }
      this.databaseUp.set(1);
    } catch (error) {
      for (const gauge of [this.lagEvents, this.lagSeconds, this.leaseHeld, this.reactorFailures]) gauge.reset();
      this.oldestTransaction?.reset();
      this.oldestWriteTransaction?.reset();
      this.databaseUp.set(0);
      this.logger.warn(`database figures unavailable: ${(error as Error).message}`);
    }
    await this.collectQueues();
    return this.registry.metrics();
  }

  async onModuleDestroy(): Promise<void> {
    await this.queueDepth.close();
  }

  private async collectQueues(): Promise<void> {
    this.queueJobs.reset();
    try {
      await this.queueDepth.ping();
      const counts = await this.queueDepth.counts(this.db);
      for (const { queue, state, count } of counts ?? []) this.queueJobs.set({ queue, state }, count);
      this.redisUp.set(1);
    } catch (error) {
      this.queueJobs.reset();
      this.redisUp.set(0);
      this.logger.warn(`queue figures unavailable: ${(error as Error).message}`);
    }
  }

  /** Events after the subscriber's checkpoint (capped), the age of the first of them, and its lease. */
  private async lagOf(name: string): Promise<Lag> {
    const after = (await this.store.checkpoints.load(name)) ?? START;
    const events = await this.store.countAfter(after, this.lagCap);
    let seconds = 0;
    if (events > 0) {
      for await (const first of this.store.readAll({ after, maxCount: 1 })) {
        seconds = Math.max(0, (Date.now() - first.recordedAt.getTime()) / 1000);
      }
    }
    const leased = (await this.store.leases.holder(name)) !== undefined;
    return { name, events, seconds, leased };
  }

  private async collectReactorFailures(q: SqlQueryable): Promise<void> {
    // The worker creates the table; an API that starts first on a new database finds none yet.
    const [exists] = await q.query<{ present: boolean }>(
      "SELECT to_regclass('reactor_failures') IS NOT NULL AS present",
    );
    for (const reactor of REACTOR_NAMES) this.reactorFailures.set({ reactor }, 0);
    if (!exists?.present) return;
    const rows = await q.query<{ reactor: string; failures: number }>(REACTOR_FAILURES_SQL);
    for (const row of rows) this.reactorFailures.set({ reactor: row.reactor }, Number(row.failures));
  }
}
