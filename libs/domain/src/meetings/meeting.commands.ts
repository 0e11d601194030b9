import type { DomainCommand } from '../domain-message';
import type { Attendee, QuorumPolicy } from './quorum';

/**
 * Kinds of meeting: musyawarah kelurahan (MUSKEL, held by a kelurahan), musyawarah desa (MUSDES) and musyawarah
 * desa khusus (MUSDESUS, a special village deliberation), both held by a desa.
 */
export const MEETING_KINDS = ['MUSKEL', 'MUSDES', 'MUSDESUS'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

/** What a meeting decides on a proposal (usulan): disetujui, ditolak, ditunda. */
export const MEETING_DECISIONS = ['APPROVED', 'REJECTED', 'DEFERRED'] as const;
export type MeetingDecision = (typeof MEETING_DECISIONS)[number];

/**
 * The proposal statuses that may go on an agenda: awaiting deliberation (menunggu musyawarah), or returned by Dinsos
 * to be deliberated again (dikembalikan).
 */
export const AGENDA_PROPOSAL_STATUSES: readonly string[] = ['WAITING', 'RETURNED'];

/** A show of hands (pemungutan suara), when the meeting voted rather than agreed by consensus (mufakat). */
export type MeetingVotes = {
  readonly for: number;
  readonly against: number;
  readonly abstain: number;
};

/** Schedules a musyawarah kelurahan/desa. */
export type ScheduleMeeting = DomainCommand<
  'ScheduleMeeting',
  {
    readonly meetingId: string;
    /** The village (kelurahan/desa) code, 10 digits (dotted accepted). */
    readonly villageCode: string;
    readonly kind: MeetingKind;
    /** ISO 8601 with an offset, e.g. `2025-03-10T09:00:00+07:00`. */
    readonly scheduledAt: string;
    /** Tempat musyawarah. */
    readonly venue: string;
    /** Pimpinan musyawarah: the person who chairs it. */
    readonly chair: string;
  }
>;

/** Puts a proposal (usulan) on the meeting's agenda (acara). */
export type AddAgendaItem = DomainCommand<
  'AddAgendaItem',
  {
    readonly meetingId: string;
    readonly proposalId: string;
    /** The proposal's village, looked up by the caller from the proposal's stream. */
    readonly proposalVillageCode: string;
    /** The proposal's current status, looked up by the caller; only WAITING or RETURNED may be added. */
    readonly proposalStatus: string;
  }
>;

/** Opens the meeting with its attendance list (daftar hadir), checking the regency's quorum. */
export type OpenMeeting = DomainCommand<
  'OpenMeeting',
  {
    readonly meetingId: string;
    /** ISO 8601 with an offset. */
    readonly openedAt: string;
    readonly attendees: readonly Attendee[];
    /** The regency's quorum policy (kuorum), looked up by the caller; DEFAULT_QUORUM_POLICY when it has none. */
    readonly quorumPolicy: QuorumPolicy;
  }
>;

/** Records the meeting's decision (keputusan) on one agenda item. */
export type RecordDecision = DomainCommand<
  'RecordDecision',
  {
    readonly meetingId: string;
    readonly proposalId: string;
    readonly decision: MeetingDecision;
    readonly reason: string;
    readonly votes?: MeetingVotes;
  }
>;

/** Concludes the meeting with the digest of its signed minutes (berita acara) and who signed them. */
export type ConcludeMeeting = DomainCommand<
  'ConcludeMeeting',
  {
    readonly meetingId: string;
    /** `sha256:` and 64 lowercase hex digits: the SHA-256 of the signed berita acara. */
    readonly minutesDigest: string;
    readonly signatories: readonly Attendee[];
  }
>;

/** Cancels (membatalkan) a meeting that has not concluded. */
export type CancelMeeting = DomainCommand<'CancelMeeting', { readonly meetingId: string; readonly reason: string }>;

/**
 * Records the digest of the signed paper berita acara (scanned after the chair and the secretary signed it) on a
 * concluded meeting. Only the digest is kept: the scan itself stays with the village.
 */
export type RecordSignedMinutes = DomainCommand<
  'RecordSignedMinutes',
  {
    readonly meetingId: string;
    /** `sha256:` and 64 lowercase hex digits: the SHA-256 of the scanned signed copy. */
    readonly signedCopyDigest: string;
  }
>;

export type MeetingCommand =
  | ScheduleMeeting
  | AddAgendaItem
  | OpenMeeting
  | RecordDecision
  | ConcludeMeeting
  | CancelMeeting
  | RecordSignedMinutes;
