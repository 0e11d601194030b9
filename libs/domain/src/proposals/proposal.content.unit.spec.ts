import { DomainError } from '../domain-error';
import type { ProposalContent, ProposedMember } from './proposal.commands';
import { parseContent } from './proposal.validation';

const VILLAGE = '3515142001';
const ID = 'p-1';
const deathCertificate = { kind: 'DEATH_CERTIFICATE', digest: `sha256:${'a'.repeat(64)}` } as const;
const baby: ProposedMember = {
  nik: '3515145502250003',
  name: 'Bayi Contoh',
  sex: 'F',
  birthDate: '2025-02-15',
  relationship: 'CHILD',
};

function codeOf(kind: Parameters<typeof parseContent>[0], content: ProposalContent): string | undefined {
  try {
    parseContent(kind, VILLAGE, ID, content);
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('REMOVE naming one member (removal.memberId)', () => {
  const removal = (extra: object) => ({
    householdId: 'hh-1',
    removal: { reason: 'DECEASED' as const, evidence: [deathCertificate], ...extra },
  });

  it('keeps the member and the new head', () => {
    expect(parseContent('REMOVE', VILLAGE, ID, removal({ memberId: 'm-1', newHeadMemberId: 'm-2' })).removal).toEqual({
      reason: 'DECEASED',
      evidence: [deathCertificate],
      memberId: 'm-1',
      newHeadMemberId: 'm-2',
    });
    expect(parseContent('REMOVE', VILLAGE, ID, removal({ memberId: 'm-1' })).removal).toEqual({
      reason: 'DECEASED',
      evidence: [deathCertificate],
      memberId: 'm-1',
    });
  });

  it('without a member it removes the household, as before', () => {
    expect(parseContent('REMOVE', VILLAGE, ID, removal({})).removal).toEqual({
      reason: 'DECEASED',
      evidence: [deathCertificate],
    });
  });

  it.each([
    ['a new head without a member', { newHeadMemberId: 'm-2' }, 'NEW_HEAD_NOT_ALLOWED'],
    ['the same member as new head', { memberId: 'm-1', newHeadMemberId: 'm-1' }, 'NEW_HEAD_INVALID'],
    ['an unfit member id', { memberId: 'a:b' }, 'INVALID_ID'],
  ])('refuses %s', (_what, extra, code) => {
    expect(codeOf('REMOVE', removal(extra))).toBe(code);
  });
});

describe('CORRECT adding a member (memberToAdd)', () => {
  const correct = (member: Partial<ProposedMember>, changes: Record<string, string> = { members: 'birth' }) => ({
    householdId: 'hh-1',
    changes,
    memberToAdd: { ...baby, ...member },
  });

  it('keeps the member to add', () => {
    expect(parseContent('CORRECT', VILLAGE, ID, correct({})).memberToAdd).toEqual(baby);
  });

  it.each([
    ['an empty NIK', { nik: '' }, undefined, 'MEMBER_NIK_INVALID'],
    ['a malformed NIK', { nik: '123' }, undefined, 'MEMBER_NIK_MALFORMED'],
    ['a second HEAD', { relationship: 'HEAD' as const }, undefined, 'HEAD_EXISTS'],
    ['a bad sex', { sex: 'X' as 'M' }, undefined, 'INVALID_SEX'],
    ['registry fields beside it', {}, { address: 'Jl. Baru 1' }, 'MIXED_CORRECTION'],
  ])('refuses %s', (_what, member, changes, code) => {
    expect(codeOf('CORRECT', correct(member, changes))).toBe(code);
  });

  it('is not allowed on other kinds', () => {
    expect(codeOf('REMOVE', { householdId: 'hh-1', memberToAdd: baby })).toBe('FIELD_NOT_ALLOWED');
  });
});
