import fc from 'fast-check';
import type { Actor } from '../access/roles';
import { DomainError, type DomainErrorKind } from '../domain-error';
import { formatNik, type RemovalReason } from '../identity';
import type { Relationship } from '../proposals/proposal.commands';
import type { HouseholdCommand, HouseholdMemberInput } from './household.commands';
import {
  activeMembers,
  decide,
  evolve,
  headOf,
  householdDecider,
  initialState,
  memberByNik,
  type HouseholdState,
} from './household.decider';
import {
  HOUSEHOLD_EVENT_TYPES,
  householdStreamName,
  isHouseholdEventType,
  type HouseholdEvent,
} from './household.events';

const AT = '2025-03-01T09:00:00+07:00';
const HH = '5f0c5a3e-8f1d-4c2a-9e57-3a1f2b4c5d6e';
const VILLAGE = '1872011001';
const NEIGHBOUR = '1872011002';
const IMPORT = 'import-2025-01';
const P_ADD = 'p-add';
const P = 'p-1';
const NIK_HEAD = '3515140508680001';
const NIK_SPOUSE = '3515144508680002';
const NIK_CHILD = formatNik({ regionCode: '351514', birthDate: '1995-03-12', sex: 'F', serial: 3 });
const NIK_NEW = formatNik({ regionCode: '351514', birthDate: '2001-07-30', sex: 'M', serial: 4 });
const KK = '3515140101200001';
const KK_NEW = '3515140202210002';

const system: Actor = { userId: 'reactor', role: 'SYSTEM', scope: 'NATIONAL' };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: '1872' };
const foreignVerifier: Actor = { userId: 'u-foreign', role: 'VERIFIER', scope: '1871' };
const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: VILLAGE };
const admin: Actor = { userId: 'u-admin', role: 'ADMIN', scope: 'NATIONAL' };
const auditor: Actor = { userId: 'u-auditor', role: 'AUDITOR', scope: 'NATIONAL' };

// Commands --------------------------------------------------------------------------------------------------------

const meta = (actor: Actor) => ({ actor, occurredAt: AT });
const member = (overrides: Partial<HouseholdMemberInput> = {}): HouseholdMemberInput => ({
  memberId: 'm-head',
  nik: NIK_HEAD,
  name: 'Budi Santoso',
  sex: 'M',
  birthDate: '1968-08-05',
  relationship: 'HEAD',
  ...overrides,
});
const spouse = member({
  memberId: 'm-spouse',
  nik: NIK_SPOUSE,
  name: 'Siti Aminah',
  sex: 'F',
  relationship: 'SPOUSE',
});
const child = member({
  memberId: 'm-child',
  nik: NIK_CHILD,
  name: 'Dewi Lestari',
  sex: 'F',
  birthDate: '1995-03-12',
  relationship: 'CHILD',
});
const newcomer = member({
  memberId: 'm-new',
  nik: NIK_NEW,
  name: 'Agus Salim',
  birthDate: '2001-07-30',
  relationship: 'GRANDCHILD',
});

type EnrolData = Extract<HouseholdCommand, { type: 'EnrolHousehold' }>['data'];
const enrol = (actor: Actor = system, data: Partial<EnrolData> = {}): HouseholdCommand => ({
  type: 'EnrolHousehold',
  data: {
    householdId: HH,
    source: 'PROPOSAL',
    proposalId: P_ADD,
    villageCode: VILLAGE,
    address: 'Jl. Merdeka 1',
    rt: '001',
    rw: '002',
    kkNumber: KK,
    members: [member(), spouse, child],
    ...data,
  },
  metadata: meta(actor),
});
const baseline = (actor: Actor = verifier, data: Partial<EnrolData> = {}): HouseholdCommand =>
  enrol(actor, { source: 'BASELINE_IMPORT', proposalId: undefined, importId: IMPORT, ...data });
