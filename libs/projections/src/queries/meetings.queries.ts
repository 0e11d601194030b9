import type { SqlQueryable } from '@muskel/event-store';
import type { MeetingView } from '../meetings.projection';
import { Params, clampLimit, decodeCursor, digitsOnly, encodeCursor } from '../support';
import { rowMeta, scopeCondition, type Page, type RowMeta } from './common';

export interface MeetingListFilter {
  scopes: string[];
  villageCode?: string;
  status?: string;
  cursor?: string;
  limit?: number;
}

export type MeetingItem = MeetingView & RowMeta;

interface Row {
  id: string;
  doc: MeetingView;
  revision: string;
  last_position: string;
  updated_at: Date | string;
  scheduled_at: Date | string;
}

/** Latest scheduled first. */
export class MeetingsQueries {
  constructor(private readonly db: SqlQueryable) {}

  async get(id: string): Promise<MeetingItem | undefined> {
    const rows = await this.db.query<Row>(
      'SELECT id, doc, revision, last_position, updated_at, scheduled_at FROM meetings_view WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row ? { ...row.doc, ...rowMeta(row) } : undefined;
  }

  async list(filter: MeetingListFilter): Promise<Page<MeetingItem>> {
    const params = new Params();
    const where: string[] = [];
    const scope = scopeCondition('village_code', filter.scopes, params);
    if (scope) where.push(scope);
    if (filter.villageCode) where.push(`village_code = ${params.add(digitsOnly(filter.villageCode))}`);
    if (filter.status) where.push(`status = ${params.add(filter.status)}`);
    const cursor = decodeCursor(filter.cursor);
    if (cursor) where.push(`(scheduled_at, id) < (${params.add(cursor[0])}::timestamptz, ${params.add(cursor[1])})`);
    const limit = clampLimit(filter.limit);
    const rows = await this.db.query<Row>(
      `SELECT id, doc, revision, last_position, updated_at, scheduled_at FROM meetings_view
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY scheduled_at DESC, id DESC LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items: rows.slice(0, limit).map((row) => ({ ...row.doc, ...rowMeta(row) })),
      nextCursor: last ? encodeCursor(new Date(last.scheduled_at).toISOString(), last.id) : null,
    };
  }
}
