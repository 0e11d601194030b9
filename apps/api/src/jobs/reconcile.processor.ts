import { Inject, Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { AppConfig } from '@muskel/config';
import type { SqlExecutor } from '@muskel/event-store';
import { BullJobSink, QUEUES, reconcile, type ReconcileReport } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';

/** The reconciler, run by its job scheduler: re-enqueues work that is overdue and has no result. */
@Processor(QUEUES.reconcile)
export class ReconcileProcessor extends WorkerHost {
  private readonly logger = new Logger('Jobs');

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlExecutor,
    @Inject(BullJobSink) private readonly sink: BullJobSink,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    super();
  }

  async process(): Promise<ReconcileReport> {
    const report = await reconcile(this.db, this.sink, {
      reconcileAfterSeconds: this.config.JOBS_RECONCILE_AFTER_SECONDS,
    });
    if (report.reenqueued + report.retried + report.failed > 0) {
      this.logger.warn(
        `reconciler: ${report.reenqueued} jobs enqueued again, ${report.retried} retried, ${report.failed} failed for good`,
      );
    }
    return report;
  }
}
