import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@muskel/auth';
import { PublicBoardQueries } from '@muskel/projections';
import { VillageCodePipe } from '../region-code.pipe';
import { BoardQuery } from '../registry/registry.dto';

/** Papan transparansi: counts by kind, decision and reason, and meeting dates; no personal data at all. */
@ApiTags('public')
@Controller('public/villages/:regionCode/board')
export class PublicBoardController {
  constructor(@Inject(PublicBoardQueries) private readonly board: PublicBoardQueries) {}

  @Get()
  @Public()
  get(@Param('regionCode', VillageCodePipe) villageCode: string, @Query() query: BoardQuery) {
    return this.board.board(villageCode, query.period);
  }
}
