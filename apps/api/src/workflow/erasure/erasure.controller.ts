import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { Allow } from '@muskel/auth';
import { householdDecider, householdStreamName, type EraseHousehold } from '@muskel/domain';
import { Context } from '../../common/command-context.decorator';
import { respondChanged } from '../../common/http-conditions';
import { HouseholdVillageResolver } from '../region.resolvers';
import { domainCommand } from '../workflow-command';
import { EraseHouseholdDto } from './erase-household.dto';
import { EraseHouseholdHandler } from './erase-household.handler';

const OF_HOUSEHOLD = { source: 'resource', resolver: HouseholdVillageResolver } as const;

/** Data-protection requests (UU PDP): erasing a household's personal data by deleting its key. */
@ApiTags('registry')
@Controller('registry/households')
export class ErasureController {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(EraseHouseholdHandler) private readonly handler: EraseHouseholdHandler,
  ) {}

  /**
   * Erases the household's NIKs, KK numbers, names, birth dates and notes everywhere (ADMIN of its region).
   * The log keeps every event and the audit log every leaf; reads then show `[dihapus]` and `erased: true`.
   */
  @Post(':id/erasure')
  @Allow(['ADMIN'], OF_HOUSEHOLD)
  @HttpCode(200)
  async erase(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: EraseHouseholdDto,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { state } = await this.pipeline.fold(householdStreamName(id), householdDecider);
    const command = domainCommand<EraseHousehold>(
      'EraseHousehold',
      {
        householdId: id,
        villageCode: state.location?.villageCode ?? '',
        legalBasisRef: body.legalBasisRef,
        requestedAt: body.requestedAt,
      },
      context,
    );
    const result = await this.handler.execute(command, context);
    return { householdId: id, erased: true, ...respondChanged(response, result) };
  }
}
