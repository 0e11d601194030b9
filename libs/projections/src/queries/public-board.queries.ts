import type { SqlQueryable } from '@muskel/event-store';
import { digitsOnly } from '../support';

export interface PublicBoard {
  villageCode: string;
  period: string;
  byKind: Record<string, number>;
  byVillageDecision: Record<string, number>;
  byRemovalReason: Record<string, number>;
  byOutcome: Record<string, number>;
  meetings: { meetingId: string; kind: string; scheduledAt: string; status: string }[];
}

const DIMENSION_FIELD = {
  kind: 'byKind',
  village_decision: 'byVillageDecision',
  removal_reason: 'byRemovalReason',
  outcome: 'byOutcome',
} as const;

/** The public board: counts and meeting dates only, never a NIK, KK number, name or birth date. */
export class PublicBoardQueries {
  constructor(private readonly db: SqlQueryable) {}

  async board(villageCode: string, period: string): Promise<PublicBoard> {
    const village = digitsOnly(villageCode);
    const [counts, meetings] = await Promise.all([
      this.db.query<{ dimension: string; key: string; count: number }>(
        'SELECT dimension, key, count FROM public_board_counts WHERE village_code = $1 AND period = $2',
        [village, period],
      ),
      this.db.query<{ meeting_id: string; kind: string; scheduled_at: Date | string; status: string }>(
        `SELECT meeting_id, kind, scheduled_at, status FROM public_board_meetings
          WHERE village_code = $1 AND period = $2 ORDER BY scheduled_at, meeting_id`,
        [village, period],
      ),
    ]);
    const board: PublicBoard = {
      villageCode: village,
      period,
      byKind: {},
      byVillageDecision: {},
      byRemovalReason: {},
      byOutcome: {},
      meetings: meetings.map((m) => ({
        meetingId: m.meeting_id,
        kind: m.kind,
        scheduledAt: new Date(m.scheduled_at).toISOString(),
        status: m.status,
      })),
    };
    for (const row of counts) {
      const field = DIMENSION_FIELD[row.dimension as keyof typeof DIMENSION_FIELD];
      if (field) board[field][row.key] = Number(row.count);
    }
    return board;
  }
}
