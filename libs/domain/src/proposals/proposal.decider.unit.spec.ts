import fc from 'fast-check';
import type { Actor } from '../access/roles';
import { DomainError, type DomainErrorKind } from '../domain-error';
import type { EvidenceItem } from '../identity';
import type {
  DeliberateProposal,
  FieldVisitOutcome,
  FlagCode,
  FlagSeverity,
  ProposalCommand,
  ProposalContent,
  ProposalKind,
  ProposedHousehold,
  ProposedMember,
  VillageDecision,
} from './proposal.commands';
import {
  decide,
  evolve,
  initialState,
  isTerminalStatus,
  proposalDecider,
  type ProposalState,
  type ProposalStatus,
} from './proposal.decider';
import { PROPOSAL_EVENT_TYPES, isProposalEventType, proposalStreamName, type ProposalEvent } from './proposal.events';

const AT = '2025-03-01T09:00:00+07:00';
const ID = '7d0c5a3e-8f1d-4c2a-9e57-3a1f2b4c5d6e';
const OTHER_ID = '9a1b2c3d-0000-4000-8000-000000000001';
const VILLAGE = '1872011001';
const NEIGHBOUR = '1872011002';
const MEETING = 'meeting-1';
const BATCH = '1872-202503';
const NIK = '3515140508680001';
const KK = '3515140101200001';
const DIGEST = `sha256:${'a'.repeat(64)}`;

const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: VILLAGE };
const neighbourOperator: Actor = { userId: 'u-neighbour', role: 'VILLAGE_OPERATOR', scope: NEIGHBOUR };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: '1872' };
const otherVerifier: Actor = { userId: 'u-verifier-2', role: 'VERIFIER', scope: '1872' };
const foreignVerifier: Actor = { userId: 'u-foreign', role: 'VERIFIER', scope: '1871' };
const system: Actor = { userId: 'reactor', role: 'SYSTEM', scope: 'NATIONAL' };
const admin: Actor = { userId: 'u-admin', role: 'ADMIN', scope: 'NATIONAL' };
const auditor: Actor = { userId: 'u-auditor', role: 'AUDITOR', scope: 'NATIONAL' };

// Commands --------------------------------------------------------------------------------------------------------

const meta = (actor: Actor) => ({ actor, occurredAt: AT });
const member = (overrides: Partial<ProposedMember> = {}): ProposedMember => ({
  nik: NIK,
  name: 'Budi Santoso',
  sex: 'M',
  birthDate: '1968-08-05',
  relationship: 'HEAD',
  ...overrides,
});
const household = (overrides: Partial<ProposedHousehold> = {}): ProposedHousehold => ({
  address: 'Jl. Merdeka 1',
  rt: '001',
  rw: '002',
  kkNumber: KK,
  members: [member()],
  ...overrides,
});
const deathCertificate: EvidenceItem = { kind: 'DEATH_CERTIFICATE', digest: DIGEST };
const CONTENT: Readonly<Record<ProposalKind, ProposalContent>> = {
  ADD: { household: household() },
  CORRECT: { householdId: 'hh-1', changes: { address: 'Jl. Merdeka 2' } },
  REMOVE: { householdId: 'hh-1', removal: { reason: 'DECEASED', evidence: [deathCertificate] } },
  RELOCATE: { householdId: 'hh-1', targetVillageCode: NEIGHBOUR },
};

type SubmitData = Extract<ProposalCommand, { type: 'SubmitProposal' }>['data'];
const submit = (actor: Actor, kind: ProposalKind = 'ADD', data: Partial<SubmitData> = {}): ProposalCommand => ({
  type: 'SubmitProposal',
  data: { proposalId: ID, kind, villageCode: VILLAGE, channel: 'RT_RW', ...CONTENT[kind], ...data },
  metadata: meta(actor),
});
const amend = (actor: Actor, content: ProposalContent = CONTENT.ADD): ProposalCommand => ({
  type: 'AmendProposal',
  data: { proposalId: ID, ...content },
  metadata: meta(actor),
});
const withdraw = (actor: Actor, reason = 'Moved away before deliberation'): ProposalCommand => ({
  type: 'WithdrawProposal',
  data: { proposalId: ID, reason },
  metadata: meta(actor),
});
const table = (actor: Actor, meetingId = MEETING): ProposalCommand => ({
  type: 'TableProposal',
  data: { proposalId: ID, meetingId },
  metadata: meta(actor),
});
const deliberate = (
  actor: Actor,
  decision: VillageDecision = 'APPROVED',
  meetingId = MEETING,
  recordedBy = 'u-recorder',
): DeliberateProposal => ({
  type: 'DeliberateProposal',
  data: { proposalId: ID, meetingId, decision, reason: 'Agreed by the meeting', recordedBy },
  metadata: meta(actor),
});
const raise = (
  actor: Actor,
  code: FlagCode = 'NIK_IN_REGISTRY',
  severity: FlagSeverity = 'BLOCKING',
): ProposalCommand => ({
  type: 'RaiseFlag',
  data: { proposalId: ID, code, severity, source: 'REGISTRY', evidence: 'match-42' },
  metadata: meta(actor),
});
const resolve = (
  actor: Actor,
  code: FlagCode = 'NIK_IN_REGISTRY',
  justification = 'Different person, checked',
): ProposalCommand => ({
  type: 'ResolveFlag',
  data: { proposalId: ID, code, justification },
  metadata: meta(actor),
});
const visit = (actor: Actor, outcome: FieldVisitOutcome = 'CONFIRMED', visitedAt = '2025-02-20'): ProposalCommand => ({
  type: 'RecordFieldVisit',
  data: { proposalId: ID, visitedAt, outcome, notes: 'Household visited' },
  metadata: meta(actor),
});
const verify = (actor: Actor, proposalId = ID): ProposalCommand => ({
  type: 'VerifyProposal',
  data: { proposalId },
  metadata: meta(actor),
});
const giveBack = (actor: Actor, reason = 'KK number to be checked'): ProposalCommand => ({
  type: 'ReturnProposal',
  data: { proposalId: ID, reason },
  metadata: meta(actor),
});
const reject = (actor: Actor, reason = 'Not eligible'): ProposalCommand => ({
  type: 'RejectProposal',
  data: { proposalId: ID, stage: 'DINSOS', reason },
  metadata: meta(actor),
});
const markBatched = (actor: Actor, batchId = BATCH): ProposalCommand => ({
  type: 'MarkBatched',
  data: { proposalId: ID, batchId },
  metadata: meta(actor),
});
const markSent = (actor: Actor, batchId = BATCH, sentAt = '2025-04-02T10:00:00Z'): ProposalCommand => ({
  type: 'MarkSentToPusdatin',
  data: { proposalId: ID, batchId, sentAt },
  metadata: meta(actor),
});
const accept = (actor: Actor, batchId = BATCH, decreeRef = 'SK-2025-17'): ProposalCommand => ({
  type: 'RecordPusdatinResult',
  data: { proposalId: ID, batchId, result: { outcome: 'ACCEPTED', decreeRef } },
  metadata: meta(actor),
});
const refuse = (actor: Actor, batchId = BATCH): ProposalCommand => ({
  type: 'RecordPusdatinResult',
  data: { proposalId: ID, batchId, result: { outcome: 'REJECTED', reason: 'Duplicate in DTSEN' } },
  metadata: meta(actor),
});

