import { Controller, Get, Inject, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { Allow, Public } from '@muskel/auth';
import {
  householdDecider,
  householdStreamName,
  meetingDecider,
  meetingStreamName,
  proposalDecider,
  proposalStreamName,
  type HouseholdState,
  type ProposalState,
} from '@muskel/domain';
import { ApiError } from '@muskel/http';
import { Context } from '../../../common/command-context.decorator';
import { PersonalDataReads } from '../../personal-data/personal-data-reads';
import { MeetingVillageResolver } from '../../region.resolvers';
import { WORKFLOW_READERS } from '../../scopes';
import { bnbaRows, renderBnbaPdf } from './bnba';
import { minutesContent, minutesDigest, type MinutesContent } from './minutes-content';
import { renderMinutesPdf } from './minutes-pdf';

const OF_MEETING = { source: 'resource', resolver: MeetingVillageResolver } as const;

/** Reads the meeting and its agenda's proposal kinds, and composes the minutes; 404 when no such meeting. */
async function loadMinutes(pipeline: CommandPipeline, id: string) {
  const { state } = await pipeline.fold(meetingStreamName(id), meetingDecider);
  if (state.status === 'none') throw new ApiError(404, 'NOT_FOUND', 'No meeting with this id exists.');
  const proposals: Record<string, ProposalState> = {};
  for (const proposalId of state.agenda) {
    proposals[proposalId] = (await pipeline.fold(proposalStreamName(proposalId), proposalDecider)).state;
  }
  const kinds = Object.fromEntries(Object.entries(proposals).map(([proposalId, p]) => [proposalId, p.kind]));
  const content = minutesContent(id, state, kinds);
  return { state, content, proposals, digest: minutesDigest(content) };
}

/**
 * Berita acara: the minutes of a meeting as JSON with their digest (what the conclusion records), and as a
 * printable PDF that prints that digest and a QR code to the public check page. Names of attendees are personal
 * data: each read is recorded like a read of the meeting itself.
 */
@ApiTags('meetings')
@Controller('meetings')
export class MinutesController {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(PersonalDataReads) private readonly reads: PersonalDataReads,
  ) {}

  @Get(':id/minutes')
  @Allow(WORKFLOW_READERS, OF_MEETING)
  @ApiOperation({ summary: 'The minutes (berita acara) content and its digest: sha256 of the RFC 8785 JSON' })
  async minutes(
    @Param('id', ParseUUIDPipe) id: string,
    @Context() context: CommandContext,
  ): Promise<{ content: MinutesContent; minutesDigest: string; recordedDigest: string | null }> {
    const { state, content, digest } = await loadMinutes(this.pipeline, id);
    await this.reads.record(context, { what: 'meeting', ids: [id] });
    return { content, minutesDigest: digest, recordedDigest: state.minutesDigest ?? null };
  }

  @Get(':id/minutes.pdf')
  @Allow(WORKFLOW_READERS, OF_MEETING)
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'The berita acara as an A4 PDF in Bahasa Indonesia, with its digest and a QR code' })
  async minutesPdf(
    @Param('id', ParseUUIDPipe) id: string,
    @Context() context: CommandContext,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const { content, digest } = await loadMinutes(this.pipeline, id);
    await this.reads.record(context, { what: 'meeting', ids: [id] });
    const origin = `${request.protocol}://${request.get('host') ?? 'localhost'}`;
    const pdf = await renderMinutesPdf({ content, digest, checkUrl: `${origin}/#/verifikasi/berita-acara/${id}` });
    response
      .status(200)
      .setHeader('Content-Type', 'application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="berita-acara-${id}.pdf"`)
      .setHeader('Cache-Control', 'no-store')
      .setHeader('X-Minutes-Digest', digest)
      .end(pdf);
  }

  @Get(':id/bnba.pdf')
  @Allow(WORKFLOW_READERS, OF_MEETING)
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: "The meeting's approved proposals by name and by address (BNBA), as an A4 PDF" })
  async bnbaPdf(
    @Param('id', ParseUUIDPipe) id: string,
    @Context() context: CommandContext,
    @Res() response: Response,
  ): Promise<void> {
    const { content, proposals } = await loadMinutes(this.pipeline, id);
    const households: Record<string, HouseholdState> = {};
    for (const proposal of Object.values(proposals)) {
      const householdId = proposal.content.householdId;
      if (householdId && !households[householdId]) {
        households[householdId] = (await this.pipeline.fold(householdStreamName(householdId), householdDecider)).state;
      }
    }
    await this.reads.record(context, { what: 'meeting', ids: [id, ...Object.keys(households)] });
    const pdf = await renderBnbaPdf(content, bnbaRows(content, proposals, households));
    response
      .status(200)
      .setHeader('Content-Type', 'application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="bnba-${id}.pdf"`)
      .setHeader('Cache-Control', 'no-store')
      .end(pdf);
  }
}

/** What the berita acara's QR code opens: no personal data, only the meeting's identity and recorded digests. */
@ApiTags('public')
@Controller('public/meetings')
export class PublicMinutesController {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  @Get(':id/minutes')
  @Public()
  @ApiOperation({ summary: "A meeting's recorded minutes digest, for the berita acara's QR code" })
  async check(@Param('id', ParseUUIDPipe) id: string) {
    const { state } = await this.pipeline.fold(meetingStreamName(id), meetingDecider);
    if (state.status === 'none') throw new ApiError(404, 'NOT_FOUND', 'No meeting with this id exists.');
    return {
      meetingId: id,
      villageCode: state.villageCode ?? null,
      kind: state.kind ?? null,
      scheduledAt: state.scheduledAt ?? null,
      status: state.status.toUpperCase(),
      minutesDigest: state.minutesDigest ?? null,
      /** The scanned, signed paper copy's digest, once the village recorded it. */
      signedCopyDigest: state.signedCopyDigest ?? null,
    };
  }
}
