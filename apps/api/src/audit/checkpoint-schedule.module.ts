import { Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditLog } from '@muskel/audit-log';
import { AppConfig } from '@muskel/config';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { CheckpointSchedule } from './checkpoint-schedule';
import { checkpointSignerFor } from './checkpoint-signer.factory';

const SCHEDULE = Symbol('CHECKPOINT_SCHEDULE');

/**
 * Starts the scheduled signing in the background: Redis may be slow to answer (or down) and the rest of the worker
 * must not wait for it; failures are logged by message only (a checkpoint holds no personal data anyway).
 */
class ScheduleLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  private started: Promise<void> | undefined;

  constructor(@Inject(SCHEDULE) private readonly schedule: CheckpointSchedule | undefined) {}

  onApplicationBootstrap(): void {
    if (!this.schedule) return;
    this.started = this.schedule
      .start()
      .catch((error: Error) => this.logger.error(`scheduled signing could not start: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.started;
    await this.schedule?.stop();
  }
}

/** The worker's scheduled checkpoint signing (AUDIT_CHECKPOINT_INTERVAL_SECONDS; 0 = only on demand). */
@Module({
  providers: [
    {
      provide: SCHEDULE,
      inject: [EVENT_STORE, SQL_DATABASE, AppConfig],
      useFactory: (store: EventStore, db: SqlExecutor, config: AppConfig): CheckpointSchedule | undefined => {
        if (config.AUDIT_CHECKPOINT_INTERVAL_SECONDS === 0) return undefined;
        const logger = new Logger('AuditCheckpoints');
        return new CheckpointSchedule(checkpointSignerFor(store, config), new AuditLog(db), {
          connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
          everyMs: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000,
          onSigned: (run) => {
            if (run.signed) logger.log(`checkpoint signed at size ${run.size}`);
          },
          onError: (error) => logger.error(`scheduled signing failed: ${error.message}`),
        });
      },
    },
    ScheduleLifecycle,
  ],
})
export class CheckpointScheduleModule {}
