import { DomainError } from '../domain-error';
import { parseKkNumber, parseNik } from '../identity';
import { parseIsoDate } from '../identity/civil-date';
import { RELATIONSHIPS, SEXES } from '../proposals/proposal.commands';
import { MAX_MEMBERS, parseOneOf, parseText } from '../proposals/proposal.validation';
import { parseId } from '../users/user.validation';
import type { HouseholdMemberInput } from './household.commands';
import type { HouseholdMember } from './household.events';

const RT_RW = /^[0-9]{1,3}$/;
export const MEMBER_NAME_MAX_LENGTH = 120;

const invalid = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('invalid', code, message, details);

/** RT or RW: 1 to 3 digits. Throws `INVALID_RT_RW`. */
export function parseRtRw(input: unknown, field: string): string {
  if (typeof input !== 'string' || !RT_RW.test(input)) {
    throw invalid('INVALID_RT_RW', 'RT and RW are 1 to 3 digits each.', { field });
  }
  return input;
}

/** An address line. Throws `INVALID_ADDRESS`. */
export function parseAddress(input: unknown, field = 'address'): string {
  return parseText(input, field, 'INVALID_ADDRESS');
}

/** A KK number (trimmed). Throws `KK_INVALID` with the field; the message never echoes the number. */
export function parseHouseholdKk(input: unknown, field = 'kkNumber'): string {
  try {
    return parseKkNumber(typeof input === 'string' ? input : '').kkNumber;
  } catch (error) {
    if (error instanceof DomainError)
      throw new DomainError(error.kind, error.code, error.message, { ...error.details, field });
    throw error;
  }
}

/**
 * One member, at `field` (e.g. `members[2]`, `member`). The NIK must be structurally valid (parseNik): else
 * `NIK_INVALID` with the field, the member index (when in a list) and the rejection reason, never the NIK itself.
 * Also `INVALID_ID`, `INVALID_MEMBER_NAME`, `INVALID_SEX`, `INVALID_BIRTH_DATE`, `INVALID_RELATIONSHIP`.
 */
export function parseMember(input: HouseholdMemberInput, field: string, index?: number): HouseholdMember {
  const at = (name: string) => `${field}.${name}`;
  const where: Record<string, number> = index === undefined ? {} : { index };
  const memberId = parseId(input.memberId, at('memberId'));
  let nik: string;
  try {
    nik = parseNik(typeof input.nik === 'string' ? input.nik : '').nik;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    throw invalid('NIK_INVALID', 'A member NIK is not structurally valid.', {
      field: at('nik'),
      ...where,
      reason: String(error.details?.['reason'] ?? 'NOT_16_DIGITS'),
    });
  }
  const name = parseText(input.name, at('name'), 'INVALID_MEMBER_NAME', MEMBER_NAME_MAX_LENGTH);
  const sex = parseOneOf(SEXES, input.sex, at('sex'), 'INVALID_SEX');
  if (typeof input.birthDate !== 'string' || parseIsoDate(input.birthDate) === undefined) {
    throw invalid('INVALID_BIRTH_DATE', 'A birth date is a calendar date written YYYY-MM-DD.', {
      field: at('birthDate'),
      ...where,
    });
  }
  const relationship = parseOneOf(RELATIONSHIPS, input.relationship, at('relationship'), 'INVALID_RELATIONSHIP');
  return { memberId, nik, name, sex, birthDate: input.birthDate, relationship };
}

/**
 * The members of a new household: 1 to MAX_MEMBERS (`MEMBERS_REQUIRED`, `TOO_MANY_MEMBERS`), each valid
 * (parseMember), member ids and NIKs unique (`DUPLICATE_MEMBER` with the index of the second occurrence), and
 * exactly one HEAD (`HEAD_REQUIRED`, `MORE_THAN_ONE_HEAD`).
 */
export function parseMembers(input: readonly HouseholdMemberInput[] | undefined): readonly HouseholdMember[] {
  const given = Array.isArray(input) ? input : [];
  if (given.length === 0) {
    throw invalid('MEMBERS_REQUIRED', 'A household has at least one member.', { field: 'members' });
  }
  if (given.length > MAX_MEMBERS) {
    throw invalid('TOO_MANY_MEMBERS', `A household has at most ${MAX_MEMBERS} members.`, { field: 'members' });
  }
  const members = given.map((member: HouseholdMemberInput, index) => parseMember(member, `members[${index}]`, index));
  members.forEach((member, index) => {
    const earlier = members.slice(0, index);
    if (earlier.some((other) => other.memberId === member.memberId || other.nik === member.nik)) {
      throw invalid('DUPLICATE_MEMBER', 'Two members share a member id or a NIK.', {
        field: `members[${index}]`,
        index,
      });
    }
  });
  const heads = members.filter((member) => member.relationship === 'HEAD').length;
  if (heads === 0) throw invalid('HEAD_REQUIRED', 'A household has exactly one HEAD.', { field: 'members' });
  if (heads > 1) throw invalid('MORE_THAN_ONE_HEAD', 'A household has exactly one HEAD.', { field: 'members' });
  return members;
}