// Events ----------------------------------------------------------------------------------------------------------

const submitted = (kind: ProposalKind = 'ADD', submittedBy = 'u-operator'): ProposalEvent => ({
  type: 'ProposalSubmitted',
  data: {
    proposalId: ID,
    kind,
    villageCode: VILLAGE,
    channel: 'RT_RW',
    ...CONTENT[kind],
    submittedBy,
    submittedAt: AT,
  },
});
const tabled = (meetingId = MEETING): ProposalEvent => ({ type: 'ProposalTabled', data: { meetingId } });
const deliberated = (
  decision: VillageDecision = 'APPROVED',
  recordedBy = 'u-recorder',
  meetingId = MEETING,
): ProposalEvent => ({
  type: 'ProposalDeliberated',
  data: { meetingId, decision, reason: 'Agreed by the meeting', recordedBy, deliberatedAt: AT },
});
const flagRaised = (code: FlagCode = 'NIK_IN_REGISTRY', severity: FlagSeverity = 'BLOCKING'): ProposalEvent => ({
  type: 'FlagRaised',
  data: { code, severity, source: 'REGISTRY', evidence: 'match-42' },
});
const flagResolved = (code: FlagCode = 'NIK_IN_REGISTRY'): ProposalEvent => ({
  type: 'FlagResolved',
  data: { code, justification: 'Checked', resolvedBy: 'u-verifier' },
});
const visited = (outcome: FieldVisitOutcome = 'CONFIRMED', visitedBy = 'u-visitor'): ProposalEvent => ({
  type: 'FieldVisitRecorded',
  data: { visitedAt: '2025-02-20', outcome, notes: 'Visited', visitedBy },
});
const verified: ProposalEvent = { type: 'ProposalVerified', data: { verifiedBy: 'u-verifier', verifiedAt: AT } };
const returned: ProposalEvent = { type: 'ProposalReturned', data: { reason: 'Check KK' } };
const withdrawn: ProposalEvent = { type: 'ProposalWithdrawn', data: { reason: 'Moved' } };
const rejectedByDinsos: ProposalEvent = { type: 'ProposalRejected', data: { stage: 'DINSOS', reason: 'No' } };
const batched = (batchId = BATCH): ProposalEvent => ({ type: 'ProposalBatched', data: { batchId } });
const sent: ProposalEvent = { type: 'ProposalSentToPusdatin', data: { batchId: BATCH, sentAt: AT } };
const accepted: ProposalEvent = { type: 'ProposalAccepted', data: { batchId: BATCH, decreeRef: 'SK-1' } };
const amended: ProposalEvent = { type: 'ProposalAmended', data: CONTENT.ADD };

// Given / when / then ---------------------------------------------------------------------------------------------

const given = (...events: ProposalEvent[]): ProposalState => events.reduce(evolve, initialState());

const WAITING = [submitted()];
const TABLED = [...WAITING, tabled()];
const APPROVED = [...TABLED, deliberated()];
const READY = [...APPROVED, visited()];
const VERIFIED = [...READY, verified];
const BATCHED = [...VERIFIED, batched()];
const SENT = [...BATCHED, sent];
const RETURNED = [...APPROVED, returned];

/** A history ending in each status. */
const HISTORIES: Readonly<Record<ProposalStatus, readonly ProposalEvent[]>> = {
  WAITING,
  TABLED,
  APPROVED: READY,
  REJECTED_BY_VILLAGE: [...TABLED, deliberated('REJECTED')],
  RETURNED,
  VERIFIED,
  BATCHED,
  SENT,
  ACCEPTED: [...SENT, accepted],
  REJECTED: [...APPROVED, rejectedByDinsos],
  WITHDRAWN: [...WAITING, withdrawn],
};
const state = (status: ProposalStatus): ProposalState => given(...HISTORIES[status]);