const correct = (
  changes: Record<string, string>,
  actor: Actor = system,
  proposalId = P,
  householdId = HH,
): HouseholdCommand => ({
  type: 'CorrectHousehold',
  data: { householdId, proposalId, changes },
  metadata: meta(actor),
});
const add = (joining: HouseholdMemberInput = newcomer, actor: Actor = system, proposalId = P): HouseholdCommand => ({
  type: 'AddMember',
  data: { householdId: HH, proposalId, member: joining },
  metadata: meta(actor),
});
const remove = (
  memberId: string,
  newHeadMemberId?: string,
  actor: Actor = system,
  proposalId = P,
  reason: RemovalReason = 'DECEASED',
): HouseholdCommand => ({
  type: 'RemoveMember',
  data: {
    householdId: HH,
    proposalId,
    memberId,
    reason,
    ...(newHeadMemberId === undefined ? {} : { newHeadMemberId }),
  },
  metadata: meta(actor),
});
const relocate = (toVillageCode = NEIGHBOUR, actor: Actor = system, proposalId = P): HouseholdCommand => ({
  type: 'RelocateHousehold',
  data: { householdId: HH, proposalId, toVillageCode, address: 'Jl. Baru 9', rt: '003', rw: '004' },
  metadata: meta(actor),
});
const deactivate = (
  actor: Actor = system,
  proposalId = P,
  reason: RemovalReason = 'NO_LONGER_ELIGIBLE',
): HouseholdCommand => ({
  type: 'DeactivateHousehold',
  data: { householdId: HH, proposalId, reason },
  metadata: meta(actor),
});
const reactivate = (
  actor: Actor = system,
  proposalId = 'p-back',
  reason = 'Deactivated in error',
): HouseholdCommand => ({
  type: 'ReactivateHousehold',
  data: { householdId: HH, proposalId, reason },
  metadata: meta(actor),
});

// Given / when / then ---------------------------------------------------------------------------------------------

const given = (...events: HouseholdEvent[]): HouseholdState => events.reduce(evolve, initialState());
const run = (...commands: HouseholdCommand[]): HouseholdState =>
  commands.reduce((state, command) => decide(command, state).reduce(evolve, state), initialState());

const ENROLLED = (): HouseholdState => run(enrol());
const INACTIVE = (): HouseholdState => run(enrol(), deactivate(system, 'p-off'));

