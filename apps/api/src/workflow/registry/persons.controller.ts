import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, type Principal } from '@muskel/auth';
import { NATIONAL, scopeCovers } from '@muskel/domain';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import {
  MeetingsQueries,
  PERSON_HISTORY,
  PersonHistoryQueries,
  ProposalsQueries,
  PROPOSALS_VIEW,
  MEETINGS_VIEW,
} from '@muskel/projections';
import { Context, CurrentPrincipal } from '../../common/command-context.decorator';
import { waitForPosition } from '../../common/read-your-writes';
import { scopesOf } from '../scopes';
import { PersonHistoryDto } from './registry.dto';
import { PersonalDataReads } from '../personal-data/personal-data-reads';
import type { CommandContext } from '@muskel/application';

/**
 * A person's history for auditors: every proposal, deliberation, verification, batch and registry change about one
 * NIK, each proposal with its meeting (attendance, decision), verifier, batch and decree. The NIK travels in the body.
 */
@ApiTags('registry')
@Controller('persons')
export class PersonsController {
  constructor(
    @Inject(PersonHistoryQueries) private readonly history: PersonHistoryQueries,
    @Inject(ProposalsQueries) private readonly proposals: ProposalsQueries,
    @Inject(MeetingsQueries) private readonly meetings: MeetingsQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PersonalDataReads) private readonly reads: PersonalDataReads,
  ) {}

  @Post('history')
  @Allow(['AUDITOR'])
  @HttpCode(200)
  async personHistory(
    @Body() body: PersonHistoryDto,
    @CurrentPrincipal() principal: Principal,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!(await waitForPosition(this.store, [PERSON_HISTORY, PROPOSALS_VIEW, MEETINGS_VIEW], body.minPosition))) {
      response.setHeader('X-Projection-Behind', 'true');
    }
    const scopes = scopesOf(principal, ['AUDITOR']);
    const inScope = (village: unknown) =>
      scopes.includes(NATIONAL) || (typeof village === 'string' && scopes.some((scope) => scopeCovers(scope, village)));
    const entries = await this.history.history(body.nik);
    const proposalIds = [...new Set(entries.map((e) => e.summary.proposalId).filter((id) => typeof id === 'string'))];
    const proposals = (await Promise.all(proposalIds.map((id) => this.proposals.get(id)))).filter(
      (p): p is NonNullable<typeof p> => p !== undefined && inScope(p.villageCode),
    );
    const meetingIds = [...new Set(proposals.flatMap((p) => p.deliberations.map((d) => d.meetingId)))];
    const meetings = (await Promise.all(meetingIds.map((id) => this.meetings.get(id)))).filter((m) => m !== undefined);
    const visible = new Set(proposals.map((p) => p.id));
    // What was read about this person: the proposals and households, by our ids (the NIK itself is not kept).
    const households = entries.map((e) => e.summary.householdId).filter((id): id is string => typeof id === 'string');
    await this.reads.record(context, { what: 'person-history', ids: [...visible, ...new Set(households)] });
    return {
      // Entries about proposals outside the auditor's scope are left out, like the proposals themselves.
      entries: entries.filter((e) => typeof e.summary.proposalId !== 'string' || visible.has(e.summary.proposalId)),
      proposals,
      meetings,
    };
  }
}
