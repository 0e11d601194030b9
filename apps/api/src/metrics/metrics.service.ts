import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { AppConfig } from '@muskel/config';
import { EVENT_STORE, type EventStore, type SqlExecutor, type SqlQueryable } from '@muskel/event-store';
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

/** Counting stops here: a projection this far behind is rebuilding or stuck, and the exact number no longer helps. */
export const LAG_COUNT_CAP = 1_000_000;

/**
 * Per subscriber: events after its checkpoint up to the settled head (the same bound readers use: below the oldest
 * running transaction), the age of the oldest of them, and whether some instance holds its lease. Positions are
 * zero-padded and xid8's input reads a leading zero as octal, hence the detour through numeric. The row
 * comparison on (tx_id, global_position) walks the log-order index from the checkpoint on.
 */
const LAG_SQL = `
WITH settled AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
subscribers AS (
  SELECT name FROM unnest($1::text[]) AS name
  UNION
  SELECT subscriber_id FROM es_checkpoints
),
positions AS (
  SELECT s.name,
         CASE WHEN c.position ~ '^[0-9]{20}:[0-9]{20}$' THEN split_part(c.position, ':', 1)::numeric::text::xid8 ELSE '0'::xid8 END AS tx,
         CASE WHEN c.position ~ '^[0-9]{20}:[0-9]{20}$' THEN split_part(c.position, ':', 2)::bigint ELSE 0 END AS pos
    FROM subscribers s LEFT JOIN es_checkpoints c ON c.subscriber_id = s.name
)
SELECT p.name,
       (SELECT count(*) FROM (
          SELECT 1 FROM es_events e, settled
           WHERE (e.tx_id, e.global_position) > (p.tx, p.pos) AND e.tx_id < settled.xmin
           LIMIT $2) behind)::integer AS lag_events,
       (SELECT extract(epoch FROM clock_timestamp() - e.recorded_at)
          FROM es_events e, settled
         WHERE (e.tx_id, e.global_position) > (p.tx, p.pos) AND e.tx_id < settled.xmin
         ORDER BY e.tx_id, e.global_position LIMIT 1)::float8 AS lag_seconds,
       EXISTS (SELECT 1 FROM es_leases l
                WHERE l.subscriber_id = p.name AND l.expires_at > clock_timestamp()) AS leased
  FROM positions p
 ORDER BY p.name`;

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

interface LagRow extends Record<string, unknown> {
  name: string;
  lag_events: number;
  lag_seconds: number | null;
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
    this.lagEvents = new Gauge({
      name: 'muskel_projection_lag_events',
      help: `Events in the log after the projection's (or reactor's) checkpoint, up to the settled head; counted up to ${LAG_COUNT_CAP}.`,
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
      await this.db.transaction(async (q) => {
        await q.query("SET LOCAL statement_timeout = '5s'");
        await this.collectLag(q);
        await this.collectReactorFailures(q);
        if (this.oldestTransaction && this.oldestWriteTransaction) {
          const [row] = await q.query<{ oldest: number; oldest_write: number }>(OLDEST_TRANSACTION_SQL);
          this.oldestTransaction.set(Number(row?.oldest ?? 0));
          this.oldestWriteTransaction.set(Number(row?.oldest_write ?? 0));
        }
      });
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

  private async collectLag(q: SqlQueryable): Promise<void> {
    const rows = await q.query<LagRow>(LAG_SQL, [KNOWN_SUBSCRIBERS, LAG_COUNT_CAP]);
    for (const row of rows) {
      const labels = { projection: row.name };
      this.lagEvents.set(labels, Number(row.lag_events));
      this.lagSeconds.set(labels, row.lag_seconds === null ? 0 : Math.max(0, Number(row.lag_seconds)));
      this.leaseHeld.set(labels, row.leased ? 1 : 0);
    }
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
