import { Controller, Get, HttpCode, Inject, Param, Post, Req, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CommandPipeline, deterministicId, type CommandContext } from '@muskel/application';
import { Allow } from '@muskel/auth';
import { batchDecider, type BatchStatus } from '@muskel/domain';
import { ApiError } from '@muskel/http';
import { JobFiles, QUEUES, batchStreamOf, jobIdFor, sha256Digest } from '@muskel/jobs';
import { Context } from '../../../common/command-context.decorator';
import { JobClient } from '../../../jobs/job-status/job-client';
import { PersonalDataReads } from '../../personal-data/personal-data-reads';
import { BatchRegencyResolver } from '../../region.resolvers';

const OF_BATCH = { source: 'resource', resolver: BatchRegencyResolver } as const;
/** A result file from Pusdatin: one row per proposal, far below this. */
const MAX_RESULT_FILE_BYTES = 20 * 1024 * 1024;
const EXPORTABLE: readonly BatchStatus[] = ['CLOSED', 'ENDORSED'];
const ANSWERED: readonly BatchStatus[] = ['SUBMITTED', 'COMPLETED'];

/**
 * The batch's files for SIKS-NG and from Pusdatin, made and read by background jobs: POST answers 202 with the job
 * id to follow on GET /jobs/:id. See docs/siks-ng.md.
 */
@ApiTags('batches')
@Controller('batches/:id')
export class BatchExportsController {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(JobClient) private readonly jobs: JobClient,
    @Inject(JobFiles) private readonly files: JobFiles,
    @Inject(PersonalDataReads) private readonly reads: PersonalDataReads,
  ) {}

  private async batch(id: string) {
    const stream = batchStreamOf(id);
    if (!stream) throw new ApiError(404, 'NOT_FOUND', 'No batch has this id.');
    const folded = await this.pipeline.fold(stream, batchDecider);
    if (folded.revision < 0) throw new ApiError(404, 'NOT_FOUND', 'No batch has this id.');
    return folded;
  }

  @Post('exports')
  @Allow(['VERIFIER'], OF_BATCH)
  @HttpCode(202)
  @ApiOperation({
    summary: "Renders the batch's SIKS-NG export (BNBA list and summary, CSV and XLSX) in the background",
  })
  @ApiAcceptedResponse({ description: '{ jobId }: asking again for the same revision of the batch is the same job' })
  async export(@Param('id') id: string, @Context() context: CommandContext) {
    const { state, revision } = await this.batch(id);
    if (!EXPORTABLE.includes(state.status)) {
      throw new ApiError(
        409,
        'BATCH_NOT_EXPORTABLE',
        'A batch is exported once it is closed and before it is submitted.',
        {
          extensions: { status: state.status },
        },
      );
    }
    const jobId = jobIdFor(QUEUES.siksExports, id, String(revision));
    await this.jobs.enqueue(QUEUES.siksExports, { batchId: id, revision, requestedBy: context.actor.userId }, jobId);
    return { jobId, batchId: id, revision };
  }

  @Get('exports')
  @Allow(['VERIFIER', 'AUDITOR'], OF_BATCH)
  @ApiOperation({ summary: "The batch's exports: file names, digests and sizes (no content)" })
  async list(@Param('id') id: string) {
    await this.batch(id);
    const files = await this.files.list(id, 'siks-export');
    return {
      items: files.map((file) => ({
        fileId: file.id,
        fileName: file.fileName,
        mediaType: file.mediaType,
        digest: file.digest,
        size: file.size,
        createdAt: file.createdAt,
        createdBy: file.createdBy,
        jobId: file.jobId,
      })),
    };
  }

  @Get('exports/:fileId')
  @Allow(['VERIFIER'], OF_BATCH)
  @ApiOperation({ summary: 'Downloads one export file (personal data: the read is recorded)' })
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async download(@Param('id') id: string, @Param('fileId') fileId: string, @Context() context: CommandContext) {
    const { state } = await this.batch(id);
    const file = /^[0-9a-f-]{36}$/.test(fileId) ? await this.files.get(fileId) : undefined;
    if (!file || file.kind !== 'siks-export' || file.batchId !== id) {
      throw new ApiError(404, 'NOT_FOUND', 'This batch has no export file with this id.');
    }
    // The file lists the personal data of every proposal of the batch: recorded before the first byte leaves.
    await this.reads.record(context, { what: 'proposal', ids: state.included });
    return new StreamableFile(file.content, {
      type: file.mediaType,
      length: file.size,
      disposition: `attachment; filename="${file.fileName}"`,
    });
  }

  @Post('results/imports')
  @Allow(['VERIFIER'], OF_BATCH)
  @HttpCode(202)
  @ApiOperation({ summary: "Imports Pusdatin's result file (CSV) in the background; the job's result is its report" })
  @ApiConsumes('text/csv')
  @ApiBody({
    description: 'The CSV file (header row first; columns in docs/siks-ng.md)',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiAcceptedResponse({ description: '{ jobId, fileId, digest }: the same file again is the same job' })
  async importResults(@Param('id') id: string, @Req() request: Request, @Context() context: CommandContext) {
    if (!request.is('text/csv')) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as text/csv.');
    const { state } = await this.batch(id);
    if (!ANSWERED.includes(state.status)) {
      throw new ApiError(409, 'NOT_SUBMITTED', 'Results are imported only for a submitted batch.', {
        extensions: { status: state.status },
      });
    }
    const content = await readBody(request);
    if (content.length === 0) throw new ApiError(400, 'EMPTY_FILE', 'The file is empty.');
    const digest = sha256Digest(content);
    const file = await this.files.put({
      id: deterministicId('pusdatin-results-file', id, digest),
      kind: 'pusdatin-results',
      batchId: id,
      fileName: `hasil-pusdatin-${id}.csv`,
      mediaType: 'text/csv',
      content,
      createdBy: context.actor.userId,
      createdAt: new Date(context.occurredAt),
    });
    const jobId = jobIdFor(QUEUES.pusdatinResults, id, digest);
    await this.jobs.enqueue(
      QUEUES.pusdatinResults,
      { batchId: id, fileId: file.id, requestedBy: context.actor.userId },
      jobId,
    );
    return { jobId, fileId: file.id, digest };
  }
}

async function readBody(request: Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESULT_FILE_BYTES) {
      throw new ApiError(413, 'FILE_TOO_LARGE', `A result file has at most ${MAX_RESULT_FILE_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
