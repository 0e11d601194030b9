import type { Projection } from '@muskel/application';
import type { MeetingEvent, ProposalEvent } from '@muskel/domain';
import type { RecordedEvent, StoreTransaction } from '@muskel/event-store';
import { StreamRevisions, ofCategories, digitsOnly, occurredAt, periodOf, streamId, unseen } from './support';

export const PUBLIC_BOARD = 'public-board';

/** What the board counts. None of it is personal data: codes, decisions, reasons and meeting dates only. */
export const BOARD_DIMENSIONS = ['kind', 'village_decision', 'removal_reason', 'outcome'] as const;
export type BoardDimension = (typeof BOARD_DIMENSIONS)[number];

const revisions = new StreamRevisions('public_board_streams');

/**
 * The public transparency board per village and month (the month of the act's `occurredAt`): counts of proposals
 * by kind, by village decision, by removal reason and by final outcome, and the village's meetings (for a meeting,
 * the month of its scheduled date). Counting is made idempotent by the stream revisions it keeps.
 */
export class PublicBoardProjection implements Projection {
  readonly name = PUBLIC_BOARD;
  readonly filter = { categories: ['proposal', 'meeting'] };

  async setup(tx: StoreTransaction): Promise<void> {
    await tx.query(revisions.ddl());
    await tx.query(`CREATE TABLE IF NOT EXISTS public_board_counts (
      village_code text NOT NULL,
      period text NOT NULL,
      dimension text NOT NULL,
      key text NOT NULL,
      count integer NOT NULL,
      PRIMARY KEY (village_code, period, dimension, key))`);
    await tx.query(`CREATE TABLE IF NOT EXISTS public_board_proposals (
      proposal_id text PRIMARY KEY,
      village_code text NOT NULL,
      kind text NOT NULL)`);
    await tx.query(`CREATE TABLE IF NOT EXISTS public_board_meetings (
      meeting_id text PRIMARY KEY,
      village_code text NOT NULL,
      period text NOT NULL,
      kind text NOT NULL,
      scheduled_at timestamptz NOT NULL,
      status text NOT NULL)`);
    await tx.query(
      'CREATE INDEX IF NOT EXISTS public_board_meetings_village ON public_board_meetings (village_code, period)',
    );
  }

  async reset(tx: StoreTransaction): Promise<void> {
    await tx.query('TRUNCATE public_board_counts, public_board_proposals, public_board_meetings, public_board_streams');
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    const mine = ofCategories(events, this.filter.categories);
    const fresh = unseen(mine, await revisions.load(tx, mine));
    if (fresh.length === 0) return;
    const proposalIds = [...new Set(fresh.filter((e) => e.streamName.startsWith('proposal-')).map((e) => streamId(e)))];
    const rows = await tx.query<{ proposal_id: string; village_code: string; kind: string }>(
      'SELECT proposal_id, village_code, kind FROM public_board_proposals WHERE proposal_id = ANY($1::text[])',
      [proposalIds],
    );
    const proposals = new Map(rows.map((row) => [row.proposal_id, { village: row.village_code, kind: row.kind }]));
    const newProposals: { proposal_id: string; village_code: string; kind: string }[] = [];
    const counts = new Map<
      string,
      { village_code: string; period: string; dimension: string; key: string; count: number }
    >();
    const count = (village: string, period: string, dimension: BoardDimension, key: string) => {
      const id = [village, period, dimension, key].join('\u0000');
      const entry = counts.get(id) ?? { village_code: village, period, dimension, key, count: 0 };
      entry.count += 1;
      counts.set(id, entry);
    };
    const meetings: {
      meeting_id: string;
      village_code: string;
      period: string;
      kind: string;
      scheduled_at: string;
      status: string;
    }[] = [];
    const meetingStatus = new Map<string, string>();
    for (const recorded of fresh) {
      const id = streamId(recorded);
      const period = periodOf(occurredAt(recorded));
      if (recorded.streamName.startsWith('meeting-')) {
        const event = { type: recorded.type, data: recorded.data } as unknown as MeetingEvent;
        if (event.type === 'MeetingScheduled') {
          meetings.push({
            meeting_id: id,
            village_code: digitsOnly(event.data.villageCode),
            period: periodOf(event.data.scheduledAt),
            kind: event.data.kind,
            scheduled_at: event.data.scheduledAt,
            status: 'SCHEDULED',
          });
        } else if (event.type === 'MeetingOpened') meetingStatus.set(id, 'OPEN');
        else if (event.type === 'MeetingConcluded') meetingStatus.set(id, 'CONCLUDED');
        else if (event.type === 'MeetingCancelled') meetingStatus.set(id, 'CANCELLED');
        continue;
      }
      const event = { type: recorded.type, data: recorded.data } as unknown as ProposalEvent;
      if (event.type === 'ProposalSubmitted') {
        const village = digitsOnly(event.data.villageCode);
        proposals.set(id, { village, kind: event.data.kind });
        newProposals.push({ proposal_id: id, village_code: village, kind: event.data.kind });
        count(village, period, 'kind', event.data.kind);
        if (event.data.removal) count(village, period, 'removal_reason', event.data.removal.reason);
        continue;
      }
      const proposal = proposals.get(id);
      if (!proposal) continue;
      switch (event.type) {
        case 'ProposalDeliberated':
          count(proposal.village, period, 'village_decision', event.data.decision);
          if (event.data.decision === 'REJECTED') count(proposal.village, period, 'outcome', 'REJECTED_BY_VILLAGE');
          break;
        case 'ProposalAccepted':
          count(proposal.village, period, 'outcome', 'ACCEPTED');
          break;
        case 'ProposalRejected':
          count(proposal.village, period, 'outcome', `REJECTED_${event.data.stage}`);
          break;
        case 'ProposalWithdrawn':
          count(proposal.village, period, 'outcome', 'WITHDRAWN');
          break;
        default:
          break;
      }
    }
    if (newProposals.length > 0) {
      await tx.query(
        `INSERT INTO public_board_proposals (proposal_id, village_code, kind)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (proposal_id) DO NOTHING`,
        [
          newProposals.map((p) => p.proposal_id),
          newProposals.map((p) => p.village_code),
          newProposals.map((p) => p.kind),
        ],
      );
    }
    if (counts.size > 0) {
      await tx.query(
        `INSERT INTO public_board_counts (village_code, period, dimension, key, count)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(village_code text, period text, dimension text, key text,
           count integer)
         ON CONFLICT (village_code, period, dimension, key)
         DO UPDATE SET count = public_board_counts.count + EXCLUDED.count`,
        [JSON.stringify([...counts.values()])],
      );
    }
    if (meetings.length > 0) {
      await tx.query(
        `INSERT INTO public_board_meetings (meeting_id, village_code, period, kind, scheduled_at, status)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(meeting_id text, village_code text, period text, kind text,
           scheduled_at timestamptz, status text)
         ON CONFLICT (meeting_id) DO NOTHING`,
        [JSON.stringify(meetings)],
      );
    }
    if (meetingStatus.size > 0) {
      await tx.query(
        `UPDATE public_board_meetings m SET status = x.status
           FROM unnest($1::text[], $2::text[]) AS x(meeting_id, status) WHERE m.meeting_id = x.meeting_id`,
        [[...meetingStatus.keys()], [...meetingStatus.values()]],
      );
    }
    await revisions.save(tx, new Map(fresh.map((event) => [event.streamName, event.revision])));
  }
}
