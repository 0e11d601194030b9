import { Inject } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { PusdatinResultsService, QUEUES, type JobPayloads, type PusdatinResultsReport } from '@muskel/jobs';
import { RedisStatus } from '../redis-status';

/** Records a Pusdatin result file on its batch; the report (counts, unmatched rows) is the job's return value. */
@Processor(QUEUES.pusdatinResults, { concurrency: 1 })
export class PusdatinResultsProcessor extends WorkerHost {
  constructor(
    @Inject(PusdatinResultsService) private readonly service: PusdatinResultsService,
    @Inject(RedisStatus) private readonly redis: RedisStatus,
  ) {
    super();
  }

  process(job: Job<JobPayloads['pusdatin-results']>): Promise<PusdatinResultsReport> {
    return this.service.run(job.data, (progress) => job.updateProgress({ ...progress }));
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.redis.failed(error);
  }
}
