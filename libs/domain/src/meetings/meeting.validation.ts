import {
  invalid,
  isIsoInstant,
  parseRegionCodeOfLevel,
  parseSha256Digest,
  parseStreamId,
  trimmedText,
} from '../shared/fields';
import {
  MEETING_DECISIONS,
  MEETING_KINDS,
  type MeetingDecision,
  type MeetingKind,
  type MeetingVotes,
} from './meeting.commands';
import {
  ATTENDEE_ROLES,
  attendeeNameKey,
  isAttendeeRole,
  type Attendee,
  type AttendeeRole,
  type QuorumPolicy,
} from './quorum';

export const PERSON_NAME_MAX_LENGTH = 120;
export const VENUE_MAX_LENGTH = 200;
export const MEETING_REASON_MAX_LENGTH = 1000;
/** No musyawarah lists more people than this; a longer list is a mistake. */
export const MAX_PEOPLE_LISTED = 1000;

/** An id that may end a stream name: 1 to 100 letters, digits, `_` or `-`, starting with a letter or digit. */
export function parseMeetingEntityId(input: string, field: string): string {
  return parseStreamId(input, field);
}

export function parseMeetingId(input: string): string {
  return parseMeetingEntityId(input, 'meetingId');
}

/** A village (kelurahan/desa) code, plain or dotted, returned in digits only. Throws `INVALID_VILLAGE_CODE`. */
export function parseVillageCode(input: string, field: string): string {
  return parseRegionCodeOfLevel(input, field, 'village', 'INVALID_VILLAGE_CODE', 'A village code has 10 digits');
}

/** An ISO 8601 date-time with an offset that names a real instant. Throws `INVALID_TIMESTAMP`. */
export function parseTimestamp(input: string, field: string): string {
  if (!isIsoInstant(input)) {
    throw invalid('INVALID_TIMESTAMP', `The ${field} must be an ISO 8601 date and time with an offset.`, { field });
  }
  return input;
}

/** A person's name: trimmed, 1 to 120 characters, no control characters. Throws `INVALID_NAME`. */
export function parsePersonName(input: string, field: string): string {
  const name = trimmedText(input, PERSON_NAME_MAX_LENGTH);
  if (name === undefined) {
    throw invalid(
      'INVALID_NAME',
      `A name has 1 to ${PERSON_NAME_MAX_LENGTH} characters (after trimming) and no control characters.`,
      { field },
    );
  }
  return name;
}

/** Where the meeting is held (tempat): trimmed, 1 to 200 characters. Throws `INVALID_VENUE`. */
export function parseVenue(input: string): string {
  const venue = trimmedText(input, VENUE_MAX_LENGTH);
  if (venue === undefined) {
    throw invalid(
      'INVALID_VENUE',
      `A venue has 1 to ${VENUE_MAX_LENGTH} characters (after trimming) and no control characters.`,
      { field: 'venue' },
    );
  }
  return venue;
}

/** Why a decision was taken or a meeting cancelled: trimmed, 1 to 1000 characters. Throws `INVALID_REASON`. */
export function parseMeetingReason(input: string): string {
  const reason = trimmedText(input, MEETING_REASON_MAX_LENGTH, null);
  if (reason === undefined) {
    throw invalid('INVALID_REASON', `A reason has 1 to ${MEETING_REASON_MAX_LENGTH} characters (after trimming).`, {
      field: 'reason',
    });
  }
  return reason;
}

export function parseMeetingKind(input: string): MeetingKind {
  if (!(MEETING_KINDS as readonly string[]).includes(input)) {
    throw invalid('INVALID_MEETING_KIND', `A meeting kind is one of ${MEETING_KINDS.join(', ')}.`, { field: 'kind' });
  }
  return input as MeetingKind;
}

