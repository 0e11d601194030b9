import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { BullModule, InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { CommandPipeline } from '@muskel/application';
import { AppConfig } from '@muskel/config';
import type { SqlExecutor } from '@muskel/event-store';
import { MonthlyCycleService, QUEUES, parseMeetingDays, type CycleCalendar } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { MonthlyCycleProcessor } from './monthly-cycle.processor';

/** The job scheduler's id: one per deployment (jobs prefix), whatever the number of workers. */
export const MONTHLY_CYCLE_SCHEDULER = 'monthly-cycle';

/** The cycle's calendar from the validated configuration (CYCLE_*). */
export function cycleCalendarOf(config: AppConfig): CycleCalendar {
  return {
    meetingDays: parseMeetingDays(config.CYCLE_MEETING_DAYS) ?? { from: 1, to: 14 },
    cutoffDay: config.CYCLE_CUTOFF_DAY,
    reminderDays: config.CYCLE_REMINDER_DAYS,
    timeZone: config.CYCLE_TIME_ZONE,
  };
}

/**
 * Declares the tick's job scheduler (CYCLE_SCHEDULE, a cron pattern read in CYCLE_TIME_ZONE) when the worker starts
 * and again after every Redis (re)connection: a Redis restarted without persistence has forgotten it. Nothing here
 * waits for Redis; JobsModule reports it being down.
 */
class MonthlyCycleLifecycle implements OnApplicationBootstrap {
  private readonly logger = new Logger('MonthlyCycle');

  constructor(
    @InjectQueue(QUEUES.monthlyCycle) private readonly queue: Queue,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const pattern = this.config.CYCLE_SCHEDULE;
    if (pattern === 'off') return;
    const declare = () =>
      this.queue
        .upsertJobScheduler(
          MONTHLY_CYCLE_SCHEDULER,
          { pattern, tz: this.config.CYCLE_TIME_ZONE },
          { name: 'tick', data: { kind: 'tick' }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
        )
        .catch((error: Error) => this.logger.warn(`monthly cycle schedule not declared yet: ${error.message}`));
    void this.queue.client.then((client) => {
      client.on('ready', () => void declare());
      if (client.status === 'ready') void declare();
    });
  }
}

/** The monthly cycle in the worker (issue 6 item 6): its queue, processor and job scheduler. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.monthlyCycle })],
  providers: [
    {
      provide: MonthlyCycleService,
      inject: [CommandPipeline, SQL_DATABASE, AppConfig],
      useFactory: (pipeline: CommandPipeline, db: SqlExecutor, config: AppConfig) =>
        new MonthlyCycleService(pipeline, db, cycleCalendarOf(config)),
    },
    MonthlyCycleProcessor,
    MonthlyCycleLifecycle,
  ],
  exports: [MonthlyCycleService],
})
export class MonthlyCycleModule {}
