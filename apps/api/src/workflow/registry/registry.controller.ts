import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandPipeline } from '@muskel/application';
import { Allow, type Principal } from '@muskel/auth';
import { erasureDecider, erasureStreamName, householdDecider, householdStreamName } from '@muskel/domain';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { REGISTRY, RegistryQueries } from '@muskel/projections';
import type { CommandContext } from '@muskel/application';
import { Context, CurrentPrincipal } from '../../common/command-context.decorator';
import { waitForPosition } from '../../common/read-your-writes';
import { HouseholdVillageResolver, PathRegionResolver } from '../region.resolvers';
import { VillageCodePipe } from '../region-code.pipe';
import { scopesOf, WORKFLOW_READERS } from '../scopes';
import { StreamHistory } from '../stream-history';
import { MinPositionQuery } from '../workflow.dto';
import { AsOfQuery, ChangesQuery, SearchRegistryDto } from './registry.dto';
import { PersonalDataReads } from '../personal-data/personal-data-reads';

const OF_HOUSEHOLD = { source: 'resource', resolver: HouseholdVillageResolver } as const;
const OF_VILLAGE = { source: 'request', resolver: PathRegionResolver } as const;

/** The registry (DTKS/DTSEN) of households: search, detail with provenance, as of a date, changes between dates. */
@ApiTags('registry')
@Controller('registry')
export class RegistryController {
  constructor(
    @Inject(RegistryQueries) private readonly queries: RegistryQueries,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(StreamHistory) private readonly history: StreamHistory,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PersonalDataReads) private readonly reads: PersonalDataReads,
  ) {}

  /** Terms in the body (never the URL): NIK and KK numbers match through keyed blind indexes. */
  @Post('search')
  @Allow(WORKFLOW_READERS)
  @HttpCode(200)
  async search(
    @Body() body: SearchRegistryDto,
    @CurrentPrincipal() principal: Principal,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.caughtUp(response, body.minPosition);
    if (!body.villageCode && !body.nik && !body.kkNumber && !body.name) {
      throw new ApiError(400, 'SEARCH_TERMS_REQUIRED', 'Give at least one of villageCode, nik, kkNumber or name.');
    }
    const found = await this.queries.search({
      scopes: scopesOf(principal, WORKFLOW_READERS),
      villageCode: body.villageCode?.replace(/\./g, ''),
      nik: body.nik,
      kkNumber: body.kkNumber,
      name: body.name,
      cursor: body.cursor,
      limit: body.limit ?? 50,
    });
    await this.reads.record(context, { what: 'registry-search', ids: found.items.map((h) => h.householdId) });
    return found;
  }

  @Get('households/:id')
  @Allow(WORKFLOW_READERS, OF_HOUSEHOLD)
  async household(
    @Param('id', ParseUUIDPipe) id: string,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const stream = householdStreamName(id);
    await this.reads.record(context, { what: 'household', ids: [id] });
    const { state, revision } = await this.pipeline.fold(stream, householdDecider);
    // After erasure the personal fields read `[dihapus]`; `erased` says so plainly.
    const erasure = await this.pipeline.fold(erasureStreamName(id), erasureDecider);
    response.setHeader('ETag', `"${revision}"`);
    return {
      householdId: id,
      revision,
      erased: erasure.state.erased,
      ...state,
      history: await this.history.read(stream),
    };
  }

  /** Every change of the household with its cause: proposal, meeting and attendance, verifier, batch, decree. */
  @Get('households/:id/provenance')
  @Allow(WORKFLOW_READERS, OF_HOUSEHOLD)
  async provenance(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: MinPositionQuery,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.caughtUp(response, query.minPosition);
    await this.reads.record(context, { what: 'household-provenance', ids: [id] });
    return { householdId: id, changes: await this.queries.provenance(id) };
  }

  /** The village's registry as it stood at the end of `asOf` (default: today). */
  @Get('villages/:regionCode')
  @Allow(WORKFLOW_READERS, OF_VILLAGE)
  async village(
    @Param('regionCode', VillageCodePipe) villageCode: string,
    @Query() query: AsOfQuery,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.caughtUp(response, query.minPosition);
    const registry = await this.queries.asOf({
      villageCode,
      date: query.asOf ?? new Date().toISOString().slice(0, 10),
    });
    await this.reads.record(context, { what: 'village-registry', ids: registry.households.map((h) => h.householdId) });
    return registry;
  }

  /** Who entered, who left and who changed in the village between two dates, and why. */
  @Get('villages/:regionCode/changes')
  @Allow(WORKFLOW_READERS, OF_VILLAGE)
  async changes(
    @Param('regionCode', VillageCodePipe) villageCode: string,
    @Query() query: ChangesQuery,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (query.from > query.to) {
      throw new ApiError(400, 'INVALID_PERIOD', 'from must not be after to.');
    }
    await this.caughtUp(response, query.minPosition);
    const changes = await this.queries.changes({ villageCode, from: query.from, to: query.to });
    const ids = [...changes.entered, ...changes.left, ...changes.changed].map((c) => c.householdId);
    await this.reads.record(context, { what: 'village-registry', ids: [...new Set(ids)] });
    return changes;
  }

  private async caughtUp(response: Response, minPosition: string | undefined): Promise<void> {
    if (!(await waitForPosition(this.store, [REGISTRY], minPosition))) {
      response.setHeader('X-Projection-Behind', 'true');
    }
  }
}
