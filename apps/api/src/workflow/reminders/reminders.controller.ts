import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, type Principal } from '@muskel/auth';
import { AppConfig } from '@muskel/config';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { parseMeetingDays } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { VILLAGE_REMINDERS, VillageRemindersQueries } from '@muskel/projections';
import { CurrentPrincipal } from '../../common/command-context.decorator';
import { waitForPosition } from '../../common/read-your-writes';
import { QueryVillageResolver } from '../region.resolvers';
import { scopesOf } from '../scopes';
import { reminderMessage } from './reminder-message';
import { ListRemindersQuery } from './reminders.dto';

/** A village's operator and its regency's verifiers: who acts on a village's undeliberated proposals. */
const REMINDER_READERS = ['VILLAGE_OPERATOR', 'VERIFIER'] as const;

/** The monthly cycle's reminders to a village (proposals not yet deliberated before the cut-off), latest first. */
@ApiTags('reminders')
@Controller('reminders')
export class RemindersController {
  private readonly queries: VillageRemindersQueries;

  constructor(
    @Inject(SQL_DATABASE) db: SqlExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    this.queries = new VillageRemindersQueries(db);
  }

  @Get()
  @Allow(REMINDER_READERS, { source: 'request', resolver: QueryVillageResolver })
  @ApiOperation({ summary: "A village's deliberation reminders, with their text in Bahasa Indonesia" })
  async list(
    @Query() query: ListRemindersQuery,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!(await waitForPosition(this.store, [VILLAGE_REMINDERS], query.minPosition))) {
      response.setHeader('X-Projection-Behind', 'true');
    }
    const meetingDays = parseMeetingDays(this.config.CYCLE_MEETING_DAYS) ?? { from: 1, to: 14 };
    const page = await this.queries.list({
      scopes: scopesOf(principal, REMINDER_READERS),
      villageCode: query.villageCode.replace(/\./g, ''),
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
    return {
      ...page,
      items: page.items.map((item) => ({
        ...item,
        message: reminderMessage({
          proposalCount: item.proposalIds.length,
          period: item.period,
          cutoffDate: item.cutoffDate,
          meetingDays,
        }),
      })),
    };
  }
}