function rejection(current: HouseholdState, command: HouseholdCommand): DomainError {
  try {
    decide(command, current);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error(`expected ${command.type} to be rejected`);
}

const PERSONAL = [NIK_HEAD, NIK_SPOUSE, NIK_CHILD, NIK_NEW, KK, KK_NEW, 'Budi', 'Siti', 'Dewi', 'Agus', '1968-08-05'];

/** A rejection never echoes personal data (DESIGN.md section 7). */
function expectNoPersonalData(error: DomainError): void {
  const text = `${error.message} ${JSON.stringify(error.details ?? {})}`;
  for (const secret of PERSONAL) expect(text).not.toContain(secret);
}

function expectRejection(
  current: HouseholdState,
  command: HouseholdCommand,
  kind: DomainErrorKind,
  code: string,
): DomainError {
  const error = rejection(current, command);
  expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
  expectNoPersonalData(error);
  return error;
}

const typesOf = (events: HouseholdEvent[]) => events.map((event) => event.type);

describe('householdDecider', () => {
  it('exposes decide, evolve and initialState', () => {
    expect(householdDecider.decide).toBe(decide);
    expect(householdDecider.evolve).toBe(evolve);
    expect(householdDecider.initialState()).toEqual({ status: 'none', history: [], members: {}, appliedProposals: [] });
  });

  it('names the stream household-<id> and rejects ids unfit for a stream name', () => {
    expect(householdStreamName(HH)).toBe(`household-${HH}`);
    expect(() => householdStreamName('a:b')).toThrow(DomainError);
  });

  it('lists every event type', () => {
    expect(HOUSEHOLD_EVENT_TYPES).toHaveLength(8);
    expect(isHouseholdEventType('MemberRemoved')).toBe(true);
    expect(isHouseholdEventType('ProposalSubmitted')).toBe(false);
  });

  it('the queries find nothing before enrolment', () => {
    expect(activeMembers(initialState())).toEqual([]);
    expect(headOf(initialState())).toBeUndefined();
    expect(memberByNik(initialState(), NIK_HEAD)).toBeUndefined();
  });
});

describe('EnrolHousehold', () => {
  it('SYSTEM enrols from an accepted ADD: the event names the proposal; village normalised', () => {
    const events = decide(enrol(system, { villageCode: '18.72.01.1001', kkNumber: ` ${KK} ` }), initialState());
    expect(events).toEqual([
      {
        type: 'HouseholdEnrolled',
        data: {
          source: 'PROPOSAL',
          proposalId: P_ADD,
          householdId: HH,
          villageCode: VILLAGE,
          address: 'Jl. Merdeka 1',
          rt: '001',
          rw: '002',
          kkNumber: KK,
          members: [member(), spouse, child],
        },
      },
    ]);
    const state = given(...events);
    expect(state).toMatchObject({
      status: 'ACTIVE',
      householdId: HH,
      source: 'PROPOSAL',
      location: { villageCode: VILLAGE, address: 'Jl. Merdeka 1', rt: '001', rw: '002' },
      kkNumber: KK,
      history: [{ kkNumber: KK, cause: { proposalId: P_ADD } }],
      appliedProposals: [P_ADD],
    });
    expect(activeMembers(state).map((m) => m.memberId)).toEqual(['m-head', 'm-spouse', 'm-child']);
    expect(headOf(state)?.memberId).toBe('m-head');
    expect(memberByNik(state, ` ${NIK_SPOUSE} `)?.memberId).toBe('m-spouse');
    expect(state.members['m-child']).toMatchObject({ status: 'ACTIVE', addedBy: { proposalId: P_ADD } });
  });

  it.each<[string, Actor]>([
    ['a verifier of the regency', verifier],
    ['SYSTEM', system],
  ])('%s enrols from the baseline import: the event names the import', (_who, actor) => {
    const [event] = decide(baseline(actor), initialState());
    expect(event?.data).toMatchObject({ source: 'BASELINE_IMPORT', importId: IMPORT });
    expect(event?.data).not.toHaveProperty('proposalId');
    expect(given(...(event === undefined ? [] : [event]))).toMatchObject({
      history: [{ kkNumber: KK, cause: { importId: IMPORT } }],
      appliedProposals: [],
    });
  });

  it.each<[string, HouseholdCommand, string]>([
    ['a verifier enrolling by proposal', enrol(verifier), 'REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS'],
    ['a verifier of another regency', baseline(foreignVerifier), 'OUTSIDE_SCOPE'],
    ['a village operator', baseline(operator), 'REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS'],
    ['an administrator', baseline(admin), 'REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS'],
    ['an auditor', enrol(auditor), 'REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS'],
  ])('%s is forbidden: %s', (_who, command, code) => {
    expectRejection(initialState(), command, 'forbidden', code);
  });

  it('enrolling the same household twice is HOUSEHOLD_ALREADY_ENROLLED', () => {
    expectRejection(ENROLLED(), enrol(system, { proposalId: 'p-other' }), 'conflict', 'HOUSEHOLD_ALREADY_ENROLLED');
    expectRejection(INACTIVE(), baseline(), 'conflict', 'HOUSEHOLD_ALREADY_ENROLLED');
  });

  it.each<[string, Partial<EnrolData>, string]>([
    ['a bad household id', { householdId: 'a:b' }, 'INVALID_ID'],
    ['an unknown source', { source: 'MIGRATION' as EnrolData['source'] }, 'INVALID_SOURCE'],
    ['a regency as village', { villageCode: '1872' }, 'INVALID_VILLAGE_CODE'],
    ['PROPOSAL without proposalId', { proposalId: undefined }, 'PROPOSAL_ID_REQUIRED'],
    ['PROPOSAL with an importId', { importId: IMPORT }, 'FIELD_NOT_ALLOWED'],
    ['a bad proposal id', { proposalId: 'p:1' }, 'INVALID_ID'],
    ['an empty address', { address: '  ' }, 'INVALID_ADDRESS'],
    ['an RT of 4 digits', { rt: '0001' }, 'INVALID_RT_RW'],
    ['a letter in the RW', { rw: '0A' }, 'INVALID_RT_RW'],
    ['a malformed KK number', { kkNumber: '3515140001200001' }, 'KK_INVALID'],
    ['no member', { members: [] }, 'MEMBERS_REQUIRED'],
    ['31 members', { members: Array.from({ length: 31 }, () => member()) }, 'TOO_MANY_MEMBERS'],
    ['no HEAD', { members: [spouse, child] }, 'HEAD_REQUIRED'],
    ['two HEADs', { members: [member(), { ...spouse, relationship: 'HEAD' }] }, 'MORE_THAN_ONE_HEAD'],
    ['a repeated member id', { members: [member(), { ...spouse, memberId: 'm-head' }] }, 'DUPLICATE_MEMBER'],
    ['a repeated NIK', { members: [member(), { ...spouse, nik: NIK_HEAD }] }, 'DUPLICATE_MEMBER'],
    ['a member without id', { members: [member({ memberId: '' })] }, 'INVALID_ID'],
    ['an empty name', { members: [member({ name: ' ' })] }, 'INVALID_MEMBER_NAME'],
    ['an unknown sex', { members: [member({ sex: 'X' as 'M' })] }, 'INVALID_SEX'],
    ['an impossible birth date', { members: [member({ birthDate: '1968-02-30' })] }, 'INVALID_BIRTH_DATE'],
    [
      'an unknown relationship',
      { members: [member({ relationship: 'COUSIN' as Relationship })] },
      'INVALID_RELATIONSHIP',
    ],
  ])('%s is invalid: %s', (_what, data, code) => {
    expectRejection(initialState(), enrol(system, data), 'invalid', code);
  });

  it.each<[string, Partial<EnrolData>, string]>([
    ['BASELINE_IMPORT without importId', { importId: undefined }, 'IMPORT_ID_REQUIRED'],
    ['BASELINE_IMPORT with a proposalId', { proposalId: P }, 'FIELD_NOT_ALLOWED'],
  ])('%s is invalid: %s', (_what, data, code) => {
    expectRejection(initialState(), baseline(system, data), 'invalid', code);
  });

  it.each<[string, string, string]>([
    ['15 digits', NIK_SPOUSE.slice(1), 'NOT_16_DIGITS'],
    ['a day 32', '3515143208680002', 'BAD_DAY'],
    ['a serial 0000', '3515144508680000', 'ZERO_SERIAL'],
  ])('a member NIK of %s: NIK_INVALID with the member index and reason, never the NIK', (_what, nik, reason) => {
    const error = expectRejection(
      initialState(),
      enrol(system, { members: [member(), { ...spouse, nik }] }),
      'invalid',
      'NIK_INVALID',
    );
    expect(error.details).toEqual({ field: 'members[1].nik', index: 1, reason });
    expect(`${error.message}${JSON.stringify(error.details)}`).not.toContain(nik);
  });

  it('a duplicate reports the index of the second occurrence', () => {
    const error = rejection(
      initialState(),
      enrol(system, { members: [member(), spouse, { ...child, nik: NIK_SPOUSE }] }),
    );
    expect(error.details).toEqual({ field: 'members[2]', index: 2 });
  });
});

describe('who may change an enrolled household', () => {
  const COMMANDS: readonly [string, (actor: Actor) => HouseholdCommand][] = [
    ['CorrectHousehold', (actor) => correct({ address: 'Jl. Merdeka 2' }, actor)],
    ['AddMember', (actor) => add(newcomer, actor)],
    ['RemoveMember', (actor) => remove('m-child', undefined, actor)],
    ['RelocateHousehold', (actor) => relocate(NEIGHBOUR, actor)],
    ['DeactivateHousehold', (actor) => deactivate(actor)],
  ];

  it.each(COMMANDS)('SYSTEM applies %s: one event naming the proposal', (_type, command) => {
    const events = decide(command(system), ENROLLED());
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ proposalId: P });
    expect(given(...[...(run(enrol()) === undefined ? [] : [])], ...events).status).toBeDefined();
  });

  it.each(
    COMMANDS.flatMap(([type, command]) =>
      [verifier, operator, admin, auditor].map((actor) => [type, actor.role, command(actor)] as const),
    ),
  )('%s by a %s is REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS', (_type, _role, command) => {
    expectRejection(ENROLLED(), command, 'forbidden', 'REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS');
  });

  it.each([...COMMANDS, ['ReactivateHousehold', (actor: Actor) => reactivate(actor)] as const])(
    '%s on a household not on the registry is HOUSEHOLD_NOT_FOUND',
    (_type, command) => {
      expectRejection(initialState(), command(system), 'not_found', 'HOUSEHOLD_NOT_FOUND');
    },
  );

  it.each(COMMANDS)('%s on a deactivated household is HOUSEHOLD_INACTIVE', (_type, command) => {
    expectRejection(INACTIVE(), command(system), 'conflict', 'HOUSEHOLD_INACTIVE');
  });

  it('a command for another household id is HOUSEHOLD_ID_MISMATCH', () => {
    expectRejection(ENROLLED(), correct({ rt: '009' }, system, P, 'hh-other'), 'invalid', 'HOUSEHOLD_ID_MISMATCH');
  });

  it('a proposal already applied is PROPOSAL_ALREADY_APPLIED (the ADD that enrolled it, or a later one)', () => {
    expectRejection(ENROLLED(), correct({ rt: '009' }, system, P_ADD), 'conflict', 'PROPOSAL_ALREADY_APPLIED');
    const corrected = run(enrol(), correct({ rt: '009' }));
    expectRejection(corrected, add(newcomer, system, P), 'conflict', 'PROPOSAL_ALREADY_APPLIED');
  });

  it('a bad proposal id is INVALID_ID', () => {
    expectRejection(ENROLLED(), deactivate(system, 'p:1'), 'invalid', 'INVALID_ID');
  });
});

