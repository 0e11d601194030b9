import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, mergeMap, type Observable } from 'rxjs';
import { AUDIT_LOG_PROJECTION } from '@muskel/audit-log';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { waitForPosition } from '../common/read-your-writes';

/** The longest `Prefer: wait=N` honoured on a command, in seconds. */
export const MAX_AUDIT_WAIT_SECONDS = 10;

/** One written event and where it sits in the audit log: `leafIndex` null until the integrator has taken it in. */
export interface AuditLeafRef {
  eventId: string;
  leafIndex: number | null;
}

/**
 * Every command answer names the events it wrote (`eventIds`, from the handlers); here, at the edge, they become
 * `audit.leaves`: each event with its audit-log leaf index once integrated. Integration is asynchronous (the worker),
 * so by default the answer says what is known at once; a client that needs the index (an auditor's script, a
 * receipt) sends `Prefer: wait=<seconds>` (RFC 7240) and the answer waits, bounded, for the integrator.
 */
@Injectable()
export class AuditLeavesInterceptor implements NestInterceptor {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    return next.handle().pipe(mergeMap((body) => from(this.withLeaves(body, request, response))));
  }

  private async withLeaves(body: unknown, request: Request, response: Response): Promise<unknown> {
    if (!isCommandAnswer(body)) return body;
    const { eventIds, ...rest } = body;
    const waitSeconds = preferredWait(request.headers.prefer);
    if (waitSeconds > 0 && typeof rest.position === 'string' && rest.position !== '') {
      await waitForPosition(this.store, [AUDIT_LOG_PROJECTION], rest.position, waitSeconds * 1000);
      response.setHeader('Preference-Applied', `wait=${waitSeconds}`);
    }
    return { ...rest, audit: { leaves: await this.leaves(eventIds) } };
  }

  private async leaves(eventIds: string[]): Promise<AuditLeafRef[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.db.query<{ event_id: string; seq: string | number }>(
      'SELECT event_id, seq FROM audit_leaves WHERE event_id = ANY($1::text[])',
      [eventIds],
      // Prepared once per connection: every command answer asks.
      'audit_leaves_of_events',
    );
    const index = new Map(rows.map((row) => [row.event_id, Number(row.seq)]));
    return eventIds.map((eventId) => ({ eventId, leafIndex: index.get(eventId) ?? null }));
  }
}

function isCommandAnswer(body: unknown): body is Record<string, unknown> & { eventIds: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const ids = (body as { eventIds?: unknown }).eventIds;
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string');
}

/** `Prefer: wait=N` (RFC 7240 §4.3), capped; anything else (absent, malformed) means no wait. */
export function preferredWait(header: string | string[] | undefined): number {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const value of values) {
    for (const preference of value.split(',')) {
      const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*$/i.exec(preference.split(';')[0] ?? '');
      if (match) return Math.min(Number(match[1]), MAX_AUDIT_WAIT_SECONDS);
    }
  }
  return 0;
}
