import type { Projection } from '@muskel/application';
import type { ReminderEvent } from '@muskel/domain';
import type { RecordedEvent, SqlQueryable, StoreTransaction } from '@muskel/event-store';
import { scopeCondition, rowMeta, type Page, type RowMeta } from './queries/common';
import {
  DocumentTable,
  Params,
  clampLimit,
  decodeCursor,
  digitsOnly,
  encodeCursor,
  ofCategories,
  streamId,
} from './support';

/**
 * The villages' reminder queue (the monthly cycle's `DeliberationReminderIssued`): one row per village and period,
 * what the village operator's screen lists. Ids and codes only, no personal data.
 */
export interface VillageReminderView {
  /** `<villageCode>-<yyyymm>`: the stream name without `reminder-`. */
  id: string;
  villageCode: string;
  regencyCode: string;
  period: string;
  cutoffDate: string;
  proposalIds: string[];
  issuedAt: string;
}

export const VILLAGE_REMINDERS = 'village-reminders';

export const villageRemindersTable = new DocumentTable<VillageReminderView>('village_reminders', [
  { name: 'village_code', type: 'text', value: (d) => d.villageCode },
  { name: 'regency_code', type: 'text', value: (d) => d.regencyCode },
  { name: 'period', type: 'text', value: (d) => d.period },
  { name: 'issued_at', type: 'timestamptz', value: (d) => d.issuedAt },
]);

export function foldReminder(
  doc: VillageReminderView | undefined,
  recorded: RecordedEvent,
): VillageReminderView | undefined {
  const event = { type: recorded.type, data: recorded.data } as unknown as ReminderEvent;
  if (event.type !== 'DeliberationReminderIssued') return doc;
  const village = digitsOnly(event.data.villageCode);
  return {
    id: streamId(recorded),
    villageCode: village,
    regencyCode: village.slice(0, 4),
    period: event.data.period,
    cutoffDate: event.data.cutoffDate,
    proposalIds: [...event.data.proposalIds],
    issuedAt: event.data.issuedAt,
  };
}

export class VillageRemindersProjection implements Projection {
  readonly name = VILLAGE_REMINDERS;
  readonly filter = { categories: ['reminder'] };

  async setup(tx: StoreTransaction): Promise<void> {
    await tx.query(villageRemindersTable.ddl());
    await tx.query(
      'CREATE INDEX IF NOT EXISTS village_reminders_village ON village_reminders (village_code, issued_at DESC, id)',
    );
  }

  async reset(tx: StoreTransaction): Promise<void> {
    await tx.query('TRUNCATE village_reminders');
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    await villageRemindersTable.applyPage(tx, ofCategories(events, this.filter.categories), foldReminder);
  }
}

export interface VillageReminderFilter {
  /** The reader's scopes (villages, regencies, NATIONAL): rows outside them are never listed. */
  scopes: string[];
  villageCode?: string;
  cursor?: string;
  limit?: number;
}

export type VillageReminderItem = VillageReminderView & RowMeta;

interface Row {
  id: string;
  doc: VillageReminderView;
  revision: string;
  last_position: string;
  updated_at: Date | string;
  issued_at: Date | string;
}

/** Latest first. */
export class VillageRemindersQueries {
  constructor(private readonly db: SqlQueryable) {}

  async list(filter: VillageReminderFilter): Promise<Page<VillageReminderItem>> {
    const params = new Params();
    const where: string[] = [];
    const scope = scopeCondition('village_code', filter.scopes, params);
    if (scope) where.push(scope);
    if (filter.villageCode) where.push(`village_code = ${params.add(digitsOnly(filter.villageCode))}`);
    const cursor = decodeCursor(filter.cursor);
    if (cursor) where.push(`(issued_at, id) < (${params.add(cursor[0])}::timestamptz, ${params.add(cursor[1])})`);
    const limit = clampLimit(filter.limit);
    const rows = await this.db.query<Row>(
      `SELECT id, doc, revision, last_position, updated_at, issued_at FROM village_reminders
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY issued_at DESC, id DESC LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items: rows.slice(0, limit).map((row) => ({ ...row.doc, ...rowMeta(row) })),
      nextCursor: last ? encodeCursor(new Date(last.issued_at).toISOString(), last.id) : null,
    };
  }
}
