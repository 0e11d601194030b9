import type { SqlQueryable } from '@muskel/event-store';
import type { ProposalView } from '../proposals.projection';
import { Params, clampLimit, decodeCursor, digitsOnly, encodeCursor } from '../support';
import { rowMeta, scopeCondition, type Page, type RowMeta } from './common';

export interface ProposalListFilter {
  /** Region prefixes the reader may see, or `NATIONAL`. */
  scopes: string[];
  villageCode?: string;
  regencyCode?: string;
  status?: string;
  kind?: string;
  /** An open flag's code. */
  flag?: string;
  /** `YYYY-MM` of the submission. */
  period?: string;
  cursor?: string;
  limit?: number;
}

export type ProposalItem = ProposalView & RowMeta;

interface Row {
  doc: ProposalView;
  revision: string;
  last_position: string;
  updated_at: Date | string;
  submitted_at: Date | string;
  id: string;
}

/** Newest submissions first. */
export class ProposalsQueries {
  constructor(private readonly db: SqlQueryable) {}

  async list(filter: ProposalListFilter): Promise<Page<ProposalItem>> {
    const params = new Params();
    const where: string[] = [];
    const scope = scopeCondition('village_code', filter.scopes, params);
    if (scope) where.push(scope);
    if (filter.villageCode) where.push(`village_code = ${params.add(digitsOnly(filter.villageCode))}`);
    if (filter.regencyCode) where.push(`regency_code = ${params.add(digitsOnly(filter.regencyCode))}`);
    if (filter.status) where.push(`status = ${params.add(filter.status)}`);
    if (filter.kind) where.push(`kind = ${params.add(filter.kind)}`);
    if (filter.flag) where.push(`${params.add(filter.flag)} = ANY(flag_codes)`);
    if (filter.period) where.push(`period = ${params.add(filter.period)}`);
    const cursor = decodeCursor(filter.cursor);
    if (cursor) where.push(`(submitted_at, id) < (${params.add(cursor[0])}::timestamptz, ${params.add(cursor[1])})`);
    const limit = clampLimit(filter.limit);
    const rows = await this.db.query<Row>(
      `SELECT id, doc, revision, last_position, updated_at, submitted_at FROM proposals_view
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY submitted_at DESC, id DESC LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    const items = rows.slice(0, limit).map((row) => ({ ...row.doc, ...rowMeta(row) }));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items,
      nextCursor: last ? encodeCursor(new Date(last.submitted_at).toISOString(), last.id) : null,
    };
  }

  async get(id: string): Promise<ProposalItem | undefined> {
    const rows = await this.db.query<Row>(
      'SELECT id, doc, revision, last_position, updated_at, submitted_at FROM proposals_view WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row ? { ...row.doc, ...rowMeta(row) } : undefined;
  }
}
