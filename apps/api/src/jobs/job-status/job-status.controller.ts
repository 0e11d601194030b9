import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '@muskel/auth';
import { ApiError } from '@muskel/http';
import { JobClient } from './job-client';

/** Who may follow a job: jobs carry ids and counts only (never personal data), so any staff role but operators. */
const JOB_READERS = ['VERIFIER', 'AUDITOR', 'ADMIN'] as const;

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

/** Where a background job stands: `GET /jobs/:id` with the id a 202 answer gave. */
@ApiTags('jobs')
@Controller('jobs')
export class JobStatusController {
  constructor(@Inject(JobClient) private readonly jobs: JobClient) {}

  @Get(':id')
  @Allow(JOB_READERS)
  @ApiOperation({ summary: "A job's state, progress, result (counts and report) and failure reason" })
  @ApiOkResponse({ description: 'The job; 404 when unknown (or removed after its retention), 503 when Redis is down' })
  async get(@Param('id') id: string) {
    const found = await this.jobs.find(id);
    if (!found) throw new ApiError(404, 'NOT_FOUND', 'No job has this id.');
    const { job, state, queue } = found;
    return {
      jobId: id,
      queue,
      // waiting | active | completed | failed | delayed | prioritized | waiting-children | unknown
      state,
      progress: job.progress,
      result: (job.returnvalue as unknown) ?? null,
      attempts: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      // The message only, never a stack trace.
      failedReason: job.failedReason ? String(job.failedReason).split('\n')[0] : null,
      createdAt: iso(job.timestamp),
      startedAt: iso(job.processedOn),
      finishedAt: iso(job.finishedOn),
    };
  }
}
