import type { Actor } from '../access/roles';
import { DomainError } from '../domain-error';
import { identityFindings, membersToCheck } from './identity-check';
import type { IdentityFinding, ProposalCommand, ProposalContent, ProposedMember } from './proposal.commands';
import { IDENTITY_CHECK_SOURCE, decide, evolve, initialState, type ProposalState } from './proposal.decider';
import type { ProposalEvent } from './proposal.events';

const ID = '7d0c5a3e-8f1d-4c2a-9e57-3a1f2b4c5d6e';
const CONTENT_EVENT = '1b8e7f10-0000-4000-8000-000000000001';
const AMEND_EVENT = '1b8e7f10-0000-4000-8000-000000000002';
const VILLAGE = '3515142001';
const AT = '2026-11-02T09:00:00+07:00';
const system: Actor = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: '3515' };

/** Born 1968-08-05, a man, first issued in district 351514 (the village's). */
const person = (overrides: Partial<ProposedMember> = {}): ProposedMember => ({
  nik: '3515140508680001',
  name: 'Warga Sintetis',
  sex: 'M',
  birthDate: '1968-08-05',
  relationship: 'HEAD',
  ...overrides,
});
const addContent = (...members: ProposedMember[]): ProposalContent => ({
  household: { address: 'Jl. Uji 1', rt: '001', rw: '001', kkNumber: '3515140101100001', members },
});
const none = { registryHousehold: [], pendingProposal: [] };

