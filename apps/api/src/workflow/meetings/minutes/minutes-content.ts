import { createHash } from 'node:crypto';
import { canonicalize } from '@muskel/audit';
import { villageKind, type MeetingState } from '@muskel/domain';

/** One agenda item as the minutes (berita acara) record it. */
export interface MinutesItem {
  /** 1-based, in agenda order. */
  number: number;
  proposalId: string;
  /** ADD, CORRECT, REMOVE or RELOCATE; null when the proposal's stream could not be read. */
  proposalKind: string | null;
  /** APPROVED, REJECTED or DEFERRED; null while undecided. */
  decision: string | null;
  reason: string | null;
}

/**
 * What the minutes say, and nothing that changes once the meeting has decided: no generation time, no status, no
 * signatories (they sign this very content, and the conclusion records its digest). The same meeting therefore
 * gives the same content, and the same digest, before and after it concludes.
 */
export interface MinutesContent {
  format: 'muskel.berita-acara/1';
  meetingId: string;
  villageCode: string;
  /** KELURAHAN or DESA (digit 7 of the code). */
  villageKind: string;
  /** MUSKEL, MUSDES or MUSDESUS. */
  meetingKind: string;
  scheduledAt: string;
  openedAt: string | null;
  venue: string;
  chair: string;
  attendees: { name: string; role: string }[];
  items: MinutesItem[];
}

/** The meeting as read from its stream, with each agenda proposal's kind looked up by the caller. */
export function minutesContent(
  meetingId: string,
  state: MeetingState,
  proposalKinds: Readonly<Record<string, string | undefined>>,
): MinutesContent {
  const villageCode = state.villageCode ?? '';
  return {
    format: 'muskel.berita-acara/1',
    meetingId,
    villageCode,
    villageKind: villageCode ? villageKind(villageCode) : '',
    meetingKind: state.kind ?? '',
    scheduledAt: state.scheduledAt ?? '',
    openedAt: state.openedAt ?? null,
    venue: state.venue ?? '',
    chair: state.chair ?? '',
    attendees: state.attendees.map(({ name, role }) => ({ name, role })),
    items: state.agenda.map((proposalId, index) => {
      const decided = Object.hasOwn(state.decisions, proposalId) ? state.decisions[proposalId] : undefined;
      return {
        number: index + 1,
        proposalId,
        proposalKind: proposalKinds[proposalId] ?? null,
        decision: decided?.decision ?? null,
        reason: decided?.reason ?? null,
      };
    }),
  };
}

/** `sha256:` + hex SHA-256 of the RFC 8785 canonical JSON of the content: what the conclusion records. */
export function minutesDigest(content: MinutesContent): string {
  return `sha256:${createHash('sha256').update(canonicalize(content), 'utf8').digest('hex')}`;
}
