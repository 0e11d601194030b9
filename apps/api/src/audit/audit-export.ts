/**
 * `GET /audit/v1/export`: the whole audit log up to a signed checkpoint as a tar archive (libs/audit-log export.ts),
 * for `muskel audit verify-export`. Leaves and checkpoints are public like the rest of /audit/v1; `events=true` adds
 * the stored events, which hold personal data: only an AUDITOR gets them, and the read is recorded first.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, StreamableFile } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Request, Response } from 'express';
import type { CommandContext } from '@muskel/application';
import { CheckpointSigner, prepareExport } from '@muskel/audit-log';
import { Allow, AuthGuard, type AuthenticatedRequestState } from '@muskel/auth';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { PersonalDataReads } from '../workflow/personal-data/personal-data-reads';

const booleanQuery = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ExportQuery {
  @ApiPropertyOptional({ description: 'Cut at the latest checkpoint of this tree size (default: the latest)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2 ** 53 - 1)
  size?: number;

  @ApiPropertyOptional({ description: 'Add the stored events (role AUDITOR; the read is recorded)', default: false })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean()
  events?: boolean;

  @ApiPropertyOptional({ description: 'gzip the archive (.tar.gz)', default: false })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean()
  gzip?: boolean;
}

/**
 * The access rule of the events variant. The route itself is public, so the global guard lets every caller in;
 * for `events=true` the same guard is run again against this rule, so the answers (401 AUTHENTICATION_REQUIRED,
 * 403 MISSING_PERMISSION, a revoked grant) are exactly those of any `@Allow(['AUDITOR'])` route.
 */
class EventsExportAccess {
  @Allow(['AUDITOR'])
  events(this: void): void {
    // only carries the rule
  }
}

type GuardedRequest = Request & AuthenticatedRequestState & { id?: string | number };

@Injectable()
export class AuditExports {
  private readonly logger = new Logger('AuditExports');

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CheckpointSigner) private readonly signer: CheckpointSigner,
    @Inject(AuthGuard) private readonly guard: AuthGuard,
    @Inject(PersonalDataReads) private readonly reads: PersonalDataReads,
  ) {}

  async export(query: ExportQuery, request: GuardedRequest, response: Response): Promise<StreamableFile> {
    const events = query.events === true;
    if (events) {
      await this.guard.canActivate(
        new ExecutionContextHost([request, response], EventsExportAccess, EventsExportAccess.prototype.events),
      );
    }
    const prepared = await prepareExport(this.db, {
      size: query.size,
      events,
      // As stored: the leaves digest the stored form (personal data still encrypted on SQL stores).
      log: this.store.raw(),
      gzip: query.gzip === true,
      verifierKey: await this.signer.verifierKey(),
    });
    if (!prepared) {
      throw query.size === undefined
        ? new ApiError(404, 'NO_CHECKPOINT', 'No checkpoint has been signed yet.')
        : new ApiError(404, 'NO_CHECKPOINT', `No checkpoint of size ${query.size} has been signed.`);
    }
    if (events) {
      // Before the first byte leaves: an export of events that cannot be recorded is not served.
      await this.reads.record(this.context(request), {
        what: 'audit-export',
        ids: [`audit-log-size-${prepared.manifest.size}`],
      });
    }
    const name = `muskel-audit-${prepared.manifest.size}${events ? '-events' : ''}.tar${query.gzip ? '.gz' : ''}`;
    return new StreamableFile(prepared.open(), {
      type: query.gzip ? 'application/gzip' : 'application/x-tar',
      disposition: `attachment; filename="${name}"`,
    }).setErrorHandler((error, res) => {
      // The log could not be read to the end. Once bytes have left, cutting the connection is the only signal
      // (the archive is then truncated, which the verifier reports); before that, a 500 like any other failure.
      this.logger.error(`audit export failed: ${error.message}`);
      const out = res as unknown as Response;
      if (out.headersSent) {
        out.destroy();
        return;
      }
      out
        .status(500)
        .type('application/problem+json; charset=utf-8')
        .send(JSON.stringify({ status: 500, code: 'INTERNAL_ERROR', detail: 'The audit log could not be exported.' }));
    });
  }

  /** As the Context() decorator builds it, from the actor the guard has just accepted. */
  private context(request: GuardedRequest): CommandContext {
    if (!request.actor) throw new Error('the export guard accepted no actor');
    const requestId = request.id === undefined ? randomUUID() : String(request.id);
    return {
      actor: request.actor,
      correlationId: requestId,
      causationId: requestId,
      occurredAt: new Date().toISOString(),
    };
  }
}
