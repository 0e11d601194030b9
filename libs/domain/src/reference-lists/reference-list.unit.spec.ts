import type { Actor } from '../access/roles';
import { DomainError } from '../domain-error';
import { decideHousehold, evolveHousehold, initialHouseholdState, type HouseholdState } from '../households';
import type { HouseholdCommand, HouseholdEvent } from '../households';
import { identityFindings } from '../proposals/identity-check';
import { proposalDecider, type ProposalCommand } from '../proposals';
import {
  REFERENCE_MATCH,
  flagSeverity,
  initialReferenceImportState,
  referenceEvidence,
  referenceImportStreamName,
  referenceListDecider,
  type RecordReferenceImport,
  type RecordReferenceMatching,
  type ReferenceImportState,
  type ReferenceListEvent,
} from './index';

const AT = '2026-11-01T09:00:00+07:00';
const IMPORT = '0b5c6f8e-1d2a-4c3b-8e9f-112233445566';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const system: Actor = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' };
const nationalAdmin: Actor = { userId: 'u-kemensos', role: 'ADMIN', scope: 'NATIONAL' };
const provinceAdmin: Actor = { userId: 'u-province', role: 'ADMIN', scope: '35' };
const verifier: Actor = { userId: 'u-dinsos', role: 'VERIFIER', scope: '3515' };

const importCommand = (
  actor: Actor = system,
  data: Partial<RecordReferenceImport['data']> = {},
): RecordReferenceImport => ({
  type: 'RecordReferenceImport',
  data: {
    importId: IMPORT,
    source: 'BKN',
    fileName: 'bkn-2026-11.csv',
    fileDigest: DIGEST,
    rows: 10,
    accepted: 8,
    rejected: 2,
    ...data,
  },
  metadata: { actor, occurredAt: AT },
});

const matchingCommand = (
  actor: Actor = system,
  data: Partial<RecordReferenceMatching['data']> = {},
): RecordReferenceMatching => ({
  type: 'RecordReferenceMatching',
  data: {
    importId: IMPORT,
    matchedAt: AT,
    proposalMatches: 1,
    flagsRaised: 1,
    registryMatches: 2,
    removalProposalsOpened: 2,
    householdResultsRecorded: 0,
    ...data,
  },
  metadata: { actor, occurredAt: AT },
});

