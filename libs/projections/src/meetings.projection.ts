import type { Projection } from '@muskel/application';
import type { MeetingEvent } from '@muskel/domain';
import type { RecordedEvent, StoreTransaction } from '@muskel/event-store';
import { DocumentTable, digitsOnly, ofCategories, occurredAt, streamId } from './support';

export interface MeetingView {
  id: string;
  villageCode: string;
  regencyCode: string;
  kind: string;
  scheduledAt: string;
  venue: string;
  chair: string;
  status: 'SCHEDULED' | 'OPEN' | 'CONCLUDED' | 'CANCELLED';
  agenda: string[];
  attendees: { name: string; role: string }[];
  openedAt: string | null;
  decisions: {
    proposalId: string;
    decision: string;
    reason: string;
    votes: { for: number; against: number; abstain: number } | null;
  }[];
  minutesDigest: string | null;
  signatories: { name: string; role: string }[];
  concludedAt: string | null;
  /** SHA-256 of the scanned, signed paper berita acara, once recorded. */
  signedCopyDigest: string | null;
  cancelled: { reason: string; at: string } | null;
}

export const MEETINGS_VIEW = 'meetings-view';

export const meetingsTable = new DocumentTable<MeetingView>('meetings_view', [
  { name: 'village_code', type: 'text', value: (d) => d.villageCode },
  { name: 'regency_code', type: 'text', value: (d) => d.regencyCode },
  { name: 'kind', type: 'text', value: (d) => d.kind },
  { name: 'status', type: 'text', value: (d) => d.status },
  { name: 'scheduled_at', type: 'timestamptz', value: (d) => d.scheduledAt },
]);

export function foldMeeting(doc: MeetingView | undefined, recorded: RecordedEvent): MeetingView | undefined {
  const event = { type: recorded.type, data: recorded.data } as unknown as MeetingEvent;
  const at = occurredAt(recorded);
  if (event.type === 'MeetingScheduled') {
    const d = event.data;
    const village = digitsOnly(d.villageCode);
    return {
      id: d.meetingId ?? streamId(recorded),
      villageCode: village,
      regencyCode: village.slice(0, 4),
      kind: d.kind,
      scheduledAt: d.scheduledAt,
      venue: d.venue,
      chair: d.chair,
      status: 'SCHEDULED',
      agenda: [],
      attendees: [],
      openedAt: null,
      decisions: [],
      minutesDigest: null,
      signatories: [],
      concludedAt: null,
      signedCopyDigest: null,
      cancelled: null,
    };
  }
  if (!doc) return undefined;
  switch (event.type) {
    case 'AgendaItemAdded':
      return doc.agenda.includes(event.data.proposalId)
        ? doc
        : { ...doc, agenda: [...doc.agenda, event.data.proposalId] };
    case 'MeetingOpened':
      return {
        ...doc,
        status: 'OPEN',
        openedAt: event.data.openedAt,
        attendees: event.data.attendees.map((a) => ({ name: a.name, role: a.role })),
      };
    case 'DecisionRecorded': {
      const d = event.data;
      const decision = {
        proposalId: d.proposalId,
        decision: d.decision,
        reason: d.reason,
        votes: d.votes ? { ...d.votes } : null,
      };
      return { ...doc, decisions: [...doc.decisions.filter((x) => x.proposalId !== d.proposalId), decision] };
    }
    case 'MeetingConcluded': {
      const d = event.data;
      // The minutes are authoritative: their decisions replace the ones recorded during the session.
      const decisions = d.decisions.map((x) => {
        const recorded = doc.decisions.find((r) => r.proposalId === x.proposalId);
        return { proposalId: x.proposalId, decision: x.decision, reason: x.reason, votes: recorded?.votes ?? null };
      });
      return {
        ...doc,
        status: 'CONCLUDED',
        decisions,
        minutesDigest: d.minutesDigest,
        signatories: d.signatories.map((a) => ({ name: a.name, role: a.role })),
        concludedAt: at,
      };
    }
    case 'MeetingCancelled':
      return { ...doc, status: 'CANCELLED', cancelled: { reason: event.data.reason, at } };
    case 'SignedMinutesRecorded':
      return { ...doc, signedCopyDigest: event.data.signedCopyDigest };
    default:
      return doc;
  }
}

export class MeetingsProjection implements Projection {
  readonly name = MEETINGS_VIEW;
  readonly filter = { categories: ['meeting'] };

  async setup(tx: StoreTransaction): Promise<void> {
    await tx.query(meetingsTable.ddl());
    await tx.query(
      'CREATE INDEX IF NOT EXISTS meetings_view_village ON meetings_view (village_code text_pattern_ops, scheduled_at, id)',
    );
  }

  async reset(tx: StoreTransaction): Promise<void> {
    await tx.query('TRUNCATE meetings_view');
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    await meetingsTable.applyPage(tx, ofCategories(events, this.filter.categories), foldMeeting);
  }
}