describe('CorrectHousehold', () => {
  it('records only the fields that change', () => {
    expect(decide(correct({ address: 'Jl. Merdeka 2', rt: '001', rw: '005' }), ENROLLED())).toEqual([
      { type: 'HouseholdCorrected', data: { proposalId: P, changes: { address: 'Jl. Merdeka 2', rw: '005' } } },
    ]);
  });

  it('a new KK number is a new version, with the proposal that changed it', () => {
    const state = run(enrol(), correct({ kkNumber: KK_NEW }));
    expect(state.kkNumber).toBe(KK_NEW);
    expect(state.history).toEqual([
      { kkNumber: KK, cause: { proposalId: P_ADD } },
      { kkNumber: KK_NEW, cause: { proposalId: P } },
    ]);
    expect(state.location).toMatchObject({ address: 'Jl. Merdeka 1', rt: '001', rw: '002' });
  });

  it.each<[string, Record<string, string>, DomainErrorKind, string]>([
    ['no change', {}, 'invalid', 'CHANGES_REQUIRED'],
    ['a field it does not correct', { name: 'x' }, 'invalid', 'FIELD_NOT_ALLOWED'],
    ['a bad KK number', { kkNumber: '123' }, 'invalid', 'KK_INVALID'],
    ['a bad RT', { rt: 'x' }, 'invalid', 'INVALID_RT_RW'],
    ['an empty address', { address: '' }, 'invalid', 'INVALID_ADDRESS'],
    ['the current data again', { kkNumber: KK, rt: '001' }, 'conflict', 'NOTHING_TO_CORRECT'],
  ])('%s: %s', (_what, changes, kind, code) => {
    expectRejection(ENROLLED(), correct(changes), kind, code);
  });
});

