import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { Allow, type Principal } from '@muskel/auth';
import { batchDecider, batchStreamName, parseRegionCode, type BatchResult } from '@muskel/domain';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { BATCHES_VIEW, BatchesQueries } from '@muskel/projections';
import { Context, CurrentPrincipal } from '../../common/command-context.decorator';
import { expectedRevision, respondChanged } from '../../common/http-conditions';
import { IdempotencyService } from '../../common/idempotency.service';
import { waitForPosition } from '../../common/read-your-writes';
import { BatchRegencyResolver, BodyRegencyResolver } from '../region.resolvers';
import { scopesOf } from '../scopes';
import { StreamHistory } from '../stream-history';
import { BatchCommandsHandler } from './batch-commands.handler';
import {
  CloseBatchDto,
  EndorseBatchDto,
  IncludeProposalDto,
  ListBatchesQuery,
  OpenBatchDto,
  RecordResultsDto,
  SubmitBatchDto,
} from './batches.dto';
import { ExportDigestRule } from './exports/export-digest.rule';
import { IncludeProposalHandler } from './include-proposal/include-proposal.handler';

const OF_BATCH = { source: 'resource', resolver: BatchRegencyResolver } as const;
const IF_MATCH = { name: 'If-Match', required: false, description: 'The ETag last seen; 412 when stale' };
const BATCH_READERS = ['VERIFIER', 'AUDITOR'] as const;

/** A batch id is `<regency>-<yyyymm>` (e.g. `3515-202611`), one per regency and month. */
function batchOf(id: string): { batchId: string; stream: string } {
  const match = /^(\d{4})-(\d{4})(\d{2})$/.exec(id);
  if (!match) throw new ApiError(404, 'NOT_FOUND', 'No batch has this id.');
  return { batchId: id, stream: batchStreamName(match[1]!, `${match[2]}-${match[3]}`) };
}

/** The regency's monthly submission to Pusdatin: opened, filled, closed, endorsed, submitted, answered. */
@ApiTags('batches')
@Controller('batches')
export class BatchesController {
  constructor(
    @Inject(BatchCommandsHandler) private readonly commands: BatchCommandsHandler,
    @Inject(IncludeProposalHandler) private readonly includer: IncludeProposalHandler,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(StreamHistory) private readonly history: StreamHistory,
    @Inject(BatchesQueries) private readonly queries: BatchesQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ExportDigestRule) private readonly exportDigests: ExportDigestRule,
  ) {}

  @Post()
  @Allow(['VERIFIER'], { source: 'request', resolver: BodyRegencyResolver })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key returns the first answer',
  })
  async open(
    @Body() body: OpenBatchDto,
    @Context() context: CommandContext,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const regency = parseRegionCode(body.regencyCode).code;
    const batchId = `${regency}-${body.period.replace('-', '')}`;
    const { stream } = batchOf(batchId);
    // The batch id comes from the regency and month, not the key: an earlier attempt of this same request (same
    // body, so the same batch) may have opened it, and its first event, by this user, then stands for the answer.
    return this.idempotency.create(
      response,
      {
        userId: context.actor.userId,
        route: 'POST /batches',
        key,
        body,
        idField: 'batchId',
        id: batchId,
        location: `/batches/${batchId}`,
        stream,
      },
      () => this.commands.open(stream, { ...body, regencyCode: regency }, context),
    );
  }

  @Get()
  @Allow(BATCH_READERS)
  async list(
    @Query() query: ListBatchesQuery,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!(await waitForPosition(this.store, [BATCHES_VIEW], query.minPosition))) {
      response.setHeader('X-Projection-Behind', 'true');
    }
    return this.queries.list({
      scopes: scopesOf(principal, BATCH_READERS),
      regencyCode: query.regencyCode?.replace(/\./g, ''),
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
  }

  @Get(':id')
  @Allow(BATCH_READERS, OF_BATCH)
  async get(@Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    const { stream } = batchOf(id);
    const { state, revision } = await this.pipeline.fold(stream, batchDecider);
    if (revision < 0) throw new ApiError(404, 'NOT_FOUND', 'No batch has this id.');
    response.setHeader('ETag', `"${revision}"`);
    return { batchId: id, revision, ...state, history: await this.history.read(stream) };
  }

  @Post(':id/proposals')
  @Allow(['VERIFIER'], OF_BATCH)
  @ApiHeader(IF_MATCH)
  @HttpCode(201)
  async include(
    @Param('id') id: string,
    @Body() body: IncludeProposalDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.includer.execute(batchOf(id), body.proposalId, context, expectedRevision(ifMatch));
    return respondChanged(response, result);
  }

  @Post(':id/close')
  @Allow(['VERIFIER'], OF_BATCH)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async close(
    @Param('id') id: string,
    @Body() body: CloseBatchDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.commands.close(batchOf(id).stream, { ...body }, context, expectedRevision(ifMatch));
    return respondChanged(response, result);
  }

  @Post(':id/endorse')
  @Allow(['VERIFIER'], OF_BATCH)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async endorse(
    @Param('id') id: string,
    @Body() body: EndorseBatchDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.commands.endorse(batchOf(id).stream, { ...body }, context, expectedRevision(ifMatch));
    return respondChanged(response, result);
  }

  @Post(':id/submit')
  @Allow(['VERIFIER'], OF_BATCH)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async submit(
    @Param('id') id: string,
    @Body() body: SubmitBatchDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    // Only the digest of an export of this batch; omitted: the latest export's (see ExportDigestRule).
    const exportDigest = await this.exportDigests.resolve(batchOf(id).batchId, body.exportDigest);
    const result = await this.commands.submit(
      batchOf(id).stream,
      { ...body, exportDigest },
      context,
      expectedRevision(ifMatch),
    );
    return respondChanged(response, result);
  }

  @Post(':id/results')
  @Allow(['VERIFIER'], OF_BATCH)
  @ApiHeader(IF_MATCH)
  @HttpCode(201)
  async results(
    @Param('id') id: string,
    @Body() body: RecordResultsDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const results = body.results.map((r): BatchResult =>
      r.outcome === 'ACCEPTED'
        ? { proposalId: r.proposalId, outcome: 'ACCEPTED', decreeRef: r.decreeRef ?? '' }
        : { proposalId: r.proposalId, outcome: 'REJECTED', reason: r.reason ?? '' },
    );
    const result = await this.commands.recordResults(
      batchOf(id).stream,
      { results },
      context,
      expectedRevision(ifMatch),
    );
    return respondChanged(response, result);
  }
}