function rejection(current: ProposalState, command: ProposalCommand): DomainError {
  try {
    decide(command, current);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error(`expected ${command.type} to be rejected`);
}

function expectRejection(
  current: ProposalState,
  command: ProposalCommand,
  kind: DomainErrorKind,
  code: string,
): DomainError {
  const error = rejection(current, command);
  expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
  return error;
}

const typesOf = (events: ProposalEvent[]) => events.map((event) => event.type);

describe('proposalDecider', () => {
  it('exposes decide, evolve and initialState', () => {
    expect(proposalDecider.decide).toBe(decide);
    expect(proposalDecider.evolve).toBe(evolve);
    expect(proposalDecider.initialState()).toEqual({
      status: 'none',
      content: {},
      deliberatedAt: [],
      openFlags: [],
      fieldVisits: [],
      acts: [],
      identityChecked: [],
    });
  });

  it('names the stream proposal-<id> and rejects ids unfit for a stream name', () => {
    expect(proposalStreamName(ID)).toBe(`proposal-${ID}`);
    expect(() => proposalStreamName('a:b')).toThrow(DomainError);
  });

  it('lists every event type', () => {
    expect(PROPOSAL_EVENT_TYPES).toHaveLength(16);
    expect(isProposalEventType('ProposalVerified')).toBe(true);
    expect(isProposalEventType('UserRegistered')).toBe(false);
  });

  it.each(Object.keys(HISTORIES) as ProposalStatus[])('the fixture history of %s ends in that status', (status) => {
    expect(state(status).status).toBe(status);
  });
});

describe('SubmitProposal', () => {
  it('an operator of the village submits an ADD: ProposalSubmitted, village normalised, PROPOSER act', () => {
    const events = decide(submit(operator, 'ADD', { villageCode: '18.72.01.1001' }), given());
    expect(events).toEqual([submitted()]);
    expect(given(...events)).toMatchObject({
      status: 'WAITING',
      acts: [{ userId: 'u-operator', capacity: 'PROPOSER', at: AT }],
    });
  });

  it.each(['CORRECT', 'REMOVE', 'RELOCATE'] as const)('a %s with its content is accepted', (kind) => {
    expect(decide(submit(operator, kind), given())).toEqual([submitted(kind)]);
  });

  it('a verifier of the regency submits (channel DINSOS)', () => {
    expect(typesOf(decide(submit(verifier, 'CORRECT', { channel: 'DINSOS' }), given()))).toEqual(['ProposalSubmitted']);
  });

  it('a replacement: a REMOVE linked to an ADD, with evidence digests', () => {
    const [event] = decide(
      submit(operator, 'REMOVE', { linkedProposalId: OTHER_ID, evidenceDigests: [DIGEST] }),
      given(),
    );
    expect(event?.data).toMatchObject({ linkedProposalId: OTHER_ID, evidenceDigests: [DIGEST] });
  });

  it('an ADD keeps members with a malformed-looking but 16-digit NIK when another is valid', () => {
    const members = [member(), member({ nik: '0000000000000000', relationship: 'CHILD' }), member({ nik: '' })];
    expect(decide(submit(operator, 'ADD', { household: household({ members }) }), given())).toHaveLength(1);
  });

  it.each<[string, Actor, string]>([
    ['an operator of another village', neighbourOperator, 'OUTSIDE_SCOPE'],
    ['a verifier of another regency', foreignVerifier, 'OUTSIDE_SCOPE'],
    ['an administrator', admin, 'ADMIN_NOT_IN_WORKFLOW'],
    ['the SYSTEM operator', system, 'ADMIN_NOT_IN_WORKFLOW'],
    ['an auditor', auditor, 'AUDITOR_READ_ONLY'],
  ])('%s may not submit: %s', (_who, actor, code) => {
    expectRejection(given(), submit(actor), 'forbidden', code);
  });

  it('given a proposal, submitting the id again is PROPOSAL_ALREADY_EXISTS', () => {
    expectRejection(given(...WAITING), submit(operator), 'conflict', 'PROPOSAL_ALREADY_EXISTS');
  });

  it.each<[string, ProposalKind, Partial<SubmitData>, string]>([
    ['a bad id', 'ADD', { proposalId: 'a:b' }, 'INVALID_ID'],
    ['a regency as village', 'ADD', { villageCode: '1872' }, 'INVALID_VILLAGE_CODE'],
    ['an unknown kind', 'ADD', { kind: 'MERGE' as ProposalKind }, 'INVALID_KIND'],
    ['an unknown channel', 'ADD', { channel: 'EMAIL' as SubmitData['channel'] }, 'INVALID_CHANNEL'],
    ['an ADD without household', 'ADD', { household: undefined }, 'HOUSEHOLD_REQUIRED'],
    ['an ADD with a householdId', 'ADD', { householdId: 'hh-1' }, 'FIELD_NOT_ALLOWED'],
    ['an ADD with no member', 'ADD', { household: household({ members: [] }) }, 'ADD_NEEDS_VALID_MEMBER'],
    [
      'an ADD whose members have no valid NIK',
      'ADD',
      { household: household({ members: [member({ nik: '3515140013680001' }), member({ nik: '' })] }) },
      'ADD_NEEDS_VALID_MEMBER',
    ],
    [
      'an ADD with too many members',
      'ADD',
      { household: household({ members: Array(31).fill(member()) }) },
      'TOO_MANY_MEMBERS',
    ],
    [
      'a member NIK that is not 16 digits',
      'ADD',
      { household: household({ members: [member({ nik: '12345' })] }) },
      'MEMBER_NIK_MALFORMED',
    ],
    [
      'a member without name',
      'ADD',
      { household: household({ members: [member({ name: ' ' })] }) },
      'INVALID_MEMBER_NAME',
    ],
    [
      'a member of unknown sex',
      'ADD',
      { household: household({ members: [member({ sex: 'X' as 'M' })] }) },
      'INVALID_SEX',
    ],
    [
      'an impossible birth date',
      'ADD',
      { household: household({ members: [member({ birthDate: '1968-02-30' })] }) },
      'INVALID_BIRTH_DATE',
    ],
    [
      'an unknown relationship',
      'ADD',
      { household: household({ members: [member({ relationship: 'COUSIN' as 'HEAD' })] }) },
      'INVALID_RELATIONSHIP',
    ],
    ['an empty address', 'ADD', { household: household({ address: '' }) }, 'INVALID_ADDRESS'],
    ['an RT of letters', 'ADD', { household: household({ rt: 'A1' }) }, 'INVALID_RT_RW'],
    ['an RW of four digits', 'ADD', { household: household({ rw: '1234' }) }, 'INVALID_RT_RW'],
    ['a bad KK number', 'ADD', { household: household({ kkNumber: '123' }) }, 'KK_INVALID'],
    ['a link to itself', 'ADD', { linkedProposalId: ID }, 'LINK_TO_SELF'],
    ['a bad digest', 'ADD', { evidenceDigests: ['abc'] }, 'INVALID_DIGEST'],
    ['a CORRECT without householdId', 'CORRECT', { householdId: undefined }, 'HOUSEHOLD_ID_REQUIRED'],
    ['a CORRECT without changes', 'CORRECT', { changes: {} }, 'CHANGES_REQUIRED'],
    ['a CORRECT with an empty value', 'CORRECT', { changes: { address: ' ' } }, 'INVALID_CHANGE'],
    ['a CORRECT with a bad field name', 'CORRECT', { changes: { '1 bad': 'x' } }, 'INVALID_CHANGE'],
    ['a CORRECT with a household', 'CORRECT', { household: household() }, 'FIELD_NOT_ALLOWED'],
    ['a CORRECT linked', 'CORRECT', { linkedProposalId: OTHER_ID }, 'FIELD_NOT_ALLOWED'],
    ['a REMOVE without removal', 'REMOVE', { removal: undefined }, 'REMOVAL_REQUIRED'],
    [
      'a REMOVE with an unknown reason',
      'REMOVE',
      { removal: { reason: 'BORED' as 'OTHER', evidence: [] } },
      'INVALID_REMOVAL_REASON',
    ],
    [
      'a REMOVE without its evidence',
      'REMOVE',
      { removal: { reason: 'DECEASED', evidence: [] } },
      'REMOVAL_EVIDENCE_MISSING',
    ],
    ['a RELOCATE without target', 'RELOCATE', { targetVillageCode: undefined }, 'INVALID_VILLAGE_CODE'],
    ['a RELOCATE to the same village', 'RELOCATE', { targetVillageCode: '18.72.01.1001' }, 'SAME_VILLAGE'],
  ])('%s is rejected: %s', (_what, kind, data, code) => {
    expectRejection(given(), submit(operator, kind, data), 'invalid', code);
  });

  it('messages never echo the NIK, the KK number or the names', () => {
    const bad = [
      submit(operator, 'ADD', { household: household({ members: [member({ nik: '3515140013680001' })] }) }),
      submit(operator, 'ADD', { household: household({ kkNumber: '0515140101200001' }) }),
      submit(operator, 'ADD', { household: household({ members: [member({ sex: 'X' as 'M' })] }) }),
    ];
    for (const command of bad) {
      const { message } = rejection(given(), command);
      expect(message).not.toMatch(/3515140|0515140|Budi|Santoso/);
    }
  });
});

describe('AmendProposal', () => {
  it.each<[string, ProposalEvent[]]>([
    ['waiting', WAITING],
    ['returned', RETURNED],
  ])('given a %s proposal, the operator amends it: ProposalAmended, back to WAITING', (_s, history) => {
    const content = { household: household({ address: 'Jl. Baru 3' }) };
    const events = decide(amend(operator, content), given(...history));
    expect(events).toEqual([{ type: 'ProposalAmended', data: content }]);
    expect(given(...history, ...events)).toMatchObject({ status: 'WAITING', content });
  });

  it.each(['TABLED', 'APPROVED', 'VERIFIED'] as const)('a %s proposal is NOT_AMENDABLE', (status) => {
    expectRejection(state(status), amend(operator), 'conflict', 'NOT_AMENDABLE');
  });

  it('the amendment is checked against the kind', () => {
    expectRejection(given(...WAITING), amend(operator, CONTENT.CORRECT), 'invalid', 'FIELD_NOT_ALLOWED');
  });

  it('an operator of another village may not amend', () => {
    expectRejection(given(...WAITING), amend(neighbourOperator), 'forbidden', 'OUTSIDE_SCOPE');
  });

  it('no proposal: PROPOSAL_NOT_FOUND; another id: PROPOSAL_ID_MISMATCH', () => {
    expectRejection(given(), amend(operator), 'not_found', 'PROPOSAL_NOT_FOUND');
    expectRejection(given(...WAITING), verify(verifier, OTHER_ID), 'invalid', 'PROPOSAL_ID_MISMATCH');
  });
});

describe('WithdrawProposal', () => {
  it.each(['WAITING', 'TABLED', 'APPROVED', 'RETURNED'] as const)('a %s proposal is withdrawn', (status) => {
    const events = decide(withdraw(operator), state(status));
    expect(typesOf(events)).toEqual(['ProposalWithdrawn']);
    expect(given(...HISTORIES[status], ...events).status).toBe('WITHDRAWN');
  });

  it.each(['VERIFIED', 'BATCHED', 'SENT'] as const)('a %s proposal is NOT_WITHDRAWABLE', (status) => {
    expectRejection(state(status), withdraw(operator), 'conflict', 'NOT_WITHDRAWABLE');
  });

  it('a withdrawal needs a reason', () => {
    expectRejection(given(...WAITING), withdraw(operator, ' '), 'invalid', 'INVALID_REASON');
  });

  it('an auditor may not withdraw', () => {
    expectRejection(given(...WAITING), withdraw(auditor), 'forbidden', 'AUDITOR_READ_ONLY');
  });
});

describe('TableProposal', () => {
  it.each(['WAITING', 'RETURNED'] as const)('a %s proposal is tabled at a meeting', (status) => {
    const events = decide(table(operator, 'meeting-2'), state(status));
    expect(events).toEqual([tabled('meeting-2')]);
    expect(given(...HISTORIES[status], ...events)).toMatchObject({ status: 'TABLED', meetingId: 'meeting-2' });
  });

  it.each(['TABLED', 'APPROVED', 'VERIFIED'] as const)('a %s proposal is NOT_TABLEABLE', (status) => {
    expectRejection(state(status), table(operator, 'meeting-2'), 'conflict', 'NOT_TABLEABLE');
  });

  it('a meeting deliberates a proposal once: ALREADY_DELIBERATED_AT_MEETING after a deferral', () => {
    const deferred = given(...TABLED, deliberated('DEFERRED'));
    expect(deferred.status).toBe('WAITING');
    expectRejection(deferred, table(operator), 'conflict', 'ALREADY_DELIBERATED_AT_MEETING');
    expect(decide(table(operator, 'meeting-2'), deferred)).toEqual([tabled('meeting-2')]);
  });

  it.each<[Actor, string]>([
    [verifier, 'ROLE_NOT_ALLOWED'],
    [neighbourOperator, 'OUTSIDE_SCOPE'],
    [system, 'ADMIN_NOT_IN_WORKFLOW'],
  ])('%j may not table: %s', (actor, code) => {
    expectRejection(given(...WAITING), table(actor), 'forbidden', code);
  });
});

describe('UntableProposal (a cancelled meeting releases its agenda)', () => {
  const untable = (actor: Actor, meetingId = MEETING, reason = 'Rapat dibatalkan'): ProposalCommand => ({
    type: 'UntableProposal',
    data: { proposalId: ID, meetingId, reason },
    metadata: meta(actor),
  });
  const untabled = { type: 'ProposalUntabled', data: { meetingId: MEETING, reason: 'Rapat dibatalkan' } };

  it.each(['WAITING', 'RETURNED'] as const)('a proposal tabled while %s goes back to %s', (status) => {
    const tabledState = given(...HISTORIES[status], tabled());
    expect(tabledState.status).toBe('TABLED');
    const events = decide(untable(system), tabledState);
    expect(events).toEqual([untabled]);
    const after = given(...HISTORIES[status], tabled(), ...events);
    expect(after).toMatchObject({ status });
    expect(after.meetingId).toBeUndefined();
    // and it may go on another agenda
    expect(decide(table(operator, 'meeting-2'), after)).toEqual([tabled('meeting-2')]);
  });

  it('only from the meeting that tabled it: NOT_TABLED_AT_MEETING', () => {
    expectRejection(given(...TABLED), untable(system, 'meeting-2'), 'conflict', 'NOT_TABLED_AT_MEETING');
  });

  it.each(['WAITING', 'APPROVED'] as const)('a %s proposal is NOT_TABLED', (status) => {
    expectRejection(state(status), untable(system), 'conflict', 'NOT_TABLED');
  });

  it('needs a reason', () => {
    expectRejection(given(...TABLED), untable(system, MEETING, ' '), 'invalid', 'INVALID_REASON');
  });

  it.each<[Actor, string]>([
    [verifier, 'ROLE_NOT_ALLOWED'],
    [neighbourOperator, 'OUTSIDE_SCOPE'],
    [admin, 'ADMIN_NOT_IN_WORKFLOW'],
  ])('%j may not take it off the agenda: %s', (actor, code) => {
    expectRejection(given(...TABLED), untable(actor), 'forbidden', code);
  });
});

describe('DeliberateProposal', () => {
  it.each<[VillageDecision, ProposalStatus]>([
    ['APPROVED', 'APPROVED'],
    ['REJECTED', 'REJECTED_BY_VILLAGE'],
    ['DEFERRED', 'WAITING'],
  ])('the reactor records %s: the proposal becomes %s and the recorder is a VILLAGE_RECORDER', (decision, status) => {
    const events = decide(deliberate(system, decision), given(...TABLED));
    expect(events).toEqual([deliberated(decision)]);
    const after = given(...TABLED, ...events);
    expect(after.status).toBe(status);
    expect(after.acts).toContainEqual({ userId: 'u-recorder', capacity: 'VILLAGE_RECORDER', at: AT });
  });

  it('the operator records a decision with votes', () => {
    const command = deliberate(operator);
    const withVotes = { ...command, data: { ...command.data, votes: { for: 12, against: 3, abstain: 1 } } };
    expect(decide(withVotes, given(...TABLED))[0]?.data).toMatchObject({ votes: { for: 12, against: 3, abstain: 1 } });
  });

  it('negative votes are INVALID_VOTES', () => {
    const command = deliberate(operator);
    const bad = { ...command, data: { ...command.data, votes: { for: -1, against: 0, abstain: 0 } } };
    expectRejection(given(...TABLED), bad, 'invalid', 'INVALID_VOTES');
  });

  it('only at the meeting that tabled it: NOT_TABLED_AT_MEETING', () => {
    expectRejection(given(...TABLED), deliberate(system, 'APPROVED', 'meeting-2'), 'conflict', 'NOT_TABLED_AT_MEETING');
  });

  it.each(['WAITING', 'APPROVED', 'RETURNED'] as const)('a %s proposal is NOT_TABLED', (status) => {
    expectRejection(state(status), deliberate(system), 'conflict', 'NOT_TABLED');
  });

  it('an unknown decision is INVALID_DECISION', () => {
    expectRejection(given(...TABLED), deliberate(system, 'MAYBE' as VillageDecision), 'invalid', 'INVALID_DECISION');
  });

  it.each<[Actor, string]>([
    [verifier, 'ROLE_NOT_ALLOWED'],
    [admin, 'ADMIN_NOT_IN_WORKFLOW'],
  ])('%j may not deliberate: %s', (actor, code) => {
    expectRejection(given(...TABLED), deliberate(actor), 'forbidden', code);
  });
});

describe('RaiseFlag and ResolveFlag', () => {
  it.each(['WAITING', 'TABLED', 'APPROVED', 'RETURNED', 'VERIFIED', 'BATCHED', 'SENT'] as const)(
    'a flag is raised on a %s proposal',
    (status) => {
      expect(decide(raise(system), state(status))).toEqual([flagRaised()]);
    },
  );

  it('the same open flag code twice is a no-op; once resolved it may be raised again', () => {
    expect(decide(raise(system, 'NIK_IN_REGISTRY', 'WARNING'), given(...WAITING, flagRaised()))).toEqual([]);
    expect(decide(raise(verifier), given(...WAITING, flagRaised(), flagResolved()))).toEqual([flagRaised()]);
  });

  it.each(['ACCEPTED', 'REJECTED', 'WITHDRAWN', 'REJECTED_BY_VILLAGE'] as const)(
    'a %s proposal takes no flag: PROPOSAL_CLOSED',
    (status) => {
      expectRejection(state(status), raise(system), 'conflict', 'PROPOSAL_CLOSED');
    },
  );

  it.each<[string, ProposalCommand, string]>([
    ['an unknown code', raise(system, 'BAD' as FlagCode), 'INVALID_FLAG_CODE'],
    ['an unknown severity', raise(system, 'WAGE_MATCH', 'FATAL' as FlagSeverity), 'INVALID_FLAG_SEVERITY'],
  ])('%s: %s', (_what, command, code) => {
    expectRejection(given(...WAITING), command, 'invalid', code);
  });

  it.each<[Actor, string]>([
    [operator, 'ROLE_NOT_ALLOWED'],
    [foreignVerifier, 'OUTSIDE_SCOPE'],
    [auditor, 'AUDITOR_READ_ONLY'],
  ])('%j may not raise a flag: %s', (actor, code) => {
    expectRejection(given(...WAITING), raise(actor), 'forbidden', code);
  });

  it('a verifier resolves an open flag with a justification', () => {
    const events = decide(resolve(verifier), given(...APPROVED, flagRaised()));
    expect(events).toEqual([
      {
        type: 'FlagResolved',
        data: { code: 'NIK_IN_REGISTRY', justification: 'Different person, checked', resolvedBy: 'u-verifier' },
      },
    ]);
    expect(given(...APPROVED, flagRaised(), ...events).openFlags).toEqual([]);
  });

  it('resolving needs a written justification: JUSTIFICATION_REQUIRED', () => {
    expectRejection(
      given(...APPROVED, flagRaised()),
      resolve(verifier, 'NIK_IN_REGISTRY', '  '),
      'invalid',
      'JUSTIFICATION_REQUIRED',
    );
  });

  it('resolving a flag that is not open is FLAG_NOT_OPEN', () => {
    expectRejection(given(...APPROVED), resolve(verifier), 'conflict', 'FLAG_NOT_OPEN');
    expectRejection(given(...APPROVED, flagRaised(), flagResolved()), resolve(verifier), 'conflict', 'FLAG_NOT_OPEN');
  });

  it.each<[Actor, string]>([
    [operator, 'ROLE_NOT_ALLOWED'],
    [system, 'ADMIN_NOT_IN_WORKFLOW'],
    [foreignVerifier, 'OUTSIDE_SCOPE'],
  ])('%j may not resolve a flag: %s', (actor, code) => {
    expectRejection(given(...APPROVED, flagRaised()), resolve(actor), 'forbidden', code);
  });
});

describe('RecordFieldVisit', () => {
  it('a verifier records a visit: FieldVisitRecorded and a FIELD_VISITOR act', () => {
    const events = decide(visit(verifier, 'CONDITION_DIFFERS', '2025-02-20T10:30:00+07:00'), given(...APPROVED));
    expect(events).toEqual([
      {
        type: 'FieldVisitRecorded',
        data: {
          visitedAt: '2025-02-20T10:30:00+07:00',
          outcome: 'CONDITION_DIFFERS',
          notes: 'Household visited',
          visitedBy: 'u-verifier',
        },
      },
    ]);
    expect(given(...APPROVED, ...events).acts).toContainEqual({
      userId: 'u-verifier',
      capacity: 'FIELD_VISITOR',
      at: '2025-02-20T10:30:00+07:00',
    });
  });

  it.each(['VERIFIED', 'BATCHED'] as const)('after verification (%s) it is FIELD_VISIT_TOO_LATE', (status) => {
    expectRejection(state(status), visit(verifier), 'conflict', 'FIELD_VISIT_TOO_LATE');
  });

  it.each<[string, ProposalCommand, string]>([
    ['a bad date', visit(verifier, 'CONFIRMED', '2025-02-30'), 'INVALID_TIMESTAMP'],
    ['free text as date', visit(verifier, 'CONFIRMED', 'yesterday'), 'INVALID_TIMESTAMP'],
    ['an unknown outcome', visit(verifier, 'MAYBE' as FieldVisitOutcome), 'INVALID_FIELD_VISIT_OUTCOME'],
  ])('%s: %s', (_what, command, code) => {
    expectRejection(given(...APPROVED), command, 'invalid', code);
  });

  it('an operator may not record a visit', () => {
    expectRejection(given(...APPROVED), visit(operator), 'forbidden', 'ROLE_NOT_ALLOWED');
  });
});

describe('VerifyProposal', () => {
  it('given an approved, visited ADD, a verifier of the regency verifies it', () => {
    const events = decide(verify(verifier), given(...READY));
    expect(events).toEqual([verified]);
    expect(given(...READY, ...events)).toMatchObject({ status: 'VERIFIED' });
    expect(given(...READY, ...events).acts).toContainEqual({ userId: 'u-verifier', capacity: 'VERIFIER', at: AT });
  });

  it.each(['CORRECT', 'REMOVE'] as const)('a %s needs no field visit', (kind) => {
    expect(decide(verify(verifier), given(submitted(kind), tabled(), deliberated()))).toEqual([verified]);
  });

  it.each(['ADD', 'RELOCATE'] as const)('a %s without a field visit: FIELD_VISIT_REQUIRED', (kind) => {
    expectRejection(
      given(submitted(kind), tabled(), deliberated()),
      verify(verifier),
      'conflict',
      'FIELD_VISIT_REQUIRED',
    );
  });

  it('a latest visit that did not find the household: FIELD_VISIT_NOT_FOUND', () => {
    expectRejection(given(...APPROVED, visited('NOT_FOUND')), verify(verifier), 'conflict', 'FIELD_VISIT_NOT_FOUND');
    expect(decide(verify(verifier), given(...APPROVED, visited('NOT_FOUND'), visited('CONFIRMED')))).toEqual([
      verified,
    ]);
  });

  it('an open BLOCKING flag: BLOCKING_FLAG_OPEN; a WARNING or a resolved flag does not block', () => {
    expectRejection(given(...READY, flagRaised()), verify(verifier), 'conflict', 'BLOCKING_FLAG_OPEN');
    expect(decide(verify(verifier), given(...READY, flagRaised('WAGE_MATCH', 'WARNING')))).toEqual([verified]);
    expect(decide(verify(verifier), given(...READY, flagRaised(), flagResolved()))).toEqual([verified]);
  });

  it.each<[string, ProposalEvent[]]>([
    ['submitted', [submitted('ADD', 'u-verifier'), tabled(), deliberated(), visited()]],
    ['recorded the village decision of', [...TABLED, deliberated('APPROVED', 'u-verifier'), visited()]],
  ])('a verifier who %s the proposal may not verify it: SEGREGATION_OF_DUTIES', (_what, history) => {
    expectRejection(given(...history), verify(verifier), 'forbidden', 'SEGREGATION_OF_DUTIES');
    expect(decide(verify(otherVerifier), given(...history))).toHaveLength(1);
  });

  it('the field visitor may verify (no conflict in DESIGN section 1)', () => {
    expect(decide(verify(verifier), given(...APPROVED, visited('CONFIRMED', 'u-verifier')))).toEqual([verified]);
  });

  it.each(['WAITING', 'TABLED', 'RETURNED', 'VERIFIED'] as const)('a %s proposal is NOT_APPROVED', (status) => {
    expectRejection(state(status), verify(verifier), 'conflict', 'NOT_APPROVED');
  });

  it.each(['REJECTED_BY_VILLAGE', 'WITHDRAWN', 'ACCEPTED'] as const)('a %s proposal is PROPOSAL_CLOSED', (status) => {
    expectRejection(state(status), verify(verifier), 'conflict', 'PROPOSAL_CLOSED');
  });

  it.each<[Actor, string]>([
    [foreignVerifier, 'OUTSIDE_SCOPE'],
    [operator, 'ROLE_NOT_ALLOWED'],
    [system, 'ADMIN_NOT_IN_WORKFLOW'],
    [admin, 'ADMIN_NOT_IN_WORKFLOW'],
    [auditor, 'AUDITOR_READ_ONLY'],
  ])('%j may not verify: %s', (actor, code) => {
    expectRejection(given(...READY), verify(actor), 'forbidden', code);
  });
});

describe('ReturnProposal and RejectProposal (DINSOS)', () => {
  it('a verifier returns an approved proposal to the village; it may be amended or tabled again', () => {
    const events = decide(giveBack(verifier), given(...APPROVED));
    expect(events).toEqual([{ type: 'ProposalReturned', data: { reason: 'KK number to be checked' } }]);
    const back = given(...APPROVED, ...events);
    expect(back.status).toBe('RETURNED');
    expect(typesOf(decide(amend(operator), back))).toEqual(['ProposalAmended']);
    expect(decide(table(operator, 'meeting-2'), back)).toEqual([tabled('meeting-2')]);
  });

  it('a verifier rejects an approved proposal at stage DINSOS: terminal', () => {
    const events = decide(reject(verifier), given(...APPROVED));
    expect(events).toEqual([{ type: 'ProposalRejected', data: { stage: 'DINSOS', reason: 'Not eligible' } }]);
    expect(given(...APPROVED, ...events)).toMatchObject({ status: 'REJECTED', rejectionStage: 'DINSOS' });
  });

  it('stage PUSDATIN is not the verifier’s: INVALID_STAGE', () => {
    const command = reject(verifier);
    const pusdatin = { ...command, data: { ...command.data, stage: 'PUSDATIN' } } as unknown as ProposalCommand;
    expectRejection(given(...APPROVED), pusdatin, 'invalid', 'INVALID_STAGE');
  });

  it.each<[string, (actor: Actor) => ProposalCommand]>([
    ['return', (actor) => giveBack(actor)],
    ['reject', (actor) => reject(actor)],
  ])('%s: reason required, APPROVED only, segregated, regency only', (_what, make) => {
    const command = make(verifier);
    const noReason = { ...command, data: { ...command.data, reason: '' } } as ProposalCommand;
    expectRejection(given(...APPROVED), noReason, 'invalid', 'INVALID_REASON');
    expectRejection(given(...VERIFIED), command, 'conflict', 'NOT_APPROVED');
    expectRejection(
      given(...TABLED, deliberated('APPROVED', 'u-verifier')),
      command,
      'forbidden',
      'SEGREGATION_OF_DUTIES',
    );
    expectRejection(given(...APPROVED), make(foreignVerifier), 'forbidden', 'OUTSIDE_SCOPE');
    expectRejection(given(...APPROVED), make(system), 'forbidden', 'ADMIN_NOT_IN_WORKFLOW');
  });
});

describe('MarkBatched, MarkSentToPusdatin, RecordPusdatinResult', () => {
  it.each([system, verifier])('%j carries the batch facts through to ACCEPTED', (actor) => {
    const toBatched = decide(markBatched(actor), given(...VERIFIED));
    expect(toBatched).toEqual([batched()]);
    const toSent = decide(markSent(actor), given(...VERIFIED, ...toBatched));
    expect(toSent).toEqual([
      { type: 'ProposalSentToPusdatin', data: { batchId: BATCH, sentAt: '2025-04-02T10:00:00Z' } },
    ]);
    const toAccepted = decide(accept(actor), given(...VERIFIED, ...toBatched, ...toSent));
    expect(toAccepted).toEqual([{ type: 'ProposalAccepted', data: { batchId: BATCH, decreeRef: 'SK-2025-17' } }]);
    expect(given(...VERIFIED, ...toBatched, ...toSent, ...toAccepted)).toMatchObject({
      status: 'ACCEPTED',
      decreeRef: 'SK-2025-17',
    });
  });

  it('Pusdatin rejects: ProposalRejected stage PUSDATIN, terminal', () => {
    const events = decide(refuse(system), given(...SENT));
    expect(events).toEqual([
      { type: 'ProposalRejected', data: { stage: 'PUSDATIN', reason: 'Duplicate in DTSEN', batchId: BATCH } },
    ]);
    expect(given(...SENT, ...events)).toMatchObject({ status: 'REJECTED', rejectionStage: 'PUSDATIN' });
  });

  it.each<[string, ProposalStatus, ProposalCommand, string]>([
    ['batching an approved proposal', 'APPROVED', markBatched(system), 'NOT_VERIFIED'],
    ['batching twice', 'BATCHED', markBatched(system), 'NOT_VERIFIED'],
    ['sending an unbatched proposal', 'VERIFIED', markSent(system), 'NOT_BATCHED'],
    ['sending with another batch', 'BATCHED', markSent(system, '1872-202504'), 'BATCH_MISMATCH'],
    ['a result before sending', 'BATCHED', accept(system), 'NOT_SENT'],
    ['a result of another batch', 'SENT', accept(system, '1872-202504'), 'BATCH_MISMATCH'],
    ['a result after acceptance', 'ACCEPTED', accept(system), 'PROPOSAL_CLOSED'],
  ])('%s is a conflict: %s', (_what, status, command, code) => {
    expectRejection(state(status), command, 'conflict', code);
  });

  it.each<[string, ProposalStatus, ProposalCommand, string]>([
    ['a bad batch id', 'VERIFIED', markBatched(system, 'batch:1'), 'INVALID_ID'],
    ['a bad sentAt', 'BATCHED', markSent(system, BATCH, 'soon'), 'INVALID_TIMESTAMP'],
    ['an empty decree reference', 'SENT', accept(system, BATCH, ' '), 'INVALID_DECREE_REF'],
  ])('%s: %s', (_what, status, command, code) => {
    expectRejection(state(status), command, 'invalid', code);
  });

  it('an unknown result outcome is INVALID_RESULT', () => {
    const command = accept(system);
    const bad = { ...command, data: { ...command.data, result: { outcome: 'LOST' } } } as unknown as ProposalCommand;
    expectRejection(state('SENT'), bad, 'invalid', 'INVALID_RESULT');
  });

  it.each<[Actor, string]>([
    [operator, 'ROLE_NOT_ALLOWED'],
    [foreignVerifier, 'OUTSIDE_SCOPE'],
    [admin, 'ADMIN_NOT_IN_WORKFLOW'],
    [auditor, 'AUDITOR_READ_ONLY'],
  ])('%j may not mark a batch: %s', (actor, code) => {
    expectRejection(state('VERIFIED'), markBatched(actor), 'forbidden', code);
    expectRejection(state('BATCHED'), markSent(actor), 'forbidden', code);
    expectRejection(state('SENT'), accept(actor), 'forbidden', code);
  });
});

describe('evolve', () => {
  it('an amendment replaces the content', () => {
    expect(given(...WAITING, amended).content).toEqual(CONTENT.ADD);
  });

  it('a withdrawal clears the agenda', () => {
    expect(given(...TABLED, withdrawn)).toMatchObject({ status: 'WITHDRAWN', meetingId: undefined });
  });
});

// Properties ------------------------------------------------------------------------------------------------------

const ACTORS = [operator, neighbourOperator, verifier, otherVerifier, foreignVerifier, system, admin, auditor];
/** Where a random run starts: nothing, or a fixture history ending in any status. */
const arbitraryStart: fc.Arbitrary<readonly ProposalEvent[]> = fc.constantFrom<readonly ProposalEvent[]>(
  [],
  ...Object.values(HISTORIES),
);
const arbitraryCommand: fc.Arbitrary<ProposalCommand> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ACTORS), fc.constantFrom<ProposalKind>('ADD', 'CORRECT', 'REMOVE', 'RELOCATE'))
    .map(([actor, kind]) => submit(actor, kind)),
  fc.constantFrom(...ACTORS).map((actor) => amend(actor, CONTENT.ADD)),
  fc.constantFrom(...ACTORS).map((actor) => withdraw(actor)),
  fc.tuple(fc.constantFrom(...ACTORS), fc.constantFrom(MEETING, 'meeting-2')).map(([actor, m]) => table(actor, m)),
  fc
    .tuple(
      fc.constantFrom(...ACTORS),
      fc.constantFrom<VillageDecision>('APPROVED', 'REJECTED', 'DEFERRED'),
      fc.constantFrom(MEETING, 'meeting-2'),
      fc.constantFrom('u-recorder', 'u-verifier'),
    )
    .map(([actor, decision, m, recorder]) => deliberate(actor, decision, m, recorder)),
  fc
    .tuple(
      fc.constantFrom(...ACTORS),
      fc.constantFrom<FlagCode>('NIK_IN_REGISTRY', 'WAGE_MATCH'),
      fc.constantFrom<FlagSeverity>('BLOCKING', 'WARNING'),
    )
    .map(([actor, code, severity]) => raise(actor, code, severity)),
  fc
    .tuple(fc.constantFrom(...ACTORS), fc.constantFrom<FlagCode>('NIK_IN_REGISTRY', 'WAGE_MATCH'))
    .map(([actor, code]) => resolve(actor, code)),
  fc
    .tuple(
      fc.constantFrom(...ACTORS),
      fc.constantFrom<FieldVisitOutcome>('CONFIRMED', 'NOT_FOUND', 'CONDITION_DIFFERS'),
    )
    .map(([actor, outcome]) => visit(actor, outcome)),
  fc.constantFrom(...ACTORS).map((actor) => verify(actor)),
  fc.constantFrom(...ACTORS).map((actor) => giveBack(actor)),
  fc.constantFrom(...ACTORS).map((actor) => reject(actor)),
  fc.constantFrom(...ACTORS).map((actor) => markBatched(actor)),
  fc.constantFrom(...ACTORS).map((actor) => markSent(actor)),
  fc.constantFrom(...ACTORS).map((actor) => accept(actor)),
  fc.constantFrom(...ACTORS).map((actor) => refuse(actor)),
);