describe('AddMember', () => {
  it('adds a member with the proposal as its cause', () => {
    const state = run(enrol(), add());
    expect(activeMembers(state)).toHaveLength(4);
    expect(memberByNik(state, NIK_NEW)).toMatchObject({
      memberId: 'm-new',
      status: 'ACTIVE',
      addedBy: { proposalId: P },
    });
  });

  it('a person removed earlier may join again under a new member id', () => {
    const state = run(enrol(), remove('m-child'), add({ ...child, memberId: 'm-child-2' }, system, 'p-2'));
    expect(memberByNik(state, NIK_CHILD)?.memberId).toBe('m-child-2');
    expect(state.members['m-child']?.status).toBe('REMOVED');
  });

  it.each<[string, HouseholdState, HouseholdMemberInput, DomainErrorKind, string]>([
    ['an existing member id', ENROLLED(), { ...newcomer, memberId: 'm-child' }, 'conflict', 'DUPLICATE_MEMBER'],
    [
      'the id of a removed member',
      run(enrol(), remove('m-child', undefined, system, 'p-rm')),
      { ...newcomer, memberId: 'm-child' },
      'conflict',
      'DUPLICATE_MEMBER',
    ],
    ['the NIK of an active member', ENROLLED(), { ...newcomer, nik: NIK_SPOUSE }, 'conflict', 'DUPLICATE_MEMBER'],
    ['a second HEAD', ENROLLED(), { ...newcomer, relationship: 'HEAD' }, 'conflict', 'HEAD_EXISTS'],
    ['a malformed NIK', ENROLLED(), { ...newcomer, nik: '1234' }, 'invalid', 'NIK_INVALID'],
    ['an empty name', ENROLLED(), { ...newcomer, name: '' }, 'invalid', 'INVALID_MEMBER_NAME'],
  ])('%s', (_what, state, joining, kind, code) => {
    expectRejection(state, add(joining), kind, code);
  });

  it('a member NIK error names the field, not an index', () => {
    expect(rejection(ENROLLED(), add({ ...newcomer, nik: '1234' })).details).toEqual({
      field: 'member.nik',
      reason: 'NOT_16_DIGITS',
    });
  });

  it('a household of 30 members takes no more: TOO_MANY_MEMBERS', () => {
    const others = Array.from({ length: 29 }, (_, i) =>
      member({
        memberId: `m-${i}`,
        nik: formatNik({ regionCode: '351514', birthDate: '1990-01-01', sex: 'M', serial: i + 10 }),
        relationship: 'CHILD',
      }),
    );
    const full = run(enrol(system, { members: [member(), ...others] }));
    expectRejection(full, add(), 'conflict', 'TOO_MANY_MEMBERS');
  });
});

