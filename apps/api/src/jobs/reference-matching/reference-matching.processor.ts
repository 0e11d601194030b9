import { Inject } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { NonRetryableJobError, QUEUES, type JobPayloads } from '@muskel/jobs';
import { ReferenceMatchingError, ReferenceMatchingService, type MatchingResult } from '@muskel/reference-lists';

/**
 * Matches each reference-list import the dispatcher enqueued (its id only in the payload) against pending proposals
 * and the registry, reporting its progress as numbers (phase, done, total). One at a time per worker: a matching
 * reads the whole registry index.
 */
@Processor(QUEUES.referenceMatching, { concurrency: 1 })
export class ReferenceMatchingProcessor extends WorkerHost {
  constructor(@Inject(ReferenceMatchingService) private readonly service: ReferenceMatchingService) {
    super();
  }

  async process(job: Job<JobPayloads['reference-matching']>): Promise<MatchingResult> {
    try {
      return await this.service.run(job.data.importId, (progress) => job.updateProgress({ ...progress }));
    } catch (error) {
      if (error instanceof ReferenceMatchingError) throw new NonRetryableJobError(error.code, error.message);
      throw error;
    }
  }
}
