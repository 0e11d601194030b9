import { DomainError } from '../domain-error';
import { parseRegionCode } from '../regions/region-code';
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

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
/** Control characters, line and paragraph separators, and the bidirectional overrides used to disguise text. */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
/** ISO 8601 date and time with seconds optional, fraction optional, and a mandatory offset (`Z` or `+07:00`). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const MINUTES_DIGEST = /^sha256:[0-9a-f]{64}$/;

export const PERSON_NAME_MAX_LENGTH = 120;
export const VENUE_MAX_LENGTH = 200;
export const MEETING_REASON_MAX_LENGTH = 1000;
/** No musyawarah lists more people than this; a longer list is a mistake. */
export const MAX_PEOPLE_LISTED = 1000;

/** Length in characters (code points), not UTF-16 units. */
const lengthOf = (text: string): number => [...text].length;
const invalid = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('invalid', code, message, details);

/** An id that may end a stream name: 1 to 100 letters, digits, `_` or `-`, starting with a letter or digit. */
export function parseMeetingEntityId(input: string, field: string): string {
  if (typeof input !== 'string' || !ID.test(input)) {
    throw invalid(
      'INVALID_ID',
      `The ${field} must be 1 to 100 letters, digits, underscores or hyphens (a UUID fits).`,
      {
        field,
      },
    );
  }
  return input;
}

export function parseMeetingId(input: string): string {
  return parseMeetingEntityId(input, 'meetingId');
}

/** A village (kelurahan/desa) code, plain or dotted, returned in digits only. Throws `INVALID_VILLAGE_CODE`. */
export function parseVillageCode(input: string, field: string): string {
  let region;
  try {
    region = parseRegionCode(typeof input === 'string' ? input : '');
  } catch (error) {
    const why = error instanceof DomainError ? ` ${error.message}` : '';
    throw invalid('INVALID_VILLAGE_CODE', `A village code has 10 digits.${why}`, { field });
  }
  if (region.level !== 'village') {
    throw invalid('INVALID_VILLAGE_CODE', `A village code has 10 digits (got a ${region.level} code).`, { field });
  }
  return region.code;
}

/** An ISO 8601 date-time with an offset that names a real instant. Throws `INVALID_TIMESTAMP`. */
export function parseTimestamp(input: string, field: string): string {
  if (typeof input !== 'string' || !TIMESTAMP.test(input) || !realDate(input)) {
    throw invalid('INVALID_TIMESTAMP', `The ${field} must be an ISO 8601 date and time with an offset.`, { field });
  }
  return input;
}

function realDate(input: string): boolean {
  const [year, month, day] = input.slice(0, 10).split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const hours = Number(input.slice(11, 13));
  const minutes = Number(input.slice(14, 16));
  if (month < 1 || month > 12 || hours > 23 || minutes > 59) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day >= 1 && day <= daysInMonth && !Number.isNaN(Date.parse(input));
}

function parseText(input: string, maxLength: number): string | undefined {
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (lengthOf(text) < 1 || lengthOf(text) > maxLength || FORBIDDEN_IN_TEXT.test(text)) return undefined;
  return text;
}

/** A person's name: trimmed, 1 to 120 characters, no control characters. Throws `INVALID_NAME`. */
export function parsePersonName(input: string, field: string): string {
  const name = parseText(input, PERSON_NAME_MAX_LENGTH);
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
  const venue = parseText(input, VENUE_MAX_LENGTH);
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
  if (typeof input !== 'string') return parseMeetingReason('');
  const reason = input.trim();
  if (lengthOf(reason) < 1 || lengthOf(reason) > MEETING_REASON_MAX_LENGTH) {
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
  if (typeof input !== 'string' || !MINUTES_DIGEST.test(input)) {
    throw invalid(
      'INVALID_MINUTES_DIGEST',
      'The minutes digest is "sha256:" followed by 64 lowercase hexadecimal digits.',
      { field: 'minutesDigest' },
    );
  }
  return input;
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