describe('properties', () => {
  it('over random command sequences: terminal states never change, VERIFIED never with an open BLOCKING flag', () => {
    fc.assert(
      fc.property(arbitraryStart, fc.array(arbitraryCommand, { maxLength: 40 }), (start, commands) => {
        let current = given(...start);
        for (const command of commands) {
          let events: ProposalEvent[];
          try {
            events = decide(command, current);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          if (isTerminalStatus(current.status)) expect(events).toEqual([]);
          if (events.some((event) => event.type === 'ProposalVerified')) {
            expect(current.openFlags.filter((flag) => flag.severity === 'BLOCKING')).toEqual([]);
          }
          const before = current.status;
          current = events.reduce(evolve, current);
          if (isTerminalStatus(before)) expect(current.status).toBe(before);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('random runs visit every status (the generator is not vacuous)', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(arbitraryStart, fc.array(arbitraryCommand, { maxLength: 60 }), (start, commands) => {
        let current = given(...start);
        for (const command of commands) {
          try {
            current = decide(command, current).reduce(evolve, current);
          } catch {
            // rejected: the state stays
          }
          reached.add(current.status);
        }
      }),
      { numRuns: 300 },
    );
    expect([...reached]).toEqual(expect.arrayContaining(['none', ...Object.keys(HISTORIES)]));
  });

  const arbitraryEvent: fc.Arbitrary<ProposalEvent> = fc.constantFrom<ProposalEvent>(
    submitted(),
    submitted('REMOVE'),
    amended,
    withdrawn,
    tabled(),
    deliberated('APPROVED'),
    deliberated('REJECTED'),
    deliberated('DEFERRED'),
    flagRaised(),
    flagResolved(),
    flagResolved('WAGE_MATCH'),
    visited(),
    verified,
    returned,
    rejectedByDinsos,
    batched(),
    sent,
    accepted,
  );

  it('every event sequence folds without throwing', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 50 }), (events) => {
        expect(() => events.reduce(evolve, initialState())).not.toThrow();
      }),
    );
  });
});
