import type { DomainEvent } from '../domain-message';
import type { MeetingDecision, MeetingKind, MeetingVotes } from './meeting.commands';
import { parseMeetingId } from './meeting.validation';
import type { Attendee } from './quorum';

/** The stream of one meeting (musyawarah): `meeting-<meetingId>`. Throws DomainError `INVALID_ID` for an unfit id. */
export function meetingStreamName(meetingId: string): string {
  return `meeting-${parseMeetingId(meetingId)}`;
}

/** A decision as the minutes (berita acara) list it. */
export type MinutedDecision = {
  readonly proposalId: string;
  readonly decision: MeetingDecision;
  readonly reason: string;
};

export type MeetingScheduled = DomainEvent<
  'MeetingScheduled',
  {
    readonly meetingId: string;
    readonly villageCode: string;
    readonly kind: MeetingKind;
    readonly scheduledAt: string;
    readonly venue: string;
    readonly chair: string;
  }
>;
export type AgendaItemAdded = DomainEvent<'AgendaItemAdded', { readonly proposalId: string }>;
export type MeetingOpened = DomainEvent<
  'MeetingOpened',
  { readonly openedAt: string; readonly attendees: readonly Attendee[] }
>;
export type DecisionRecorded = DomainEvent<
  'DecisionRecorded',
  {
    readonly proposalId: string;
    readonly decision: MeetingDecision;
    readonly reason: string;
    readonly votes?: MeetingVotes;
  }
>;
/**
 * The meeting concluded. `decisions` lists every agenda item's decision in agenda order, so that a reactor can
 * append `ProposalDeliberated` to each proposal from this one event.
 */
export type MeetingConcluded = DomainEvent<
  'MeetingConcluded',
  {
    readonly minutesDigest: string;
    readonly signatories: readonly Attendee[];
    readonly decisions: readonly MinutedDecision[];
  }
>;
export type MeetingCancelled = DomainEvent<'MeetingCancelled', { readonly reason: string }>;
/** The digest of the scanned, signed paper berita acara was recorded (after MeetingConcluded, at most once). */
export type SignedMinutesRecorded = DomainEvent<'SignedMinutesRecorded', { readonly signedCopyDigest: string }>;

export type MeetingEvent =
  | MeetingScheduled
  | AgendaItemAdded
  | MeetingOpened
  | DecisionRecorded
  | MeetingConcluded
  | MeetingCancelled
  | SignedMinutesRecorded;
export type MeetingEventType = MeetingEvent['type'];

export const MEETING_EVENT_TYPES = [
  'MeetingScheduled',
  'AgendaItemAdded',
  'MeetingOpened',
  'DecisionRecorded',
  'MeetingConcluded',
  'MeetingCancelled',
  'SignedMinutesRecorded',
] as const satisfies readonly MeetingEventType[];

/** Compile-time check that MEETING_EVENT_TYPES lists every event type. */
const _allListed: MeetingEventType extends (typeof MEETING_EVENT_TYPES)[number] ? true : never = true;

export function isMeetingEventType(type: string): type is MeetingEventType {
  return (MEETING_EVENT_TYPES as readonly string[]).includes(type);
}