const fold = (events: ReferenceListEvent[]): ReferenceImportState =>
  events.reduce(referenceListDecider.evolve, initialReferenceImportState());

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('reference list imports (decider)', () => {
  it('records an import with its digest, counts, importer and time', () => {
    expect(referenceListDecider.decide(importCommand(), initialReferenceImportState())).toEqual([
      {
        type: 'ReferenceListImported',
        data: {
          importId: IMPORT,
          source: 'BKN',
          fileName: 'bkn-2026-11.csv',
          fileDigest: DIGEST,
          rows: 10,
          accepted: 8,
          rejected: 2,
          importedBy: 'system',
          importedAt: AT,
        },
      },
    ]);
    expect(referenceImportStreamName(IMPORT)).toBe(`reference-import-${IMPORT}`);
  });

  it('a national administrator imports; a province administrator and a verifier do not', () => {
    expect(referenceListDecider.decide(importCommand(nationalAdmin), initialReferenceImportState())).toHaveLength(1);
    expect(
      rejection(() => referenceListDecider.decide(importCommand(provinceAdmin), initialReferenceImportState())),
    ).toMatchObject({ kind: 'forbidden', code: 'OUTSIDE_SCOPE' });
    expect(
      rejection(() => referenceListDecider.decide(importCommand(verifier), initialReferenceImportState())),
    ).toMatchObject({ kind: 'forbidden', code: 'ROLE_NOT_ALLOWED' });
  });

  it('the same file again is DUPLICATE_IMPORT', () => {
    const state = fold(referenceListDecider.decide(importCommand(), initialReferenceImportState()));
    expect(rejection(() => referenceListDecider.decide(importCommand(), state))).toMatchObject({
      kind: 'conflict',
      code: 'DUPLICATE_IMPORT',
    });
  });

  it.each([
    ['source', { source: 'KPU' as 'BKN' }, 'INVALID_SOURCE'],
    ['digest', { fileDigest: 'md5:abc' }, 'INVALID_DIGEST'],
    ['file name', { fileName: '   ' }, 'INVALID_FILE_NAME'],
    ['negative count', { rows: -1, accepted: -1, rejected: 0 }, 'INVALID_COUNT'],
    ['counts that do not add up', { rows: 10, accepted: 5, rejected: 2 }, 'INVALID_COUNT'],
    ['import id', { importId: 'a:b' }, 'INVALID_ID'],
  ])('refuses an invalid %s', (_what, data, code) => {
    expect(
      rejection(() => referenceListDecider.decide(importCommand(system, data), initialReferenceImportState())),
    ).toMatchObject({ kind: 'invalid', code });
  });

  it('records the matching once, as SYSTEM only, for an existing import', () => {
    const imported = fold(referenceListDecider.decide(importCommand(), initialReferenceImportState()));
    const recorded = referenceListDecider.decide(matchingCommand(), imported);
    expect(recorded).toEqual([
      {
        type: 'ReferenceMatchingRecorded',
        data: {
          importId: IMPORT,
          matchedAt: AT,
          proposalMatches: 1,
          flagsRaised: 1,
          registryMatches: 2,
          removalProposalsOpened: 2,
          householdResultsRecorded: 0,
        },
      },
    ]);
    const matched = fold([...referenceListDecider.decide(importCommand(), initialReferenceImportState()), ...recorded]);
    expect(matched.status).toBe('matched');
    expect(referenceListDecider.decide(matchingCommand(), matched)).toEqual([]);
    expect(rejection(() => referenceListDecider.decide(matchingCommand(nationalAdmin), imported))).toMatchObject({
      code: 'ROLE_NOT_ALLOWED',
    });
    expect(
      rejection(() => referenceListDecider.decide(matchingCommand(), initialReferenceImportState())),
    ).toMatchObject({ kind: 'not_found', code: 'IMPORT_NOT_FOUND' });
    expect(
      rejection(() =>
        referenceListDecider.decide(
          matchingCommand(system, { importId: '0b5c6f8e-0000-4c3b-8e9f-112233445566' }),
          imported,
        ),
      ),
    ).toMatchObject({ code: 'IMPORT_ID_MISMATCH' });
    expect(
      rejection(() => referenceListDecider.decide(matchingCommand(system, { flagsRaised: 1.5 }), imported)),
    ).toMatchObject({ code: 'INVALID_COUNT' });
  });

  it('maps each list to its flag, removal reason and evidence kind', () => {
    expect(REFERENCE_MATCH.BKN).toEqual({
      flag: 'CIVIL_SERVANT_MATCH',
      reason: 'CIVIL_SERVANT',
      evidence: 'BKN_MATCH',
    });
    expect(REFERENCE_MATCH.DUKCAPIL_DEATHS.reason).toBe('DECEASED');
    expect(flagSeverity('DECEASED_MATCH')).toBe('BLOCKING');
    expect(flagSeverity('WAGE_MATCH')).toBe('WARNING');
    expect(referenceEvidence('BKN', '199001012020121001', 1)).toBe('anggota 2: BKN 199001012020121001');
  });
});

