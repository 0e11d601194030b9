import { Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { BullModule, type WorkerHost, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { CommandPipeline, ProjectionRunner } from '@muskel/application';
import { AppConfig } from '@muskel/config';
import { EVENT_STORE, type EventStore, type SqlExecutor, withSchemaLock } from '@muskel/event-store';
import {
  BullJobSink,
  IdentityCheckService,
  JobDispatcher,
  QUEUES,
  RedisUnavailableError,
  setupIdentityCheckTables,
} from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { IdentityCheckProcessor } from './identity-check.processor';
import { jobsPrefix, redactedRedisUrl } from './job-prefix';
import { MonthlyCycleModule } from './monthly-cycle/monthly-cycle.module';
import { MonthlyCycleProcessor } from './monthly-cycle/monthly-cycle.processor';
import { ReconcileProcessor } from './reconcile.processor';
import { ReferenceMatchingModule } from './reference-matching/reference-matching.module';
import { ReferenceMatchingProcessor } from './reference-matching/reference-matching.processor';
import { RedisStatus } from './redis-status';
import { SIKS_NG_JOB_PROVIDERS } from './siks-export/siks-export.providers';

const JOBS_PREFIX = Symbol('JOBS_PREFIX');

/** The queues whose jobs JOBS_CONCURRENCY and JOBS_RATE_LIMIT_PER_SECOND limit. */
export const LIMITED_QUEUES = [
  QUEUES.identityChecks,
  QUEUES.referenceMatching,
  QUEUES.siksExports,
  QUEUES.pusdatinResults,
] as const;
const DISPATCHER_RUNNER = Symbol('DISPATCHER_RUNNER');

/**
 * Starts the dispatcher and declares the reconciler's schedule. Nothing here waits for Redis: with Redis down the
 * worker starts, the dispatcher's pages fail fast and are retried, and the schedule is declared once Redis answers
 * (again after a restart that lost it).
 */
class JobsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');

  constructor(
    @Inject(DISPATCHER_RUNNER) private readonly dispatcher: ProjectionRunner,
    @Inject(BullJobSink) private readonly sink: BullJobSink,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(RedisStatus) private readonly redis: RedisStatus,
    @Inject(ModuleRef) private readonly modules: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    // The queues Nest registered and the workers without an 'error' handler of their own: BullMQ prints an error
    // nobody listens to on stderr (seen when a stop right after start closes a connection still being set up:
    // "Connection is closed.").
    const failed = (error: Error) => this.redis.failed(error);
    for (const name of Object.values(QUEUES))
      this.modules.get<Queue>(getQueueToken(name), { strict: false }).on('error', failed);
    for (const type of [ReconcileProcessor, MonthlyCycleProcessor, ReferenceMatchingProcessor]) {
      this.modules.get<WorkerHost>(type, { strict: false }).worker.on('error', failed);
    }
    this.dispatcher.start();
    const reconcileQueue = this.sink.queue(QUEUES.reconcile);
    const declare = () =>
      reconcileQueue
        .upsertJobScheduler(
          'reconcile',
          { every: this.config.JOBS_RECONCILE_INTERVAL_SECONDS * 1000 },
          { name: 'reconcile', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
        )
        .then(() => this.applyLimits())
        .catch((error: Error) => this.redis.failed(error));
    void reconcileQueue.client.then((client) => {
      client.on('error', (error: Error) => this.redis.failed(error));
      // After every (re)connection: a Redis restarted without persistence has forgotten the schedule.
      client.on('ready', () => {
        this.redis.ready();
        void declare();
      });
      if (client.status === 'ready') {
        this.redis.ready();
        void declare();
      }
    });
  }

  /**
   * Concurrency and rate limits of each work queue, across every worker process (BullMQ global limits, kept in
   * Redis). Set on the queues Nest registered, whose connections Nest opens and closes: a queue made here only for
   * this could be closed at shutdown while still connecting, which BullMQ 5 turns into an unhandled error.
   * The reconciler's and the monthly cycle's ticks are control work and are never limited.
   */
  private async applyLimits(): Promise<void> {
    const perSecond = this.config.JOBS_RATE_LIMIT_PER_SECOND;
    for (const name of LIMITED_QUEUES) {
      const queue = this.modules.get<Queue>(getQueueToken(name), { strict: false });
      await queue.setGlobalConcurrency(this.config.JOBS_CONCURRENCY);
      if (perSecond > 0) await queue.setGlobalRateLimit(perSecond, 1000);
      else await queue.removeGlobalRateLimit();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
    await this.sink.close();
    this.logger.log('job dispatcher stopped');
  }
}

/**
 * Background work on BullMQ (worker role): the outbox dispatcher (a projection with its own checkpoint), the
 * processors (@nestjs/bullmq workers, which finish their running jobs on shutdown) and the reconciler.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig, SQL_DATABASE],
      useFactory: async (config: AppConfig, db: SqlExecutor) => ({
        // Workers block on Redis commands: BullMQ requires unlimited retries per request on their connections.
        connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
        prefix: await jobsPrefix(db, config.JOBS_PREFIX),
      }),
    }),
    // Registering the queues also brings @nestjs/bullmq's explorer, which starts a worker per @Processor.
    BullModule.registerQueue({ name: QUEUES.identityChecks }, { name: QUEUES.reconcile }),
    MonthlyCycleModule,
    ReferenceMatchingModule,
    BullModule.registerQueue({ name: QUEUES.siksExports }, { name: QUEUES.pusdatinResults }),
  ],
  providers: [
    {
      provide: JOBS_PREFIX,
      inject: [AppConfig, SQL_DATABASE],
      useFactory: (config: AppConfig, db: SqlExecutor) => jobsPrefix(db, config.JOBS_PREFIX),
    },
    {
      provide: RedisStatus,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new RedisStatus(redactedRedisUrl(config.REDIS_URL)),
    },
    {
      // Enqueues from the dispatcher's transaction, bounded by BullJobSink's timeout while Redis is down. No
      // enableOfflineQueue: false: BullMQ's own start-up commands would then reject unhandled at shutdown.
      provide: BullJobSink,
      inject: [AppConfig, JOBS_PREFIX],
      useFactory: (config: AppConfig, prefix: string) =>
        new BullJobSink({ url: config.REDIS_URL, maxRetriesPerRequest: 1 }, prefix),
    },
    {
      provide: IdentityCheckService,
      inject: [CommandPipeline, SQL_DATABASE],
      useFactory: (pipeline: CommandPipeline, db: SqlExecutor) => new IdentityCheckService(pipeline, db),
    },
    {
      provide: DISPATCHER_RUNNER,
      inject: [EVENT_STORE, SQL_DATABASE, BullJobSink, AppConfig, RedisStatus],
      useFactory: async (
        store: EventStore,
        db: SqlExecutor,
        sink: BullJobSink,
        config: AppConfig,
        redis: RedisStatus,
      ) => {
        await withSchemaLock(db, (q) => setupIdentityCheckTables(q));
        const logger = new Logger('Jobs');
        const runner = new ProjectionRunner(
          store,
          new JobDispatcher(sink, { reconcileAfterSeconds: config.JOBS_RECONCILE_AFTER_SECONDS }),
          {
            onError: (error) => {
              const message = (error as Error).message;
              // An unreachable Redis is said once by RedisStatus; anything else is logged (message only).
              if (
                error instanceof RedisUnavailableError ||
                /enableOfflineQueue|ECONNREFUSED|Connection is closed/.test(message)
              ) {
                redis.failed(error as Error);
              } else {
                logger.error(`job dispatcher failed; retrying: ${message}`);
              }
            },
          },
        );
        await runner.setup();
        return runner;
      },
    },
    IdentityCheckProcessor,
    ReconcileProcessor,
    ...SIKS_NG_JOB_PROVIDERS,
    JobsLifecycle,
  ],
  exports: [BullJobSink, RedisStatus],
})
export class JobsModule {}
