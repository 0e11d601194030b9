import { Inject } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { IdentityCheckService, QUEUES, type IdentityCheckResult, type JobPayloads } from '@muskel/jobs';
import { MAX_WORKER_CONCURRENCY } from './job-limits';
import { RedisStatus } from './redis-status';

/**
 * Runs the identity check of each proposal content the dispatcher enqueued (ids only in the payload). How many run
 * at once is the queue's global concurrency (JOBS_CONCURRENCY, set by JobsLifecycle), shared by every worker
 * process; the per-process bound here only caps it.
 */
@Processor(QUEUES.identityChecks, { concurrency: MAX_WORKER_CONCURRENCY })
export class IdentityCheckProcessor extends WorkerHost {
  constructor(
    @Inject(IdentityCheckService) private readonly service: IdentityCheckService,
    @Inject(RedisStatus) private readonly redis: RedisStatus,
  ) {
    super();
  }

  process(job: Job<JobPayloads['identity-checks']>): Promise<IdentityCheckResult> {
    return this.service.run(job.data);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.redis.failed(error);
  }
}
