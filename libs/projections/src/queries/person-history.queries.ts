import type { SqlQueryable } from '@muskel/event-store';
import { BlindIndex } from '../blind-index';

export interface PersonHistoryEntry {
  position: string;
  occurredAt: string;
  stream: string;
  eventType: string;
  /** Ids and codes only. */
  summary: Record<string, unknown>;
}

export class PersonHistoryQueries {
  constructor(private readonly db: SqlQueryable) {}

  /** Everything that concerned the person with this NIK, in log order. The NIK is hashed here, never sent to SQL. */
  async history(nik: string): Promise<PersonHistoryEntry[]> {
    const index = await BlindIndex.load(this.db);
    const rows = await this.db.query<{
      position: string;
      occurred_at: Date | string;
      stream: string;
      event_type: string;
      summary: Record<string, unknown>;
    }>(
      'SELECT position, occurred_at, stream, event_type, summary FROM person_history WHERE nik_hmac = $1 ORDER BY position',
      [index.nik(nik)],
    );
    return rows.map((row) => ({
      position: row.position,
      occurredAt: new Date(row.occurred_at).toISOString(),
      stream: row.stream,
      eventType: row.event_type,
      summary: row.summary,
    }));
  }
}