describe('identity check with reference-list hits', () => {
  it('raises one finding per flag code, naming the member and the reference, never the NIK', () => {
    const members = ['3515140508680001', '3515144508680002'].map((nik, i) => ({
      nik,
      name: `Warga ${i}`,
      sex: i === 0 ? ('M' as const) : ('F' as const),
      birthDate: '1968-08-05',
      relationship: i === 0 ? ('HEAD' as const) : ('SPOUSE' as const),
    }));
    const findings = identityFindings(
      'ADD',
      '3515142001',
      { household: { address: 'Jl. Uji', rt: '1', rw: '1', kkNumber: '3515140101100001', members } },
      {
        registryHousehold: [undefined, undefined],
        pendingProposal: [undefined, undefined],
        referenceMatches: [
          [{ code: 'CIVIL_SERVANT_MATCH', source: 'BKN', reference: 'NIP-1' }],
          [{ code: 'DECEASED_MATCH', source: 'DUKCAPIL_DEATHS', reference: 'AKTA-9' }],
        ],
      },
      2026,
    );
    expect(findings).toEqual([
      { code: 'CIVIL_SERVANT_MATCH', severity: 'BLOCKING', evidence: 'anggota 1: BKN NIP-1' },
      { code: 'DECEASED_MATCH', severity: 'BLOCKING', evidence: 'anggota 2: DUKCAPIL_DEATHS AKTA-9' },
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/\d{16}/);
  });
});

describe('CROSS_CHECK removals opened by the system', () => {
  const submit = (channel: 'CROSS_CHECK' | 'RT_RW', kind: 'REMOVE' | 'ADD' = 'REMOVE'): ProposalCommand => ({
    type: 'SubmitProposal',
    data: {
      proposalId: 'p-cross-1',
      kind,
      villageCode: '3515142001',
      channel,
      householdId: 'hh-1',
      removal: { reason: 'CIVIL_SERVANT', evidence: [{ kind: 'BKN_MATCH', reference: 'NIP-1' }] },
    },
    metadata: { actor: system, occurredAt: AT },
  });

  it('SYSTEM may submit a REMOVE on channel CROSS_CHECK', () => {
    expect(proposalDecider.decide(submit('CROSS_CHECK'), proposalDecider.initialState())).toMatchObject([
      { type: 'ProposalSubmitted', data: { kind: 'REMOVE', channel: 'CROSS_CHECK', submittedBy: 'system' } },
    ]);
  });

  it('SYSTEM may not submit on another channel, nor another kind', () => {
    expect(rejection(() => proposalDecider.decide(submit('RT_RW'), proposalDecider.initialState()))).toMatchObject({
      kind: 'forbidden',
    });
    expect(
      rejection(() => proposalDecider.decide(submit('CROSS_CHECK', 'ADD'), proposalDecider.initialState())),
    ).toMatchObject({ kind: 'forbidden' });
  });
});

describe('Dukcapil results on a household', () => {
  const HH = '5f0c5a3e-8f1d-4c2a-9e57-3a1f2b4c5d6e';
  const M1 = 'member-1';
  const enrolled: HouseholdState = (() => {
    const enrol: HouseholdCommand = {
      type: 'EnrolHousehold',
      data: {
        householdId: HH,
        source: 'BASELINE_IMPORT',
        importId: 'import-1',
        villageCode: '3515142001',
        address: 'Jl. Uji',
        rt: '1',
        rw: '1',
        kkNumber: '3515140101100001',
        members: [
          {
            memberId: M1,
            nik: '3515140508680001',
            name: 'Warga',
            sex: 'M',
            birthDate: '1968-08-05',
            relationship: 'HEAD',
          },
        ],
      },
      metadata: { actor: system, occurredAt: AT },
    };
    return decideHousehold(enrol, initialHouseholdState()).reduce(evolveHousehold, initialHouseholdState());
  })();
  const record = (
    actor: Actor = system,
    data: Partial<{ memberId: string; result: 'PADAN' | 'TIDAK_PADAN'; reference: string }> = {},
  ): HouseholdCommand => ({
    type: 'RecordDukcapilResult',
    data: { householdId: HH, memberId: M1, result: 'TIDAK_PADAN', reference: 'DKC-1', importId: IMPORT, ...data },
    metadata: { actor, occurredAt: AT },
  });

  it('records the result of an active member, once', () => {
    const events = decideHousehold(record(), enrolled);
    expect(events).toEqual([
      {
        type: 'DukcapilMatchRecorded',
        data: { memberId: M1, result: 'TIDAK_PADAN', reference: 'DKC-1', importId: IMPORT },
      },
    ]);
    const after = events.reduce<HouseholdState>((s, e: HouseholdEvent) => evolveHousehold(s, e), enrolled);
    expect(after.dukcapil).toEqual({ [M1]: { result: 'TIDAK_PADAN', reference: 'DKC-1' } });
    expect(decideHousehold(record(), after)).toEqual([]);
    // A later, different result is recorded.
    expect(decideHousehold(record(system, { result: 'PADAN', reference: 'DKC-2' }), after)).toHaveLength(1);
  });

  it('refuses a non-system actor, an unknown member or household, and a bad result', () => {
    expect(rejection(() => decideHousehold(record(nationalAdmin), enrolled))).toMatchObject({
      code: 'ROLE_NOT_ALLOWED',
    });
    expect(rejection(() => decideHousehold(record(system, { memberId: 'member-9' }), enrolled))).toMatchObject({
      code: 'MEMBER_NOT_FOUND',
    });
    expect(rejection(() => decideHousehold(record(), initialHouseholdState()))).toMatchObject({
      code: 'HOUSEHOLD_NOT_FOUND',
    });
    expect(rejection(() => decideHousehold(record(system, { result: 'MAYBE' as 'PADAN' }), enrolled))).toMatchObject({
      code: 'INVALID_RESULT',
    });
    expect(rejection(() => decideHousehold(record(system, { reference: '' }), enrolled))).toMatchObject({
      code: 'INVALID_REFERENCE',
    });
  });
});
