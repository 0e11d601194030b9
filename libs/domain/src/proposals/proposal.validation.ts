import { DomainError } from '../domain-error';
import { isStructurallyValidNik, parseKkNumber, parseRemovalReason, assertRemovalEvidence } from '../identity';
import { parseIsoDate } from '../identity/civil-date';
import { parseRegionCode } from '../regions/region-code';
import { FORBIDDEN_IN_TEXT, invalid, isSha256Digest, trimmedText } from '../shared/fields';
import { parseId } from '../users/user.validation';
import {
  RELATIONSHIPS,
  SEXES,
  type ProposalContent,
  type ProposalKind,
  type ProposedHousehold,
  type ProposedMember,
  type RemovalRequest,
} from './proposal.commands';

/** Notes may span lines. */
const FORBIDDEN_IN_NOTES = /[\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]|(?![\t\n\r])\p{Cc}/u;
const RT_RW = /^[0-9]{1,3}$/;
const NIK_SHAPE = /^[0-9]{16}$/;
const TIMESTAMP =
  /^([0-9]{4}-[0-9]{2}-[0-9]{2})(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$/;

export const TEXT_MAX_LENGTH = 500;
export const NOTES_MAX_LENGTH = 2000;
export const MAX_MEMBERS = 30;
export const MAX_EVIDENCE_DIGESTS = 50;

/** Trimmed text of 1 to `max` characters without control characters; else DomainError invalid `code`. */
export function parseText(input: unknown, field: string, code: string, max = TEXT_MAX_LENGTH): string {
  const text = trimmedText(input, max, max > TEXT_MAX_LENGTH ? FORBIDDEN_IN_NOTES : FORBIDDEN_IN_TEXT);
  if (text === undefined) {
    throw invalid(code, `The ${field} must have 1 to ${max} characters (after trimming) and no control characters.`, {
      field,
    });
  }
  return text;
}

/** `value` when it is one of `allowed`; else DomainError invalid `code`. */
export function parseOneOf<T extends string>(allowed: readonly T[], input: unknown, field: string, code: string): T {
  if (typeof input !== 'string' || !(allowed as readonly string[]).includes(input)) {
    throw invalid(code, `The ${field} must be one of ${allowed.join(', ')}.`, { field });
  }
  return input as T;
}

/** A village code (10 digits, dots allowed), returned in digits only. Throws `INVALID_VILLAGE_CODE`. */
export function parseVillageCode(input: unknown, field: string): string {
  try {
    const region = parseRegionCode(typeof input === 'string' ? input : '');
    if (region.level === 'village') return region.code;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
  }
  throw invalid('INVALID_VILLAGE_CODE', `The ${field} must be a village code (10 digits).`, { field });
}

/** ISO 8601: a calendar date, optionally with a time and an offset (`Z` or `+07:00`). Throws `INVALID_TIMESTAMP`. */
export function parseTimestamp(input: unknown, field: string): string {
  const text = typeof input === 'string' ? input : '';
  const match = TIMESTAMP.exec(text);
  if (match === null || parseIsoDate(match[1] ?? '') === undefined) {
    throw invalid('INVALID_TIMESTAMP', `The ${field} must be an ISO 8601 date or date-time.`, { field });
  }
  return text;
}

function parseMember(input: ProposedMember, index: number | 'memberToAdd'): ProposedMember {
  const at = (name: string) => (index === 'memberToAdd' ? `memberToAdd.${name}` : `members[${index}].${name}`);
  const nik = typeof input.nik === 'string' ? input.nik.trim() : '';
  if (nik !== '' && !NIK_SHAPE.test(nik)) {
    throw invalid('MEMBER_NIK_MALFORMED', 'A member NIK is 16 digits, or left empty when the member has none.', {
      field: at('nik'),
    });
  }
  const name = parseText(input.name, at('name'), 'INVALID_MEMBER_NAME', 120);
  const sex = parseOneOf(SEXES, input.sex, at('sex'), 'INVALID_SEX');
  if (typeof input.birthDate !== 'string' || parseIsoDate(input.birthDate) === undefined) {
    throw invalid('INVALID_BIRTH_DATE', 'A birth date is a calendar date written YYYY-MM-DD.', {
      field: at('birthDate'),
    });
  }
  const relationship = parseOneOf(RELATIONSHIPS, input.relationship, at('relationship'), 'INVALID_RELATIONSHIP');
  return { nik, name, sex, birthDate: input.birthDate, relationship };
}

function parseHousehold(input: ProposedHousehold | undefined): ProposedHousehold {
  if (input === undefined) {
    throw invalid('HOUSEHOLD_REQUIRED', 'An ADD proposal describes the household to enrol.', { field: 'household' });
  }
  const address = parseText(input.address, 'household.address', 'INVALID_ADDRESS');
  for (const field of ['rt', 'rw'] as const) {
    if (typeof input[field] !== 'string' || !RT_RW.test(input[field])) {
      throw invalid('INVALID_RT_RW', 'RT and RW are 1 to 3 digits each.', { field: `household.${field}` });
    }
  }
  const { kkNumber } = parseKkNumber(typeof input.kkNumber === 'string' ? input.kkNumber : '');
  const given = Array.isArray(input.members) ? input.members : [];
  if (given.length > MAX_MEMBERS) {
    throw invalid('TOO_MANY_MEMBERS', `A household has at most ${MAX_MEMBERS} members.`, {
      field: 'household.members',
    });
  }
  const members = given.map(parseMember);
  if (!members.some((member) => isStructurallyValidNik(member.nik))) {
    throw invalid(
      'ADD_NEEDS_VALID_MEMBER',
      'An ADD proposal needs at least one member with a structurally valid NIK.',
      {
        field: 'household.members',
      },
    );
  }
  return { address, rt: input.rt, rw: input.rw, kkNumber, members };
}

function parseChanges(input: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  const entries = input === undefined || input === null ? [] : Object.entries(input);
  if (entries.length === 0) {
    throw invalid('CHANGES_REQUIRED', 'A CORRECT proposal names at least one change.', { field: 'changes' });
  }
  const changes: Record<string, string> = {};
  for (const [field, value] of entries) {
    if (!/^[A-Za-z][A-Za-z0-9_.[\]]{0,99}$/.test(field)) {
      throw invalid('INVALID_CHANGE', 'A change names a field by letters, digits, dots, brackets or underscores.', {
        field: 'changes',
      });
    }
    changes[field] = parseText(value, 'changes', 'INVALID_CHANGE');
  }
  return changes;
}

function parseRemoval(input: RemovalRequest | undefined): RemovalRequest {
  if (input === undefined) {
    throw invalid('REMOVAL_REQUIRED', 'A REMOVE proposal gives a removal reason and its evidence.', {
      field: 'removal',
    });
  }
  const reason = parseRemovalReason(input.reason);
  const evidence = Array.isArray(input.evidence) ? input.evidence : [];
  assertRemovalEvidence(reason, evidence);
  if (input.memberId === undefined) {
    if (input.newHeadMemberId !== undefined) {
      throw invalid('NEW_HEAD_NOT_ALLOWED', 'A new HEAD is named only when one member leaves.', {
        field: 'removal.newHeadMemberId',
      });
    }
    return { reason, evidence };
  }
  const memberId = parseId(input.memberId, 'removal.memberId');
  if (input.newHeadMemberId === undefined) return { reason, evidence, memberId };
  const newHeadMemberId = parseId(input.newHeadMemberId, 'removal.newHeadMemberId');
  if (newHeadMemberId === memberId) {
    throw invalid('NEW_HEAD_INVALID', 'The new HEAD is another member than the one who leaves.', {
      field: 'removal.newHeadMemberId',
    });
  }
  return { reason, evidence, memberId, newHeadMemberId };
}

/** Fields of the registry entry that a CORRECT changes (HouseholdCorrected). */
const REGISTRY_CHANGE_FIELDS = ['address', 'rt', 'rw', 'kkNumber'];

function parseMemberToAdd(input: ProposedMember, changes: Readonly<Record<string, string>>): ProposedMember {
  const member = parseMember(input, 'memberToAdd');
  if (!isStructurallyValidNik(member.nik)) {
    throw invalid('MEMBER_NIK_INVALID', 'A member who joins the registry needs a structurally valid NIK.', {
      field: 'memberToAdd.nik',
    });
  }
  if (member.relationship === 'HEAD') {
    throw invalid('HEAD_EXISTS', 'A member joins a registered household in another relationship than HEAD.', {
      field: 'memberToAdd.relationship',
    });
  }
  // One proposal applies once to a household, so it either corrects the entry or adds a member, not both.
  if (Object.keys(changes).some((field) => REGISTRY_CHANGE_FIELDS.includes(field))) {
    throw invalid('MIXED_CORRECTION', 'A correction that adds a member changes no address, RT, RW or KK number.', {
      field: 'changes',
    });
  }
  return member;
}

function parseDigests(input: readonly string[] | undefined): readonly string[] | undefined {
  if (input === undefined) return undefined;
  const digests: readonly unknown[] = Array.isArray(input) ? input : [''];
  if (digests.length > MAX_EVIDENCE_DIGESTS || digests.some((d) => !isSha256Digest(d))) {
    throw invalid(
      'INVALID_DIGEST',
      `Evidence digests are at most ${MAX_EVIDENCE_DIGESTS} values written sha256:<64 lowercase hex>.`,
      { field: 'evidenceDigests' },
    );
  }
  return [...input];
}

/** Which content fields each kind needs (required) and may carry (allowed). */
const CONTENT_RULES: Readonly<
  Record<ProposalKind, { readonly required: readonly (keyof ProposalContent)[]; readonly allowed: readonly string[] }>
> = {
  ADD: { required: ['household'], allowed: ['household', 'linkedProposalId', 'evidenceDigests'] },
  CORRECT: {
    required: ['householdId', 'changes'],
    allowed: ['householdId', 'changes', 'memberToAdd', 'evidenceDigests'],
  },
  REMOVE: {
    required: ['householdId', 'removal'],
    allowed: ['householdId', 'removal', 'linkedProposalId', 'evidenceDigests'],
  },
  RELOCATE: {
    required: ['householdId', 'targetVillageCode'],
    allowed: ['householdId', 'targetVillageCode', 'evidenceDigests'],
  },
};

const CONTENT_FIELDS = [
  'householdId',
  'household',
  'changes',
  'removal',
  'targetVillageCode',
  'memberToAdd',
  'linkedProposalId',
  'evidenceDigests',
] as const satisfies readonly (keyof ProposalContent)[];

/**
 * Checks and normalises what a proposal of `kind` in `villageCode` asks (at submission and at each amendment):
 * - a field the kind does not use: `FIELD_NOT_ALLOWED`; `householdId` missing (CORRECT, REMOVE, RELOCATE):
 *   `HOUSEHOLD_ID_REQUIRED`;
 * - ADD: `HOUSEHOLD_REQUIRED`, `INVALID_ADDRESS`, `INVALID_RT_RW`, `KK_INVALID`, member checks, and at least one
 *   member with a structurally valid NIK (`ADD_NEEDS_VALID_MEMBER`);
 * - CORRECT: `CHANGES_REQUIRED`, `memberToAdd` (`MEMBER_NIK_INVALID`, `HEAD_EXISTS`, `MIXED_CORRECTION`); REMOVE: `REMOVAL_REQUIRED`, `INVALID_REMOVAL_REASON`, `REMOVAL_EVIDENCE_MISSING`,
 *   `removal.memberId`/`newHeadMemberId` (`INVALID_ID`, `NEW_HEAD_NOT_ALLOWED`, `NEW_HEAD_INVALID`);
 * - RELOCATE: `INVALID_VILLAGE_CODE`, `SAME_VILLAGE`; a link to itself: `LINK_TO_SELF`; digests `INVALID_DIGEST`.
 */
export function parseContent(
  kind: ProposalKind,
  villageCode: string,
  proposalId: string,
  input: ProposalContent,
): ProposalContent {
  const rules = CONTENT_RULES[kind];
  for (const field of CONTENT_FIELDS) {
    if (input[field] !== undefined && !rules.allowed.includes(field)) {
      throw invalid('FIELD_NOT_ALLOWED', `A ${kind} proposal does not carry ${field}.`, { field, kind });
    }
  }
  const content: { -readonly [K in keyof ProposalContent]: ProposalContent[K] } = {};
  if (rules.required.includes('householdId')) {
    if (input.householdId === undefined) {
      throw invalid('HOUSEHOLD_ID_REQUIRED', `A ${kind} proposal names the registered household.`, {
        field: 'householdId',
        kind,
      });
    }
    content.householdId = parseId(input.householdId, 'householdId');
  }
  switch (kind) {
    case 'ADD':
      content.household = parseHousehold(input.household);
      break;
    case 'CORRECT':
      content.changes = parseChanges(input.changes);
      if (input.memberToAdd !== undefined) content.memberToAdd = parseMemberToAdd(input.memberToAdd, content.changes);
      break;
    case 'REMOVE':
      content.removal = parseRemoval(input.removal);
      break;
    case 'RELOCATE': {
      const target = parseVillageCode(input.targetVillageCode, 'targetVillageCode');
      if (target === villageCode) {
        throw invalid('SAME_VILLAGE', 'A relocation moves the household to a different village.', {
          field: 'targetVillageCode',
        });
      }
      content.targetVillageCode = target;
      break;
    }
    default: {
      const _exhaustive: never = kind;
      break;
    }
  }
  if (input.linkedProposalId !== undefined) {
    const linked = parseId(input.linkedProposalId, 'linkedProposalId');
    if (linked === proposalId) {
      throw invalid('LINK_TO_SELF', 'A proposal may not be linked to itself.', { field: 'linkedProposalId' });
    }
    content.linkedProposalId = linked;
  }
  const digests = parseDigests(input.evidenceDigests);
  if (digests !== undefined) content.evidenceDigests = digests;
  return content;
}