describe('RemoveMember', () => {
  it('removes a member, who stays in the state for auditors', () => {
    const events = decide(remove('m-child', undefined, system, P, 'MOVED'), ENROLLED());
    expect(events).toEqual([{ type: 'MemberRemoved', data: { proposalId: P, memberId: 'm-child', reason: 'MOVED' } }]);
    const state = events.reduce(evolve, ENROLLED());
    expect(activeMembers(state).map((m) => m.memberId)).toEqual(['m-head', 'm-spouse']);
    expect(state.members['m-child']).toMatchObject({
      nik: NIK_CHILD,
      status: 'REMOVED',
      removal: { proposalId: P, reason: 'MOVED' },
    });
    expect(memberByNik(state, NIK_CHILD)).toBeUndefined();
  });

  it('removing the HEAD names the new HEAD', () => {
    const state = run(enrol(), remove('m-head', 'm-spouse'));
    expect(headOf(state)?.memberId).toBe('m-spouse');
    expect(state.members['m-head']?.status).toBe('REMOVED');
    expect(activeMembers(state).filter((m) => m.relationship === 'HEAD')).toHaveLength(1);
  });

  const ALONE = run(enrol(system, { members: [member()] }));
  it.each<[string, HouseholdState, HouseholdCommand, DomainErrorKind, string]>([
    ['an unknown member', ENROLLED(), remove('m-nobody'), 'not_found', 'MEMBER_NOT_FOUND'],
    [
      'a member already removed',
      run(enrol(), remove('m-child')),
      remove('m-child', undefined, system, 'p-2'),
      'not_found',
      'MEMBER_NOT_FOUND',
    ],
    ['the last member', ALONE, remove('m-head'), 'conflict', 'LAST_MEMBER'],
    ['the HEAD without a new HEAD', ENROLLED(), remove('m-head'), 'invalid', 'NEW_HEAD_REQUIRED'],
    ['the HEAD as its own successor', ENROLLED(), remove('m-head', 'm-head'), 'invalid', 'NEW_HEAD_INVALID'],
    ['the HEAD with an unknown successor', ENROLLED(), remove('m-head', 'm-nobody'), 'not_found', 'MEMBER_NOT_FOUND'],
    ['a new HEAD named for a non-HEAD', ENROLLED(), remove('m-child', 'm-spouse'), 'invalid', 'NEW_HEAD_NOT_ALLOWED'],
    [
      'an unknown reason',
      ENROLLED(),
      remove('m-child', undefined, system, P, 'BORED' as RemovalReason),
      'invalid',
      'INVALID_REMOVAL_REASON',
    ],
    ['a bad member id', ENROLLED(), remove('m:1'), 'invalid', 'INVALID_ID'],
  ])('%s', (_what, state, command, kind, code) => {
    expectRejection(state, command, kind, code);
  });
});