export function parseMeetingDecision(input: string): MeetingDecision {
  if (!(MEETING_DECISIONS as readonly string[]).includes(input)) {
    throw invalid('INVALID_DECISION', `A decision is one of ${MEETING_DECISIONS.join(', ')}.`, { field: 'decision' });
  }
  return input as MeetingDecision;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Votes, when given: for, against and abstain, each a non-negative integer. Throws `INVALID_VOTES`. */
export function parseVotes(input: MeetingVotes | undefined): MeetingVotes | undefined {
  if (input === undefined) return undefined;
  if (typeof input !== 'object' || input === null || ![input.for, input.against, input.abstain].every(isCount)) {
    throw invalid('INVALID_VOTES', 'MeetingVotes for, against and abstain are each a non-negative integer.', {
      field: 'votes',
    });
  }
  return { for: input.for, against: input.against, abstain: input.abstain };
}

/** `sha256:` and 64 lowercase hex digits. Throws `INVALID_MINUTES_DIGEST`. */
export function parseMinutesDigest(input: string): string {
  return parseSha256Digest(input, 'minutesDigest', 'INVALID_MINUTES_DIGEST', 'minutes digest');
}

/** `sha256:` and 64 lowercase hex digits. Throws `INVALID_SIGNED_COPY_DIGEST`. */
export function parseSignedCopyDigest(input: string): string {
  return parseSha256Digest(input, 'signedCopyDigest', 'INVALID_SIGNED_COPY_DIGEST', 'signed copy digest');
}

/**
 * A list of people with their roles (attendance list or signatories): each name valid and trimmed, each role one of
 * ATTENDEE_ROLES, no person listed twice in the same role (names compared case-insensitively). Throws
 * `INVALID_NAME`, `INVALID_ATTENDEE_ROLE`, `TOO_MANY_PEOPLE`, or `duplicateCode`.
 */
export function parsePeople(input: readonly Attendee[], field: string, duplicateCode: string): Attendee[] {
  if (!Array.isArray(input)) {
    throw invalid('INVALID_NAME', `The ${field} must be a list of names with roles.`, { field });
  }
  if (input.length > MAX_PEOPLE_LISTED) {
    throw invalid('TOO_MANY_PEOPLE', `The ${field} may list at most ${MAX_PEOPLE_LISTED} people.`, { field });
  }
  const seen = new Set<string>();
  return input.map((person: Attendee, index) => {
    const entry = `${field}[${index}]`;
    const name = parsePersonName(person?.name, `${entry}.name`);
    const role = person?.role;
    if (typeof role !== 'string' || !isAttendeeRole(role)) {
      throw invalid('INVALID_ATTENDEE_ROLE', `A role is one of ${ATTENDEE_ROLES.join(', ')}.`, {
        field: `${entry}.role`,
      });
    }
    const key = `${role}:${attendeeNameKey(name)}`;
    if (seen.has(key)) {
      throw invalid(duplicateCode, `The same person is listed twice in the same role in the ${field}.`, {
        field: entry,
        role,
      });
    }
    seen.add(key);
    return { name, role };
  });
}

/** A regency's quorum policy as the caller passes it. Throws `INVALID_QUORUM_POLICY`. */
export function parseQuorumPolicy(input: QuorumPolicy): QuorumPolicy {
  const rejection = (why: string) => invalid('INVALID_QUORUM_POLICY', `The quorum policy is invalid: ${why}`);
  if (typeof input !== 'object' || input === null) throw rejection('it is missing.');
  if (!isCount(input.minimumAttendees) || input.minimumAttendees > MAX_PEOPLE_LISTED) {
    throw rejection(`the minimum number of attendees is an integer from 0 to ${MAX_PEOPLE_LISTED}.`);
  }
  const roles: unknown = input.requiredRoles;
  if (!Array.isArray(roles) || !roles.every((role: unknown) => typeof role === 'string' && isAttendeeRole(role))) {
    throw rejection(`each required role is one of ${ATTENDEE_ROLES.join(', ')}.`);
  }
  if (typeof input.chairMustAttend !== 'boolean') throw rejection('whether the chair must attend is true or false.');
  return {
    minimumAttendees: input.minimumAttendees,
    requiredRoles: [...new Set<AttendeeRole>(input.requiredRoles)],
    chairMustAttend: input.chairMustAttend,
  };
}
