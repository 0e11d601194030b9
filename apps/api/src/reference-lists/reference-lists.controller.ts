import { Controller, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { CommandContext } from '@muskel/application';
import { Allow } from '@muskel/auth';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { QUEUES, jobIdFor } from '@muskel/jobs';
import { DuplicateReferenceImportError, ReferenceFileFormatError, importReferenceList } from '@muskel/reference-lists';
import { Context } from '../common/command-context.decorator';
import { NationalScopeResolver } from './national-scope.resolver';
import { ImportReferenceListQuery } from './reference-lists.dto';

/**
 * A reference list of another agency (BKN civil servants, Dukcapil deaths or NIK results, BPJS-TK wage earners, AHU
 * company officers) as CSV, streamed from the request into the import. The answer is the import's report; the
 * matching against proposals and the registry follows in the background. National data: an ADMIN with a NATIONAL
 * grant (Kemensos) imports it; a regency's verifier does not. Columns: docs/reference-lists.md.
 */
@ApiTags('reference-lists')
@Controller('reference-lists/imports')
export class ReferenceListsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Post()
  @Allow(['ADMIN'], { source: 'request', resolver: NationalScopeResolver })
  @HttpCode(201)
  @ApiOperation({ summary: 'Import a reference list (CSV); answers the row-by-row report' })
  @ApiConsumes('text/csv')
  @ApiBody({ description: 'The CSV file (header row first)', schema: { type: 'string', format: 'binary' } })
  async import(@Req() request: Request, @Query() query: ImportReferenceListQuery, @Context() context: CommandContext) {
    if (!request.is('text/csv')) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as text/csv.');
    }
    try {
      const report = await importReferenceList(this.store, request, {
        source: query.source,
        fileName: query.fileName ?? `${query.source.toLowerCase()}.csv`,
        actor: context.actor,
        occurredAt: context.occurredAt,
      });
      // The matching that follows is a background job: GET /jobs/:id with this id follows its progress.
      return { ...report, matchingJobId: jobIdFor(QUEUES.referenceMatching, report.importId) };
    } catch (error) {
      if (error instanceof DuplicateReferenceImportError) {
        throw new ApiError(409, 'DUPLICATE_IMPORT', error.message, { extensions: { importId: error.importId } });
      }
      if (error instanceof ReferenceFileFormatError) throw new ApiError(400, 'INVALID_FILE', error.message);
      throw error;
    }
  }
}
