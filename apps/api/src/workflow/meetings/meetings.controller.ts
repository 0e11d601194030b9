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
import { meetingDecider, meetingStreamName } from '@muskel/domain';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { MEETINGS_VIEW, MeetingsQueries } from '@muskel/projections';
import { Context, CurrentPrincipal } from '../../common/command-context.decorator';
import { expectedRevision, respondChanged } from '../../common/http-conditions';
import { IdempotencyService } from '../../common/idempotency.service';
import { waitForPosition } from '../../common/read-your-writes';
import { BodyVillageResolver, MeetingVillageResolver } from '../region.resolvers';
import { scopesOf, WORKFLOW_READERS } from '../scopes';
import { StreamHistory } from '../stream-history';
import { WorkflowReasonDto } from '../workflow.dto';
import { PersonalDataReads } from '../personal-data/personal-data-reads';
import { AddAgendaItemHandler } from './add-agenda-item/add-agenda-item.handler';
import { MeetingCommandsHandler } from './meeting-commands.handler';
import {
  AgendaItemDto,
  ConcludeMeetingDto,
  ListMeetingsQuery,
  OpenMeetingDto,
  RecordDecisionDto,
  RecordSignedMinutesDto,
  ScheduleMeetingDto,
} from './meetings.dto';
import { OpenMeetingHandler } from './open-meeting/open-meeting.handler';

const OF_MEETING = { source: 'resource', resolver: MeetingVillageResolver } as const;
const IF_MATCH = { name: 'If-Match', required: false, description: 'The ETag last seen; 412 when stale' };

/** Musyawarah kelurahan/desa: scheduled, given an agenda, held with attendance, decided, concluded. */
@ApiTags('meetings')
@Controller('meetings')
export class MeetingsController {
  constructor(
    @Inject(MeetingCommandsHandler) private readonly commands: MeetingCommandsHandler,
    @Inject(AddAgendaItemHandler) private readonly agenda: AddAgendaItemHandler,
    @Inject(OpenMeetingHandler) private readonly opener: OpenMeetingHandler,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(StreamHistory) private readonly history: StreamHistory,
    @Inject(MeetingsQueries) private readonly queries: MeetingsQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PersonalDataReads) private readonly reads: PersonalDataReads,
  ) {}

  @Post()
  @Allow(['VILLAGE_OPERATOR'], { source: 'request', resolver: BodyVillageResolver })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key returns the first answer',
  })
  async schedule(
    @Body() body: ScheduleMeetingDto,
    @Context() context: CommandContext,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const userId = context.actor.userId;
    const meetingId = this.idempotency.idFor(userId, 'POST /meetings', key, randomUUID);
    return this.idempotency.create(
      response,
      {
        userId,
        route: 'POST /meetings',
        key,
        body,
        idField: 'meetingId',
        id: meetingId,
        location: `/meetings/${meetingId}`,
        stream: meetingStreamName(meetingId),
      },
      () => this.commands.schedule(meetingId, { ...body }, context),
    );
  }

  @Get()
  @Allow(WORKFLOW_READERS)
  async list(
    @Query() query: ListMeetingsQuery,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!(await waitForPosition(this.store, [MEETINGS_VIEW], query.minPosition))) {
      response.setHeader('X-Projection-Behind', 'true');
    }
    return this.queries.list({
      scopes: scopesOf(principal, WORKFLOW_READERS),
      villageCode: query.villageCode?.replace(/\./g, ''),
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
  }

  @Get(':id')
  @Allow(WORKFLOW_READERS, OF_MEETING)
  async get(
    @Param('id', ParseUUIDPipe) id: string,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { state, revision } = await this.pipeline.fold(meetingStreamName(id), meetingDecider);
    await this.reads.record(context, { what: 'meeting', ids: [id] });
    response.setHeader('ETag', `"${revision}"`);
    return { meetingId: id, revision, ...state, history: await this.history.read(meetingStreamName(id)) };
  }

  @Post(':id/agenda')
  @Allow(['VILLAGE_OPERATOR'], OF_MEETING)
  @ApiHeader(IF_MATCH)
  @HttpCode(201)
  async addAgendaItem(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AgendaItemDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.agenda.execute(id, body.proposalId, context, expectedRevision(ifMatch)));
  }

  @Post(':id/open')
  @Allow(['VILLAGE_OPERATOR'], OF_MEETING)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async open(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: OpenMeetingDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.opener.execute(id, { ...body }, context, expectedRevision(ifMatch)));
  }

  @Post(':id/decisions')
  @Allow(['VILLAGE_OPERATOR'], OF_MEETING)
  @ApiHeader(IF_MATCH)
  @HttpCode(201)
  async recordDecision(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RecordDecisionDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(
      response,
      await this.commands.recordDecision(id, { ...body }, context, expectedRevision(ifMatch)),
    );
  }

  @Post(':id/conclude')
  @Allow(['VILLAGE_OPERATOR'], OF_MEETING)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async conclude(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ConcludeMeetingDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.commands.conclude(id, { ...body }, context, expectedRevision(ifMatch)));
  }

  @Post(':id/cancel')
  @Allow(['VILLAGE_OPERATOR'], OF_MEETING)
  @ApiHeader(IF_MATCH)
  @HttpCode(200)
  async cancel(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: WorkflowReasonDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.commands.cancel(id, body.reason, context, expectedRevision(ifMatch)));
  }

  /**
   * Records the digest of the scanned, signed paper berita acara on a concluded meeting: 201 when recorded, 200 when
   * the same digest was already recorded (a retry), 409 SIGNED_COPY_ALREADY_RECORDED for another digest.
   */
  @Post(':id/signed-minutes')
  @Allow(['VILLAGE_OPERATOR'], OF_MEETING)
  @ApiHeader(IF_MATCH)
  @HttpCode(201)
  async recordSignedMinutes(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RecordSignedMinutesDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.commands.recordSignedMinutes(
      id,
      body.signedCopyDigest,
      context,
      expectedRevision(ifMatch),
    );
    if (result.eventIds.length === 0) response.status(200);
    return respondChanged(response, result);
  }
}
