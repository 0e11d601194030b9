import { Inject } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QUEUES, SiksExportService, type JobPayloads, type SiksExportResult } from '@muskel/jobs';
import { RedisStatus } from '../redis-status';

/**
 * Renders a batch's SIKS-NG export (BNBA list and summary, CSV and XLSX) into job_files. Few at once: an export
 * reads every proposal of the batch, and verifiers ask for one now and then.
 */
@Processor(QUEUES.siksExports, { concurrency: 2 })
export class SiksExportProcessor extends WorkerHost {
  constructor(
    @Inject(SiksExportService) private readonly service: SiksExportService,
    @Inject(RedisStatus) private readonly redis: RedisStatus,
  ) {
    super();
  }

  process(job: Job<JobPayloads['siks-exports']>): Promise<SiksExportResult> {
    // Progress is counts only (proposals done of total).
    return this.service.run(job.data, job.id ?? '', (progress) => job.updateProgress({ ...progress }));
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.redis.failed(error);
  }
}
