import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { Allow, type Principal } from '@muskel/auth';
import { FLAG_CODES, proposalDecider, proposalStreamName, type FlagCode } from '@muskel/domain';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { PROPOSALS_VIEW, ProposalsQueries } from '@muskel/projections';
import { Context, CurrentPrincipal } from '../../common/command-context.decorator';
import { expectedRevision, respondChanged } from '../../common/http-conditions';
import { IdempotencyService } from '../../common/idempotency.service';
import { waitForPosition } from '../../common/read-your-writes';
import { BodyVillageResolver, ProposalVillageResolver } from '../region.resolvers';
import { scopesOf, WORKFLOW_READERS } from '../scopes';
import { StreamHistory } from '../stream-history';
import { WorkflowReasonDto, MinPositionQuery } from '../workflow.dto';
import { PersonalDataReads } from '../personal-data/personal-data-reads';
import { ProposalCommandsHandler } from './proposal-commands.handler';
import {
  AmendProposalDto,
  FieldVisitDto,
  ListProposalsQuery,
  RaiseFlagDto,
  ResolveFlagDto,
  SubmitProposalDto,
} from './proposals.dto';
import { SubmitProposalHandler } from './submit-proposal/submit-proposal.handler';

const OF_PROPOSAL = { source: 'resource', resolver: ProposalVillageResolver } as const;
const IF_MATCH = { name: 'If-Match', required: false, description: 'The ETag last seen; 412 when stale' };

/** Usulan: submitted by the village (or Dinsos), verified by Dinsos. */
@ApiTags('proposals')
@Controller('proposals')
export class ProposalsController {
  constructor(
    @Inject(SubmitProposalHandler) private readonly submitHandler: SubmitProposalHandler,
    @Inject(ProposalCommandsHandler) private readonly commands: ProposalCommandsHandler,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(StreamHistory) private readonly history: StreamHistory,
    @Inject(ProposalsQueries) private readonly queries: ProposalsQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PersonalDataReads) private readonly reads: PersonalDataReads,
  ) {}

  @Post()
  @Allow(['VILLAGE_OPERATOR', 'VERIFIER'], { source: 'request', resolver: BodyVillageResolver })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key returns the first answer',
  })
  async submit(
    @Body() body: SubmitProposalDto,
    @Context() context: CommandContext,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const userId = context.actor.userId;
    const proposalId = this.idempotency.idFor(userId, 'POST /proposals', key, randomUUID);
    return this.idempotency.create(
      response,
      {
        userId,
        route: 'POST /proposals',
        key,
        body,
        idField: 'proposalId',
        id: proposalId,
        location: `/proposals/${proposalId}`,
        stream: proposalStreamName(proposalId),
      },
      () => this.submitHandler.execute(proposalId, body, context),
    );
  }

  @Get()
  @Allow(WORKFLOW_READERS)
  async list(
    @Query() query: ListProposalsQuery,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.caughtUp(response, query.minPosition);
    return this.queries.list({
      scopes: scopesOf(principal, WORKFLOW_READERS),
      villageCode: query.villageCode?.replace(/\./g, ''),
      regencyCode: query.regencyCode?.replace(/\./g, ''),
      status: query.status,
      kind: query.kind,
      flag: query.flag,
      period: query.period,
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
  }

  @Get(':id')
  @Allow(WORKFLOW_READERS, OF_PROPOSAL)
  async get(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() _query: MinPositionQuery,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { state, revision } = await this.pipeline.fold(proposalStreamName(id), proposalDecider);
    await this.reads.record(context, { what: 'proposal', ids: [id] });
    response.setHeader('ETag', `"${revision}"`);
    return { proposalId: id, revision, ...state, history: await this.history.read(proposalStreamName(id)) };
  }

  @Post(':id/amend')
  @Allow(['VILLAGE_OPERATOR', 'VERIFIER'], OF_PROPOSAL)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async amend(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AmendProposalDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.commands.amend(id, { ...body }, context, expectedRevision(ifMatch)));
  }

  @Post(':id/withdraw')
  @Allow(['VILLAGE_OPERATOR', 'VERIFIER'], OF_PROPOSAL)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async withdraw(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: WorkflowReasonDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.commands.withdraw(id, body.reason, context, expectedRevision(ifMatch)));
  }

  @Post(':id/field-visits')
  @Allow(['VERIFIER'], OF_PROPOSAL)
  @ApiHeader(IF_MATCH)
  @HttpCode(201)
  async fieldVisit(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: FieldVisitDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(
      response,
      await this.commands.recordFieldVisit(id, { ...body }, context, expectedRevision(ifMatch)),
    );
  }

  @Post(':id/flags')
  @Allow(['VERIFIER'], OF_PROPOSAL)
  @ApiHeader(IF_MATCH)
  @HttpCode(201)
  async raiseFlag(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RaiseFlagDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.commands.raiseFlag(id, { ...body }, context, expectedRevision(ifMatch)));
  }

  @Post(':id/flags/:code/resolve')
  @Allow(['VERIFIER'], OF_PROPOSAL)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async resolveFlag(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('code') code: string,
    @Body() body: ResolveFlagDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!(FLAG_CODES as readonly string[]).includes(code)) {
      throw new ApiError(400, 'VALIDATION_FAILED', `The flag code must be one of ${FLAG_CODES.join(', ')}.`, {
        errors: [{ field: 'code', code: 'isIn', message: 'code must be a known flag code' }],
      });
    }
    const result = await this.commands.resolveFlag(
      id,
      code as FlagCode,
      body.justification,
      context,
      expectedRevision(ifMatch),
    );
    return respondChanged(response, result);
  }

  @Post(':id/verify')
  @Allow(['VERIFIER'], OF_PROPOSAL)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async verify(
    @Param('id', ParseUUIDPipe) id: string,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.commands.verify(id, context, expectedRevision(ifMatch)));
  }

  @Post(':id/return')
  @Allow(['VERIFIER'], OF_PROPOSAL)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async return(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: WorkflowReasonDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.commands.return(id, body.reason, context, expectedRevision(ifMatch)));
  }

  @Post(':id/reject')
  @Allow(['VERIFIER'], OF_PROPOSAL)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async reject(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: WorkflowReasonDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.commands.reject(id, body.reason, context, expectedRevision(ifMatch)));
  }

  private async caughtUp(response: Response, minPosition: string | undefined): Promise<void> {
    if (!(await waitForPosition(this.store, [PROPOSALS_VIEW], minPosition))) {
      response.setHeader('X-Projection-Behind', 'true');
    }
  }
}