describe('RelocateHousehold', () => {
  it('moves the household to another village, recording from and to', () => {
    const events = decide(relocate('18.72.01.1002'), ENROLLED());
    expect(events).toEqual([
      {
        type: 'HouseholdRelocated',
        data: {
          proposalId: P,
          from: { villageCode: VILLAGE, address: 'Jl. Merdeka 1', rt: '001', rw: '002' },
          to: { villageCode: NEIGHBOUR, address: 'Jl. Baru 9', rt: '003', rw: '004' },
        },
      },
    ]);
    expect(events.reduce(evolve, ENROLLED()).location?.villageCode).toBe(NEIGHBOUR);
  });

  it.each<[string, string, string]>([
    ['the same village', VILLAGE, 'SAME_VILLAGE'],
    ['a district code', '187201', 'INVALID_VILLAGE_CODE'],
  ])('to %s: %s', (_what, village, code) => {
    expectRejection(ENROLLED(), relocate(village), 'invalid', code);
  });
});

describe('DeactivateHousehold and ReactivateHousehold', () => {
  it('deactivates with a removal reason; only a reactivation brings it back', () => {
    const off = run(enrol(), deactivate(system, 'p-off', 'DECEASED'));
    expect(off).toMatchObject({ status: 'INACTIVE', deactivation: { proposalId: 'p-off', reason: 'DECEASED' } });
    const events = decide(reactivate(), off);
    expect(events).toEqual([
      { type: 'HouseholdReactivated', data: { proposalId: 'p-back', reason: 'Deactivated in error' } },
    ]);
    expect(events.reduce(evolve, off)).toMatchObject({ status: 'ACTIVE', deactivation: undefined });
  });

  it.each<[string, HouseholdState, HouseholdCommand, DomainErrorKind, string]>([
    [
      'an unknown removal reason',
      ENROLLED(),
      deactivate(system, P, 'BORED' as RemovalReason),
      'invalid',
      'INVALID_REMOVAL_REASON',
    ],
    ['reactivating an active household', ENROLLED(), reactivate(), 'conflict', 'HOUSEHOLD_ACTIVE'],
    ['reactivating without a reason', INACTIVE(), reactivate(system, 'p-back', ' '), 'invalid', 'INVALID_REASON'],
    [
      'reactivating by a verifier',
      INACTIVE(),
      reactivate(verifier),
      'forbidden',
      'REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS',
    ],
    ['deactivating twice', INACTIVE(), deactivate(system, 'p-2'), 'conflict', 'HOUSEHOLD_INACTIVE'],
  ])('%s', (_what, state, command, kind, code) => {
    expectRejection(state, command, kind, code);
  });
});

// Properties ------------------------------------------------------------------------------------------------------

const POOL_NIKS = Array.from({ length: 6 }, (_, i) =>
  formatNik({ regionCode: '351514', birthDate: '1980-05-17', sex: i % 2 === 0 ? 'M' : 'F', serial: i + 1 }),
);
const MEMBER_IDS = ['m-head', 'm-spouse', 'm-child', 'm-1', 'm-2', 'm-3', 'm-4'];
const RELATIONSHIPS_USED: readonly Relationship[] = ['HEAD', 'SPOUSE', 'CHILD', 'OTHER'];
const ACTORS = [system, system, system, verifier, operator];
const arbitraryProposal = fc.integer({ min: 1, max: 60 }).map((n) => `p-${n}`);
const arbitraryMember: fc.Arbitrary<HouseholdMemberInput> = fc
  .tuple(
    fc.constantFrom(...MEMBER_IDS),
    fc.constantFrom(...POOL_NIKS, NIK_HEAD),
    fc.constantFrom(...RELATIONSHIPS_USED),
  )
  .map(([memberId, nik, relationship]) => member({ memberId, nik, relationship, name: 'Warga' }));

