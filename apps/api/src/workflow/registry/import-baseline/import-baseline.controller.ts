import { Controller, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { Allow } from '@muskel/auth';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { DuplicateImportError, ImportFormatError, importBaseline } from '@muskel/registry-import';
import { Context } from '../../../common/command-context.decorator';
import { QueryVillageResolver } from '../../region.resolvers';
import { ImportBaselineQuery } from '../registry.dto';

/**
 * The baseline registry of a village (its existing DTKS list) as CSV, streamed straight from the request into the
 * import (memory stays flat whatever the file's size). The answer is the import's report: households imported,
 * and every bad row with its number, column and reason. Columns: docs/registry-import.md.
 */
@ApiTags('registry')
@Controller('registry/imports')
export class ImportBaselineController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
  ) {}

  @Post()
  @Allow(['VERIFIER'], { source: 'request', resolver: QueryVillageResolver })
  @HttpCode(201)
  @ApiConsumes('text/csv')
  @ApiBody({ description: 'The CSV file (header row first)', schema: { type: 'string', format: 'binary' } })
  async import(@Req() request: Request, @Query() query: ImportBaselineQuery, @Context() context: CommandContext) {
    if (!request.is('text/csv')) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as text/csv.');
    }
    try {
      return await importBaseline(this.store, this.pipeline, request, {
        villageCode: query.villageCode,
        actor: context.actor,
        fileName: query.fileName ?? 'baseline.csv',
        occurredAt: context.occurredAt,
      });
    } catch (error) {
      if (error instanceof DuplicateImportError) {
        throw new ApiError(409, 'DUPLICATE_IMPORT', error.message, {
          extensions: { importId: error.importId, importedAt: error.importedAt },
        });
      }
      if (error instanceof ImportFormatError) throw new ApiError(400, 'INVALID_FILE', error.message);
      throw error;
    }
  }
}