describe('identityFindings (pure)', () => {
  it('a clean ADD has no findings', () => {
    expect(identityFindings('ADD', VILLAGE, addContent(person()), none, 2026)).toEqual([]);
  });

  it('structure doubts become warnings naming the member by position, never the NIK', () => {
    const findings = identityFindings(
      'ADD',
      '3578012001', // another district: the NIK was issued elsewhere
      addContent(person(), person({ nik: '3515144508680002', sex: 'M', birthDate: '1968-08-06' })),
      none,
      2026,
    );
    expect(findings).toEqual<IdentityFinding[]>([
      { code: 'NIK_REGION_DIFFERS', severity: 'WARNING', evidence: 'anggota 1; anggota 2' },
      { code: 'NIK_BIRTHDATE_MISMATCH', severity: 'WARNING', evidence: 'anggota 2' },
      { code: 'NIK_SEX_MISMATCH', severity: 'WARNING', evidence: 'anggota 2' },
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/\d{16}|1968/);
  });

  it('a NIK on the registry blocks an ADD; one in another pending proposal warns', () => {
    const findings = identityFindings(
      'ADD',
      VILLAGE,
      addContent(person(), person({ nik: '3515140508680003' })),
      { registryHousehold: ['hh-9', undefined], pendingProposal: [undefined, 'p-7'] },
      2026,
    );
    expect(findings).toEqual<IdentityFinding[]>([
      { code: 'NIK_IN_REGISTRY', severity: 'BLOCKING', evidence: 'anggota 1: keluarga hh-9' },
      { code: 'NIK_IN_PENDING_PROPOSAL', severity: 'WARNING', evidence: 'anggota 2: usulan p-7' },
    ]);
  });

  it('a CORRECT checks only its member to add, and the registry match does not apply to it', () => {
    const content: ProposalContent = { householdId: 'hh-1', changes: { members: 'kelahiran' }, memberToAdd: person() };
    expect(membersToCheck('CORRECT', content)).toEqual([person()]);
    expect(identityFindings('CORRECT', VILLAGE, content, { registryHousehold: ['hh-1'], pendingProposal: [] })).toEqual(
      [],
    );
    expect(membersToCheck('REMOVE', { householdId: 'hh-1' })).toEqual([]);
    expect(membersToCheck('RELOCATE', { householdId: 'hh-1' })).toEqual([]);
  });

  it('a structurally invalid NIK (written before the rule) is a blocking NIK_INVALID', () => {
    expect(identityFindings('ADD', VILLAGE, addContent(person({ nik: '0015140508680001' })), none)).toEqual([
      { code: 'NIK_INVALID', severity: 'BLOCKING', evidence: 'anggota 1' },
    ]);
  });

  it('evidence stays within 500 characters and says how many were left out', () => {
    const members = Array.from({ length: 30 }, (_, i) => person({ nik: `35151405086800${String(i + 10)}` }));
    const registry = members.map((_, i) => `c0ffee00-0000-4000-8000-0000000000${String(i + 10)}`);
    const [finding] = identityFindings('ADD', VILLAGE, addContent(...members), {
      registryHousehold: registry,
      pendingProposal: [],
    });
    expect(finding!.evidence.length).toBeLessThanOrEqual(500);
    expect(finding!.evidence).toMatch(/; dan \d+ lainnya$/);
  });
});

describe('RecordIdentityCheck (decider)', () => {
  const submitted: ProposalEvent = {
    type: 'ProposalSubmitted',
    data: {
      proposalId: ID,
      kind: 'ADD',
      villageCode: VILLAGE,
      channel: 'RT_RW',
      ...addContent(person()),
      submittedBy: 'u-operator',
      submittedAt: AT,
    },
  };
  const given = (...events: ProposalEvent[]): ProposalState => events.reduce(evolve, initialState());
  const check = (
    findings: IdentityFinding[],
    actor: Actor = system,
    contentEventId = CONTENT_EVENT,
  ): ProposalCommand => ({
    type: 'RecordIdentityCheck',
    data: { proposalId: ID, contentEventId, checkedAt: AT, findings },
    metadata: { actor, occurredAt: AT },
  });
  const registryMatch: IdentityFinding = { code: 'NIK_IN_REGISTRY', severity: 'BLOCKING', evidence: 'anggota 1' };
  const regionDiffers: IdentityFinding = { code: 'NIK_REGION_DIFFERS', severity: 'WARNING', evidence: 'anggota 1' };
  const rejection = (state: ProposalState, command: ProposalCommand) => {
    try {
      decide(command, state);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      return { kind: (error as DomainError).kind, code: (error as DomainError).code };
    }
    throw new Error('expected a rejection');
  };

  it('raises a flag per finding, then records the check with the codes it raised', () => {
    expect(decide(check([registryMatch, regionDiffers]), given(submitted))).toEqual<ProposalEvent[]>([
      { type: 'FlagRaised', data: { ...registryMatch, source: IDENTITY_CHECK_SOURCE } },
      { type: 'FlagRaised', data: { ...regionDiffers, source: IDENTITY_CHECK_SOURCE } },
      {
        type: 'IdentityChecked',
        data: { contentEventId: CONTENT_EVENT, checkedAt: AT, flagCodes: ['NIK_IN_REGISTRY', 'NIK_REGION_DIFFERS'] },
      },
    ]);
  });

  it('a check that finds nothing is recorded too', () => {
    expect(decide(check([]), given(submitted))).toEqual([
      { type: 'IdentityChecked', data: { contentEventId: CONTENT_EVENT, checkedAt: AT, flagCodes: [] } },
    ]);
  });

  it('the same content checked twice records nothing the second time (a retried job)', () => {
    const first = decide(check([registryMatch]), given(submitted));
    expect(decide(check([registryMatch]), given(submitted, ...first))).toEqual([]);
    expect(given(submitted, ...first).identityChecked).toEqual([CONTENT_EVENT]);
  });

  it('an amended content is checked again; a flag still open is not raised twice', () => {
    const first = decide(check([registryMatch]), given(submitted));
    const amended: ProposalEvent = { type: 'ProposalAmended', data: addContent(person()) };
    expect(decide(check([registryMatch], system, AMEND_EVENT), given(submitted, ...first, amended))).toEqual([
      { type: 'IdentityChecked', data: { contentEventId: AMEND_EVENT, checkedAt: AT, flagCodes: [] } },
    ]);
  });

  it('only the system records a check: ROLE_NOT_ALLOWED', () => {
    expect(rejection(given(submitted), check([], verifier))).toEqual({ kind: 'forbidden', code: 'ROLE_NOT_ALLOWED' });
  });

  it('a closed proposal takes no check: PROPOSAL_CLOSED', () => {
    const withdrawn: ProposalEvent = { type: 'ProposalWithdrawn', data: { reason: 'Ganda' } };
    expect(rejection(given(submitted, withdrawn), check([]))).toEqual({ kind: 'conflict', code: 'PROPOSAL_CLOSED' });
  });

  it('an unknown proposal: PROPOSAL_NOT_FOUND; bad input: INVALID_*', () => {
    expect(rejection(initialState(), check([]))).toEqual({ kind: 'not_found', code: 'PROPOSAL_NOT_FOUND' });
    expect(rejection(given(submitted), check([], system, 'not an id'))).toEqual({
      kind: 'invalid',
      code: 'INVALID_ID',
    });
    const bad = { ...registryMatch, code: 'NOPE' } as unknown as IdentityFinding;
    expect(rejection(given(submitted), check([bad]))).toEqual({ kind: 'invalid', code: 'INVALID_FLAG_CODE' });
    const empty = { ...registryMatch, evidence: ' ' };
    expect(rejection(given(submitted), check([empty]))).toEqual({ kind: 'invalid', code: 'INVALID_FLAG_EVIDENCE' });
    const late: ProposalCommand = {
      type: 'RecordIdentityCheck',
      data: { proposalId: ID, contentEventId: CONTENT_EVENT, checkedAt: 'yesterday', findings: [] },
      metadata: { actor: system, occurredAt: AT },
    };
    expect(rejection(given(submitted), late).kind).toBe('invalid');
  });
});
