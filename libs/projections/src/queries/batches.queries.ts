import type { SqlQueryable } from '@muskel/event-store';
import { batchIdOf, type BatchView } from '../batches.projection';
import { Params, clampLimit, decodeCursor, digitsOnly, encodeCursor } from '../support';
import { rowMeta, scopeCondition, type Page, type RowMeta } from './common';

export interface BatchListFilter {
  scopes: string[];
  regencyCode?: string;
  status?: string;
  /** `YYYY-MM`. */
  period?: string;
  cursor?: string;
  limit?: number;
}

export type BatchItem = BatchView & RowMeta;

interface Row {
  id: string;
  doc: BatchView;
  revision: string;
  last_position: string;
  updated_at: Date | string;
  period: string;
}

/** Latest period first. A batch is visible to scopes that cover its regency. */
export class BatchesQueries {
  constructor(private readonly db: SqlQueryable) {}

  /** `batchId` as in `ProposalBatched` (`1872-202503`), or the stream name. */
  async get(batchId: string): Promise<BatchItem | undefined> {
    const rows = await this.db.query<Row>(
      'SELECT id, doc, revision, last_position, updated_at, period FROM batches_view WHERE id = $1',
      [batchIdOf(batchId)],
    );
    const row = rows[0];
    return row ? { ...row.doc, ...rowMeta(row) } : undefined;
  }

  async list(filter: BatchListFilter): Promise<Page<BatchItem>> {
    const params = new Params();
    const where: string[] = [];
    const scope = scopeCondition('regency_code', filter.scopes, params);
    if (scope) where.push(scope);
    if (filter.regencyCode) where.push(`regency_code = ${params.add(digitsOnly(filter.regencyCode))}`);
    if (filter.status) where.push(`status = ${params.add(filter.status)}`);
    if (filter.period) where.push(`period = ${params.add(filter.period)}`);
    const cursor = decodeCursor(filter.cursor);
    if (cursor) where.push(`(period, id) < (${params.add(cursor[0])}, ${params.add(cursor[1])})`);
    const limit = clampLimit(filter.limit);
    const rows = await this.db.query<Row>(
      `SELECT id, doc, revision, last_position, updated_at, period FROM batches_view
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY period DESC, id DESC LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items: rows.slice(0, limit).map((row) => ({ ...row.doc, ...rowMeta(row) })),
      nextCursor: last ? encodeCursor(last.period, last.id) : null,
    };
  }
}