const arbitraryCommand: fc.Arbitrary<HouseholdCommand> = fc.oneof(
  fc.tuple(fc.constantFrom(...ACTORS), arbitraryProposal).map(([actor, p]) => enrol(actor, { proposalId: p })),
  fc
    .tuple(
      fc.constantFrom(...ACTORS),
      arbitraryProposal,
      fc.record(
        { address: fc.constantFrom('Jl. A', 'Jl. B'), kkNumber: fc.constantFrom(KK, KK_NEW) },
        { requiredKeys: [] },
      ),
    )
    .map(([actor, p, changes]) => correct(changes, actor, p)),
  fc.tuple(arbitraryMember, fc.constantFrom(...ACTORS), arbitraryProposal).map(([m, actor, p]) => add(m, actor, p)),
  fc.tuple(arbitraryMember, fc.constantFrom(...ACTORS), arbitraryProposal).map(([m, actor, p]) => add(m, actor, p)),
  fc
    .tuple(
      fc.constantFrom(...MEMBER_IDS),
      fc.option(fc.constantFrom(...MEMBER_IDS), { nil: undefined }),
      fc.constantFrom(...ACTORS),
      arbitraryProposal,
    )
    .map(([id, head, actor, p]) => remove(id, head, actor, p)),
  fc
    .tuple(fc.constantFrom(VILLAGE, NEIGHBOUR), fc.constantFrom(...ACTORS), arbitraryProposal)
    .map(([v, actor, p]) => relocate(v, actor, p)),
  fc.tuple(fc.constantFrom(...ACTORS), arbitraryProposal).map(([actor, p]) => deactivate(actor, p)),
  fc.tuple(fc.constantFrom(...ACTORS), arbitraryProposal).map(([actor, p]) => reactivate(actor, p)),
  fc
    .tuple(
      fc.constantFrom(...MEMBER_IDS),
      fc.constantFrom('PADAN' as const, 'TIDAK_PADAN' as const),
      fc.constantFrom(...ACTORS),
    )
    .map(([memberId, result, actor]): HouseholdCommand => ({
      type: 'RecordDukcapilResult',
      data: { householdId: HH, memberId, result, reference: `DKC-${result}`, importId: 'reference-import-1' },
      metadata: { actor, occurredAt: AT },
    })),
);

const arbitraryStart = fc.constantFrom<readonly HouseholdCommand[]>(
  [],
  [enrol()],
  [enrol(system, { members: [member()] })],
  [baseline()],
);

describe('properties', () => {
  it('over random command sequences the registry invariants hold', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(arbitraryStart, fc.array(arbitraryCommand, { maxLength: 40 }), (start, commands) => {
        let current = run(...start);
        for (const command of commands) {
          let events: HouseholdEvent[];
          try {
            events = decide(command, current);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expectNoPersonalData(error as DomainError);
            continue;
          }
          // A deactivated household changes only by reactivation.
          if (current.status === 'INACTIVE') expect(typesOf(events)).toEqual(['HouseholdReactivated']);
          current = events.reduce(evolve, current);
          for (const event of events) reached.add(event.type);
          if (current.status === 'ACTIVE') {
            const active = activeMembers(current);
            expect(active.length).toBeGreaterThanOrEqual(1);
            expect(active.filter((m) => m.relationship === 'HEAD')).toHaveLength(1);
            expect(new Set(active.map((m) => m.nik)).size).toBe(active.length);
            expect(current.history.at(-1)?.kkNumber).toBe(current.kkNumber);
          }
        }
      }),
      { numRuns: 500 },
    );
    expect([...reached]).toEqual(expect.arrayContaining([...HOUSEHOLD_EVENT_TYPES]));
  });
});
