import fc from 'fast-check';
import { NATIONAL, type Actor } from '../access/roles';
import { DomainError, type DomainErrorKind } from '../domain-error';
import type { MeetingCommand, MeetingDecision, MeetingKind, MeetingVotes } from './meeting.commands';
import { decide, evolve, initialState, meetingDecider, undecidedItems, type MeetingState } from './meeting.decider';
import { MEETING_EVENT_TYPES, isMeetingEventType, meetingStreamName, type MeetingEvent } from './meeting.events';
import { DEFAULT_QUORUM_POLICY, type Attendee, type AttendeeRole, type QuorumPolicy } from './quorum';

const AT = '2025-03-10T09:00:00+07:00';
const MEETING = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
/** Metro, Kota Metro: a kelurahan (digit 7 = 1). */
const KELURAHAN = '1872011001';
/** A desa (digit 7 = 2). */
const DESA = '1801012001';
const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const CHAIR = 'Budi Santoso';

const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: KELURAHAN };
const desaOperator: Actor = { userId: 'u-desa', role: 'VILLAGE_OPERATOR', scope: DESA };
const neighbourOperator: Actor = { userId: 'u-neighbour', role: 'VILLAGE_OPERATOR', scope: '1872011002' };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: '1872' };
const admin: Actor = { userId: 'u-admin', role: 'ADMIN', scope: NATIONAL };
const system: Actor = { userId: 'cli', role: 'SYSTEM', scope: NATIONAL };
const auditor: Actor = { userId: 'u-auditor', role: 'AUDITOR', scope: NATIONAL };

const ATTENDEES: Attendee[] = [
  { name: CHAIR, role: 'LURAH' },
  { name: 'Siti Rahma', role: 'SECRETARY' },
  { name: 'Agus Salim', role: 'RT' },
  { name: 'Dewi Lestari', role: 'RW' },
  { name: 'Made Wirawan', role: 'PSM' },
];
const SIGNATORIES: Attendee[] = [
  { name: CHAIR, role: 'LURAH' },
  { name: 'Siti Rahma', role: 'SECRETARY' },
];

// Commands --------------------------------------------------------------------------------------------------------

const meta = (actor: Actor) => ({ actor, occurredAt: AT });
type ScheduleData = {
  meetingId: string;
  villageCode: string;
  kind: MeetingKind;
  scheduledAt: string;
  venue: string;
  chair: string;
};
const schedule = (actor: Actor = operator, data: Partial<ScheduleData> = {}): MeetingCommand => ({
  type: 'ScheduleMeeting',
  data: {
    meetingId: MEETING,
    villageCode: KELURAHAN,
    kind: 'MUSKEL',
    scheduledAt: AT,
    venue: 'Balai Kelurahan Metro',
    chair: CHAIR,
    ...data,
  },
  metadata: meta(actor),
});
const addItem = (
  proposalId: string,
  actor: Actor = operator,
  data: Partial<{ proposalVillageCode: string; proposalStatus: string; meetingId: string }> = {},
): MeetingCommand => ({
  type: 'AddAgendaItem',
  data: { meetingId: MEETING, proposalId, proposalVillageCode: KELURAHAN, proposalStatus: 'WAITING', ...data },
  metadata: meta(actor),
});
const openMeeting = (
  actor: Actor = operator,
  data: Partial<{ openedAt: string; attendees: readonly Attendee[]; quorumPolicy: QuorumPolicy }> = {},
): MeetingCommand => ({
  type: 'OpenMeeting',
  data: {
    meetingId: MEETING,
    openedAt: '2025-03-10T09:15:00+07:00',
    attendees: ATTENDEES,
    quorumPolicy: DEFAULT_QUORUM_POLICY,
    ...data,
  },
  metadata: meta(actor),
});
const recordDecision = (
  proposalId: string,
  decision: MeetingDecision = 'APPROVED',
  actor: Actor = operator,
  data: Partial<{ reason: string; votes: MeetingVotes }> = {},
): MeetingCommand => ({
  type: 'RecordDecision',
  data: { meetingId: MEETING, proposalId, decision, reason: 'Eligible by consensus', ...data },
  metadata: meta(actor),
});
const concludeMeeting = (
  actor: Actor = operator,
  data: Partial<{ minutesDigest: string; signatories: readonly Attendee[] }> = {},
): MeetingCommand => ({
  type: 'ConcludeMeeting',
  data: { meetingId: MEETING, minutesDigest: DIGEST, signatories: SIGNATORIES, ...data },
  metadata: meta(actor),
});
const recordSignedMinutes = (
  actor: Actor = operator,
  data: Partial<{ meetingId: string; signedCopyDigest: string }> = {},
): MeetingCommand => ({
  type: 'RecordSignedMinutes',
  data: { meetingId: MEETING, signedCopyDigest: SIGNED, ...data },
  metadata: meta(actor),
});
const cancelMeeting = (actor: Actor = operator, reason = 'The hall is flooded'): MeetingCommand => ({
  type: 'CancelMeeting',
  data: { meetingId: MEETING, reason },
  metadata: meta(actor),
});

// Events ----------------------------------------------------------------------------------------------------------

const scheduled = (villageCode = KELURAHAN, kind: MeetingKind = 'MUSKEL'): MeetingEvent => ({
  type: 'MeetingScheduled',
  data: { meetingId: MEETING, villageCode, kind, scheduledAt: AT, venue: 'Balai Kelurahan Metro', chair: CHAIR },
});
const added = (proposalId: string): MeetingEvent => ({ type: 'AgendaItemAdded', data: { proposalId } });
const opened: MeetingEvent = {
  type: 'MeetingOpened',
  data: { openedAt: '2025-03-10T09:15:00+07:00', attendees: ATTENDEES },
};
const decided = (proposalId: string, decision: MeetingDecision = 'APPROVED', reason = 'Eligible'): MeetingEvent => ({
  type: 'DecisionRecorded',
  data: { proposalId, decision, reason },
});
const concluded = (...proposalIds: string[]): MeetingEvent => ({
  type: 'MeetingConcluded',
  data: {
    minutesDigest: DIGEST,
    signatories: SIGNATORIES,
    decisions: proposalIds.map((proposalId) => ({ proposalId, decision: 'APPROVED', reason: 'Eligible' })),
  },
});
const cancelled: MeetingEvent = { type: 'MeetingCancelled', data: { reason: 'Postponed' } };
const SIGNED = `sha256:${'5e'.repeat(32)}`;
const signedRecorded = (signedCopyDigest = SIGNED): MeetingEvent => ({
  type: 'SignedMinutesRecorded',
  data: { signedCopyDigest },
});

// Given / when / then ---------------------------------------------------------------------------------------------

const given = (...events: MeetingEvent[]): MeetingState => events.reduce(evolve, initialState());
/** A meeting scheduled with p1 and p2 on its agenda. */
const withAgenda = () => given(scheduled(), added('p1'), added('p2'));
/** The same meeting, in session. */
const inSession = (...more: MeetingEvent[]) => given(scheduled(), added('p1'), added('p2'), opened, ...more);
const concludedEvents = () => [
  scheduled(),
  added('p1'),
  added('p2'),
  opened,
  decided('p1'),
  decided('p2'),
  concluded('p1', 'p2'),
];
const concludedMeeting = () => given(...concludedEvents());
const cancelledMeeting = () => given(scheduled(), added('p1'), cancelled);

function rejection(state: MeetingState, command: MeetingCommand): DomainError {
  try {
    decide(command, state);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error(`expected ${command.type} to be rejected`);
}

function expectRejection(
  state: MeetingState,
  command: MeetingCommand,
  kind: DomainErrorKind,
  code: string,
): DomainError {
  const error = rejection(state, command);
  expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
  return error;
}

/** One command of each type, against a state where it would otherwise be accepted or at least reach the rules. */
const everyCommand: [string, MeetingCommand][] = [
  ['AddAgendaItem', addItem('p3')],
  ['OpenMeeting', openMeeting()],
  ['RecordDecision', recordDecision('p1')],
  ['ConcludeMeeting', concludeMeeting()],
  ['CancelMeeting', cancelMeeting()],
];

describe('meetingDecider', () => {
  it('exposes decide, evolve and initialState', () => {
    expect(meetingDecider.decide).toBe(decide);
    expect(meetingDecider.evolve).toBe(evolve);
    expect(meetingDecider.initialState()).toEqual({
      status: 'none',
      agenda: [],
      decisions: {},
      attendees: [],
      signatories: [],
    });
  });

  it('runs a whole meeting: schedule, agenda, open, decide, conclude', () => {
    const commands = [
      schedule(),
      addItem('p1'),
      addItem('p2'),
      openMeeting(),
      recordDecision('p2', 'REJECTED', operator, { reason: 'Already receives aid' }),
      recordDecision('p1', 'APPROVED', operator, { votes: { for: 4, against: 0, abstain: 1 } }),
      concludeMeeting(),
    ];
    let state = initialState();
    const events: MeetingEvent[] = [];
    for (const command of commands) {
      const appended = decide(command, state);
      events.push(...appended);
      state = appended.reduce(evolve, state);
    }
    expect(events.map((event) => event.type)).toEqual([
      'MeetingScheduled',
      'AgendaItemAdded',
      'AgendaItemAdded',
      'MeetingOpened',
      'DecisionRecorded',
      'DecisionRecorded',
      'MeetingConcluded',
    ]);
    expect(state.status).toBe('concluded');
    expect(events.at(-1)).toEqual({
      type: 'MeetingConcluded',
      data: {
        minutesDigest: DIGEST,
        signatories: SIGNATORIES,
        decisions: [
          { proposalId: 'p1', decision: 'APPROVED', reason: 'Eligible by consensus' },
          { proposalId: 'p2', decision: 'REJECTED', reason: 'Already receives aid' },
        ],
      },
    });
  });
});

describe('who may act', () => {
  const commands: [string, MeetingCommand, MeetingState][] = [
    ['ScheduleMeeting', schedule(), given()],
    ...everyCommand.map(([name, command]): [string, MeetingCommand, MeetingState] => [name, command, inSession()]),
  ];

  describe.each(commands)('%s', (_name, command, state) => {
    it.each([
      [admin, 'ADMIN_NOT_IN_WORKFLOW'],
      [system, 'ADMIN_NOT_IN_WORKFLOW'],
      [auditor, 'AUDITOR_READ_ONLY'],
      [verifier, 'VILLAGE_OPERATOR_REQUIRED'],
      [neighbourOperator, 'OUTSIDE_SCOPE'],
      [desaOperator, 'OUTSIDE_SCOPE'],
    ])('rejects %o: %s (forbidden)', (actor, code) => {
      expectRejection(state, { ...command, metadata: meta(actor) }, 'forbidden', code);
    });
  });

  it('an operator scoped to the village itself is accepted', () => {
    expect(decide(schedule(operator), given())).toHaveLength(1);
  });
});

describe('ScheduleMeeting', () => {
  it('given no meeting, when the village operator schedules one, then MeetingScheduled (normalised)', () => {
    expect(
      decide(
        schedule(operator, { villageCode: '18.72.01.1001', venue: '  Balai Kelurahan Metro ', chair: ` ${CHAIR}  ` }),
        given(),
      ),
    ).toEqual([scheduled()]);
  });

  it.each<MeetingKind>(['MUSDES', 'MUSDESUS'])('a desa holds a %s', (kind) => {
    expect(decide(schedule(desaOperator, { villageCode: DESA, kind }), given())).toEqual([
      { ...scheduled(DESA, kind), data: { ...scheduled(DESA, kind).data, venue: 'Balai Kelurahan Metro' } },
    ]);
  });

  it.each<[string, MeetingKind, Actor]>([
    [KELURAHAN, 'MUSDES', operator],
    [KELURAHAN, 'MUSDESUS', operator],
    [DESA, 'MUSKEL', desaOperator],
  ])('a village %s may not hold a %s: MEETING_KIND_MISMATCH', (villageCode, kind, actor) => {
    const error = expectRejection(given(), schedule(actor, { villageCode, kind }), 'invalid', 'MEETING_KIND_MISMATCH');
    expect(error.details).toMatchObject({ kind });
  });

  it.each<[string, Partial<ScheduleData>, string]>([
    ['an id unfit for a stream name', { meetingId: 'a:b' }, 'INVALID_ID'],
    ['a regency code as village', { villageCode: '1872' }, 'INVALID_VILLAGE_CODE'],
    ['a malformed village code', { villageCode: '18720110' }, 'INVALID_VILLAGE_CODE'],
    ['an unknown kind', { kind: 'MUSRENBANG' as MeetingKind }, 'INVALID_MEETING_KIND'],
    ['a time without offset', { scheduledAt: '2025-03-10T09:00:00' }, 'INVALID_TIMESTAMP'],
    ['an impossible date', { scheduledAt: '2025-02-30T09:00:00+07:00' }, 'INVALID_TIMESTAMP'],
    ['an impossible hour', { scheduledAt: '2025-03-10T24:30:00Z' }, 'INVALID_TIMESTAMP'],
    ['a date only', { scheduledAt: '2025-03-10' }, 'INVALID_TIMESTAMP'],
    ['an empty venue', { venue: '   ' }, 'INVALID_VENUE'],
    ['a venue over 200 characters', { venue: 'x'.repeat(201) }, 'INVALID_VENUE'],
    ['an empty chair', { chair: ' ' }, 'INVALID_NAME'],
    ['a chair name over 120 characters', { chair: 'x'.repeat(121) }, 'INVALID_NAME'],
    ['a chair name with a control character', { chair: 'Budi\nSantoso' }, 'INVALID_NAME'],
  ])('rejects %s: %s', (_why, data, code) => {
    expectRejection(given(), schedule(operator, data), 'invalid', code);
  });

  it('accepts a chair name of exactly 120 characters and a UTC time with a fraction', () => {
    const events = decide(
      schedule(operator, { chair: 'x'.repeat(120), scheduledAt: '2025-03-10T02:00:00.5Z' }),
      given(),
    );
    expect(events[0]?.data).toMatchObject({ chair: 'x'.repeat(120), scheduledAt: '2025-03-10T02:00:00.5Z' });
  });

  it.each([
    ['scheduled', withAgenda()],
    ['open', inSession()],
    ['concluded', concludedMeeting()],
    ['cancelled', cancelledMeeting()],
  ])('a %s meeting may not be scheduled again: MEETING_ALREADY_SCHEDULED', (_status, state) => {
    expectRejection(state, schedule(), 'conflict', 'MEETING_ALREADY_SCHEDULED');
  });
});

describe('every command but ScheduleMeeting', () => {
  it.each(everyCommand)('%s on no meeting: MEETING_NOT_FOUND', (_name, command) => {
    expectRejection(given(), command, 'not_found', 'MEETING_NOT_FOUND');
  });

  it.each(everyCommand)('%s naming another meeting: MEETING_ID_MISMATCH', (_name, command) => {
    const other = { ...command, data: { ...command.data, meetingId: 'another-meeting' } } as MeetingCommand;
    expectRejection(inSession(), other, 'invalid', 'MEETING_ID_MISMATCH');
  });

  it.each(everyCommand)('%s on a cancelled meeting: MEETING_CANCELLED', (_name, command) => {
    expectRejection(cancelledMeeting(), command, 'conflict', 'MEETING_CANCELLED');
  });

  it.each(everyCommand)('%s on a concluded meeting: ALREADY_CONCLUDED', (_name, command) => {
    expectRejection(concludedMeeting(), command, 'conflict', 'ALREADY_CONCLUDED');
  });
});

describe('AddAgendaItem', () => {
  it('given a scheduled meeting, when a waiting proposal of its village is added, then AgendaItemAdded', () => {
    expect(decide(addItem('p3', operator, { proposalVillageCode: '18.72.01.1001' }), withAgenda())).toEqual([
      added('p3'),
    ]);
  });

  it('a proposal id that is also an Object property name works like any other', () => {
    const state = given(scheduled(), added('constructor'), opened);
    expect(decide(recordDecision('constructor'), state)).toHaveLength(1);
    expect(undecidedItems(state)).toEqual(['constructor']);
  });

  it('no item may be added once the meeting is open: AGENDA_CLOSED', () => {
    expectRejection(inSession(), addItem('p3'), 'conflict', 'AGENDA_CLOSED');
  });

  it('a proposal of another village: PROPOSAL_OF_ANOTHER_VILLAGE', () => {
    const error = expectRejection(
      withAgenda(),
      addItem('p3', operator, { proposalVillageCode: '1872011002' }),
      'invalid',
      'PROPOSAL_OF_ANOTHER_VILLAGE',
    );
    expect(error.details).toEqual({ proposalId: 'p3' });
  });

  it('a proposal returned by Dinsos goes on the agenda again', () => {
    expect(decide(addItem('p3', operator, { proposalStatus: 'RETURNED' }), withAgenda())).toEqual([
      { type: 'AgendaItemAdded', data: { proposalId: 'p3' } },
    ]);
  });

  it.each(['DRAFT', 'APPROVED', 'VERIFIED', 'waiting', ''])(
    'a proposal in status %p: PROPOSAL_NOT_WAITING',
    (proposalStatus) => {
      expectRejection(withAgenda(), addItem('p3', operator, { proposalStatus }), 'conflict', 'PROPOSAL_NOT_WAITING');
    },
  );

  it('the same proposal twice: ALREADY_ON_AGENDA', () => {
    expectRejection(withAgenda(), addItem('p1'), 'conflict', 'ALREADY_ON_AGENDA');
  });

  it.each<[string, MeetingCommand, string]>([
    ['a proposal id unfit for a stream', addItem('p 3'), 'INVALID_ID'],
    [
      'a district code as proposal village',
      addItem('p3', operator, { proposalVillageCode: '187201' }),
      'INVALID_VILLAGE_CODE',
    ],
  ])('rejects %s: %s', (_why, command, code) => {
    expectRejection(withAgenda(), command, 'invalid', code);
  });
});

describe('OpenMeeting', () => {
  it('given a scheduled meeting with an agenda and a quorum, then MeetingOpened (names trimmed)', () => {
    const attendees = ATTENDEES.map((attendee) => ({ ...attendee, name: `  ${attendee.name} ` }));
    expect(decide(openMeeting(operator, { attendees }), withAgenda())).toEqual([opened]);
  });

  it('the meeting is already in session: MEETING_ALREADY_OPEN', () => {
    expectRejection(inSession(), openMeeting(), 'conflict', 'MEETING_ALREADY_OPEN');
  });

  it('a meeting with nothing on its agenda: EMPTY_AGENDA', () => {
    expectRejection(given(scheduled()), openMeeting(), 'conflict', 'EMPTY_AGENDA');
  });

  describe('quorum', () => {
    it('too few attendees: QUORUM_NOT_MET with the count', () => {
      const error = expectRejection(
        withAgenda(),
        openMeeting(operator, { attendees: ATTENDEES.slice(0, 4) }),
        'invalid',
        'QUORUM_NOT_MET',
      );
      expect(error.details).toEqual({ missing: 'ATTENDEES', required: 5, present: 4, shortfalls: 1 });
    });

    it('a required role absent: QUORUM_NOT_MET naming the role', () => {
      const quorumPolicy: QuorumPolicy = {
        minimumAttendees: 3,
        requiredRoles: ['LURAH', 'TKSK'],
        chairMustAttend: true,
      };
      const error = expectRejection(withAgenda(), openMeeting(operator, { quorumPolicy }), 'invalid', 'QUORUM_NOT_MET');
      expect(error.details).toEqual({ missing: 'ROLE', role: 'TKSK', shortfalls: 1 });
    });

    it('the chair absent: QUORUM_NOT_MET naming the chair, never by name', () => {
      const attendees = [...ATTENDEES.slice(1), { name: 'Rina Wati', role: 'BPD' as const }];
      const error = expectRejection(withAgenda(), openMeeting(operator, { attendees }), 'invalid', 'QUORUM_NOT_MET');
      expect(error.details).toEqual({ missing: 'CHAIR', shortfalls: 1 });
      expect(error.message).not.toContain(CHAIR);
    });

    it('reports every shortfall in the message and the first in the details', () => {
      const quorumPolicy: QuorumPolicy = { minimumAttendees: 10, requiredRoles: ['BPD'], chairMustAttend: true };
      const error = expectRejection(
        withAgenda(),
        openMeeting(operator, { attendees: ATTENDEES.slice(1), quorumPolicy }),
        'invalid',
        'QUORUM_NOT_MET',
      );
      expect(error.details).toEqual({ missing: 'ATTENDEES', required: 10, present: 4, shortfalls: 3 });
      expect(error.message).toContain('no BPD is present');
      expect(error.message).toContain('the chair is not present');
    });

    it('matches the chair by name, case-insensitive and trimmed', () => {
      const attendees = [{ name: '  budi SANTOSO ', role: 'LURAH' as const }, ...ATTENDEES.slice(1)];
      expect(decide(openMeeting(operator, { attendees }), withAgenda())[0]?.type).toBe('MeetingOpened');
    });

    it('a policy that does not require the chair opens without them', () => {
      const quorumPolicy: QuorumPolicy = { minimumAttendees: 2, requiredRoles: [], chairMustAttend: false };
      const attendees = ATTENDEES.slice(1, 3);
      expect(decide(openMeeting(operator, { attendees, quorumPolicy }), withAgenda())).toHaveLength(1);
    });

    it('DEFAULT_QUORUM_POLICY: five attendees, no required role, the chair present', () => {
      expect(DEFAULT_QUORUM_POLICY).toEqual({ minimumAttendees: 5, requiredRoles: [], chairMustAttend: true });
    });
  });

  it.each<[string, Partial<{ openedAt: string; attendees: readonly Attendee[]; quorumPolicy: QuorumPolicy }>, string]>([
    ['an opening time without offset', { openedAt: '2025-03-10 09:15' }, 'INVALID_TIMESTAMP'],
    ['an attendee without a name', { attendees: [...ATTENDEES, { name: '  ', role: 'RT' }] }, 'INVALID_NAME'],
    [
      'an attendee name over 120 characters',
      { attendees: [...ATTENDEES, { name: 'y'.repeat(121), role: 'RT' }] },
      'INVALID_NAME',
    ],
    [
      'an unknown attendee role',
      { attendees: [...ATTENDEES, { name: 'Joko', role: 'CAMAT' as AttendeeRole }] },
      'INVALID_ATTENDEE_ROLE',
    ],
    [
      'the same person twice in the same role',
      { attendees: [...ATTENDEES, { name: ' agus salim ', role: 'RT' }] },
      'DUPLICATE_ATTENDEE',
    ],
    [
      'a negative minimum',
      { quorumPolicy: { ...DEFAULT_QUORUM_POLICY, minimumAttendees: -1 } },
      'INVALID_QUORUM_POLICY',
    ],
    [
      'a fractional minimum',
      { quorumPolicy: { ...DEFAULT_QUORUM_POLICY, minimumAttendees: 2.5 } },
      'INVALID_QUORUM_POLICY',
    ],
    [
      'an unknown required role',
      { quorumPolicy: { ...DEFAULT_QUORUM_POLICY, requiredRoles: ['CAMAT' as AttendeeRole] } },
      'INVALID_QUORUM_POLICY',
    ],
  ])('rejects %s: %s', (_why, data, code) => {
    expectRejection(withAgenda(), openMeeting(operator, data), 'invalid', code);
  });

  it('the same person may attend in two roles', () => {
    const attendees = [...ATTENDEES, { name: 'Agus Salim', role: 'COMMUNITY_LEADER' as const }];
    expect(decide(openMeeting(operator, { attendees }), withAgenda())).toHaveLength(1);
  });
});

describe('RecordDecision', () => {
  it('given a meeting in session, when a decision is recorded on an agenda item, then DecisionRecorded', () => {
    expect(
      decide(recordDecision('p1', 'DEFERRED', operator, { reason: '  Needs a field check ' }), inSession()),
    ).toEqual([
      { type: 'DecisionRecorded', data: { proposalId: 'p1', decision: 'DEFERRED', reason: 'Needs a field check' } },
    ]);
  });

  it('carries the votes when given', () => {
    const votes = { for: 7, against: 2, abstain: 0 };
    expect(decide(recordDecision('p2', 'REJECTED', operator, { votes }), inSession())[0]?.data).toEqual({
      proposalId: 'p2',
      decision: 'REJECTED',
      reason: 'Eligible by consensus',
      votes,
    });
  });

  it('a meeting not yet opened: MEETING_NOT_IN_SESSION', () => {
    expectRejection(withAgenda(), recordDecision('p1'), 'conflict', 'MEETING_NOT_IN_SESSION');
  });

  it('a proposal not on the agenda: NOT_ON_AGENDA', () => {
    expectRejection(inSession(), recordDecision('p9'), 'invalid', 'NOT_ON_AGENDA');
  });

  it('a second decision on the same proposal: ALREADY_DECIDED', () => {
    expectRejection(inSession(decided('p1')), recordDecision('p1', 'REJECTED'), 'conflict', 'ALREADY_DECIDED');
  });

  it('accepts a reason of exactly 1000 characters', () => {
    expect(decide(recordDecision('p1', 'APPROVED', operator, { reason: 'r'.repeat(1000) }), inSession())).toHaveLength(
      1,
    );
  });

  it.each<[string, MeetingCommand, string]>([
    ['an empty reason', recordDecision('p1', 'APPROVED', operator, { reason: '' }), 'INVALID_REASON'],
    ['a blank reason', recordDecision('p1', 'APPROVED', operator, { reason: '   ' }), 'INVALID_REASON'],
    [
      'a reason over 1000 characters',
      recordDecision('p1', 'APPROVED', operator, { reason: 'r'.repeat(1001) }),
      'INVALID_REASON',
    ],
    ['an unknown decision', recordDecision('p1', 'POSTPONED' as MeetingDecision), 'INVALID_DECISION'],
    [
      'negative votes',
      recordDecision('p1', 'APPROVED', operator, { votes: { for: -1, against: 0, abstain: 0 } }),
      'INVALID_VOTES',
    ],
    [
      'fractional votes',
      recordDecision('p1', 'APPROVED', operator, { votes: { for: 1, against: 0.5, abstain: 0 } }),
      'INVALID_VOTES',
    ],
    [
      'NaN votes',
      recordDecision('p1', 'APPROVED', operator, { votes: { for: 1, against: 0, abstain: Number.NaN } }),
      'INVALID_VOTES',
    ],
    [
      'votes missing a count',
      recordDecision('p1', 'APPROVED', operator, { votes: { for: 1, against: 0 } as MeetingVotes }),
      'INVALID_VOTES',
    ],
    ['a proposal id unfit for a stream', recordDecision('p/1'), 'INVALID_ID'],
  ])('rejects %s: %s', (_why, command, code) => {
    expectRejection(inSession(), command, 'invalid', code);
  });
});

describe('ConcludeMeeting', () => {
  it('given every agenda item decided, then MeetingConcluded listing the decisions in agenda order', () => {
    const state = inSession(decided('p2', 'REJECTED', 'Moved away'), decided('p1', 'DEFERRED', 'Needs a visit'));
    expect(decide(concludeMeeting(), state)).toEqual([
      {
        type: 'MeetingConcluded',
        data: {
          minutesDigest: DIGEST,
          signatories: SIGNATORIES,
          decisions: [
            { proposalId: 'p1', decision: 'DEFERRED', reason: 'Needs a visit' },
            { proposalId: 'p2', decision: 'REJECTED', reason: 'Moved away' },
          ],
        },
      },
    ]);
  });

  it('a meeting not yet opened: MEETING_NOT_IN_SESSION', () => {
    expectRejection(withAgenda(), concludeMeeting(), 'conflict', 'MEETING_NOT_IN_SESSION');
  });

  it.each([
    [[], 2],
    [[decided('p1')], 1],
  ])('undecided items remain: UNDECIDED_ITEMS with the count', (decisions, count) => {
    const error = expectRejection(inSession(...decisions), concludeMeeting(), 'conflict', 'UNDECIDED_ITEMS');
    expect(error.details).toEqual({ undecided: count });
  });

  it.each([
    ['uppercase hex', `sha256:${'AB12'.repeat(16)}`],
    ['no prefix', 'ab12'.repeat(16)],
    ['63 digits', `sha256:${'a'.repeat(63)}`],
    ['65 digits', `sha256:${'a'.repeat(65)}`],
    ['another algorithm', `sha1:${'a'.repeat(64)}`],
    ['a non-hex digit', `sha256:${'g'.repeat(64)}`],
  ])('a minutes digest with %s: INVALID_MINUTES_DIGEST', (_why, minutesDigest) => {
    expectRejection(
      inSession(decided('p1'), decided('p2')),
      concludeMeeting(operator, { minutesDigest }),
      'invalid',
      'INVALID_MINUTES_DIGEST',
    );
  });

  it.each<[string, readonly Attendee[], string]>([
    ['no signatory', [], 'NO_SIGNATORIES'],
    ['the same signatory twice', [...SIGNATORIES, { name: 'SITI RAHMA', role: 'SECRETARY' }], 'DUPLICATE_SIGNATORY'],
    ['a signatory without a name', [{ name: '', role: 'LURAH' }], 'INVALID_NAME'],
    ['a signatory with an unknown role', [{ name: 'Joko', role: 'CAMAT' as AttendeeRole }], 'INVALID_ATTENDEE_ROLE'],
  ])('rejects %s: %s', (_why, signatories, code) => {
    expectRejection(
      inSession(decided('p1'), decided('p2')),
      concludeMeeting(operator, { signatories }),
      'invalid',
      code,
    );
  });
});

describe('RecordSignedMinutes', () => {
  it('given a concluded meeting, when the operator records the signed copy, then SignedMinutesRecorded', () => {
    const events = decide(recordSignedMinutes(), concludedMeeting());
    expect(events).toEqual([{ type: 'SignedMinutesRecorded', data: { signedCopyDigest: SIGNED } }]);
    expect(events.reduce(evolve, concludedMeeting())).toMatchObject({
      status: 'concluded',
      minutesDigest: DIGEST,
      signedCopyDigest: SIGNED,
    });
  });

  it('given the same digest already recorded, then nothing is decided (a retry)', () => {
    expect(decide(recordSignedMinutes(), given(...concludedEvents(), signedRecorded()))).toEqual([]);
  });

  it('given another digest already recorded: SIGNED_COPY_ALREADY_RECORDED', () => {
    expectRejection(
      given(...concludedEvents(), signedRecorded(`sha256:${'0'.repeat(64)}`)),
      recordSignedMinutes(),
      'conflict',
      'SIGNED_COPY_ALREADY_RECORDED',
    );
  });

  it.each([
    ['scheduled', withAgenda()],
    ['open', inSession(decided('p1'), decided('p2'))],
  ])('a %s meeting, not yet concluded: MEETING_NOT_CONCLUDED', (_status, state) => {
    const error = expectRejection(state, recordSignedMinutes(), 'conflict', 'MEETING_NOT_CONCLUDED');
    expect(error.details).toEqual({ status: _status });
  });

  it('a cancelled meeting: MEETING_CANCELLED', () => {
    expectRejection(cancelledMeeting(), recordSignedMinutes(), 'conflict', 'MEETING_CANCELLED');
  });

  it('no meeting: MEETING_NOT_FOUND; another meeting: MEETING_ID_MISMATCH', () => {
    expectRejection(given(), recordSignedMinutes(), 'not_found', 'MEETING_NOT_FOUND');
    expectRejection(
      concludedMeeting(),
      recordSignedMinutes(operator, { meetingId: 'another-meeting' }),
      'invalid',
      'MEETING_ID_MISMATCH',
    );
  });

  it.each([
    [admin, 'ADMIN_NOT_IN_WORKFLOW'],
    [system, 'ADMIN_NOT_IN_WORKFLOW'],
    [auditor, 'AUDITOR_READ_ONLY'],
    [verifier, 'VILLAGE_OPERATOR_REQUIRED'],
    [neighbourOperator, 'OUTSIDE_SCOPE'],
    [desaOperator, 'OUTSIDE_SCOPE'],
  ])('rejects %o: %s (forbidden)', (actor, code) => {
    expectRejection(concludedMeeting(), recordSignedMinutes(actor), 'forbidden', code);
  });

  it.each([
    ['uppercase hex', `sha256:${'AB12'.repeat(16)}`],
    ['no prefix', 'ab12'.repeat(16)],
    ['63 digits', `sha256:${'a'.repeat(63)}`],
    ['another algorithm', `sha1:${'a'.repeat(64)}`],
  ])('a signed copy digest with %s: INVALID_SIGNED_COPY_DIGEST', (_why, signedCopyDigest) => {
    const error = expectRejection(
      concludedMeeting(),
      recordSignedMinutes(operator, { signedCopyDigest }),
      'invalid',
      'INVALID_SIGNED_COPY_DIGEST',
    );
    expect(error.details).toEqual({ field: 'signedCopyDigest' });
  });
});

describe('CancelMeeting', () => {
  it.each([
    ['scheduled', withAgenda()],
    ['open', inSession(decided('p1'))],
  ])('a %s meeting may be cancelled: MeetingCancelled', (_status, state) => {
    expect(decide(cancelMeeting(operator, '  The hall is flooded '), state)).toEqual([
      { type: 'MeetingCancelled', data: { reason: 'The hall is flooded' } },
    ]);
  });

  it.each(['', '   ', 'c'.repeat(1001)])('a missing or over-long reason: INVALID_REASON', (reason) => {
    expectRejection(withAgenda(), cancelMeeting(operator, reason), 'invalid', 'INVALID_REASON');
  });
});

describe('evolve', () => {
  it('folds the life of a meeting', () => {
    const state = given(scheduled(), added('p1'), added('p2'), opened, decided('p1', 'REJECTED', 'Moved'));
    expect(state).toEqual({
      status: 'open',
      meetingId: MEETING,
      villageCode: KELURAHAN,
      kind: 'MUSKEL',
      scheduledAt: AT,
      venue: 'Balai Kelurahan Metro',
      chair: CHAIR,
      agenda: ['p1', 'p2'],
      decisions: { p1: { decision: 'REJECTED', reason: 'Moved' } },
      attendees: ATTENDEES,
      openedAt: '2025-03-10T09:15:00+07:00',
      signatories: [],
    });
    expect(undecidedItems(state)).toEqual(['p2']);
    expect(evolve(state, concluded('p1'))).toMatchObject({
      status: 'concluded',
      minutesDigest: DIGEST,
      signatories: SIGNATORIES,
    });
    expect(evolve(state, cancelled)).toMatchObject({ status: 'cancelled', cancellationReason: 'Postponed' });
  });

  it('does not alter the state it is given', () => {
    const state = withAgenda();
    const copy = structuredClone(state);
    evolve(state, added('p3'));
    evolve(state, decided('p1'));
    expect(state).toEqual(copy);
  });
});

describe('stream and event names', () => {
  it('names the stream meeting-<id> and refuses ids unfit for a stream name', () => {
    expect(meetingStreamName(MEETING)).toBe(`meeting-${MEETING}`);
    expect(() => meetingStreamName('a:b')).toThrow(expect.objectContaining({ code: 'INVALID_ID' }));
  });

  it('lists the event types', () => {
    expect(MEETING_EVENT_TYPES).toEqual([
      'MeetingScheduled',
      'AgendaItemAdded',
      'MeetingOpened',
      'DecisionRecorded',
      'MeetingConcluded',
      'MeetingCancelled',
      'SignedMinutesRecorded',
    ]);
    expect(isMeetingEventType('DecisionRecorded')).toBe(true);
    expect(isMeetingEventType('UserRegistered')).toBe(false);
  });
});

describe('property: any sequence of commands', () => {
  const actors = fc.oneof(
    { arbitrary: fc.constant(operator), weight: 12 },
    { arbitrary: fc.constantFrom(neighbourOperator, verifier, admin), weight: 1 },
  );
  const proposals = fc.constantFrom('p1', 'p2', 'constructor');
  const villages = fc.constantFrom(KELURAHAN, KELURAHAN, '1872011002');
  const statuses = fc.constantFrom('WAITING', 'WAITING', 'WAITING', 'APPROVED');
  const decisions = fc.constantFrom<MeetingDecision>('APPROVED', 'REJECTED', 'DEFERRED');
  const people = fc.oneof(
    fc.constant(ATTENDEES),
    fc.constant([...ATTENDEES, { name: 'Rina Wati', role: 'BPD' as const }]),
    fc.subarray([...ATTENDEES, { name: 'Rina Wati', role: 'BPD' as const }], { minLength: 0 }),
  );
  const policies = fc.constantFrom<QuorumPolicy>(
    DEFAULT_QUORUM_POLICY,
    { minimumAttendees: 2, requiredRoles: [], chairMustAttend: false },
    { minimumAttendees: 3, requiredRoles: ['BPD'], chairMustAttend: true },
  );
  const digests = fc.constantFrom(DIGEST, 'sha256:nope');
  const command: fc.Arbitrary<MeetingCommand> = fc.oneof(
    {
      weight: 2,
      arbitrary: fc
        .tuple(actors, fc.constantFrom<MeetingKind>('MUSKEL', 'MUSDES'))
        .map(([a, kind]) => schedule(a, { kind })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(proposals, actors, villages, statuses)
        .map(([p, a, proposalVillageCode, proposalStatus]) => addItem(p, a, { proposalVillageCode, proposalStatus })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(actors, people, policies)
        .map(([a, attendees, quorumPolicy]) => openMeeting(a, { attendees, quorumPolicy })),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(proposals, decisions, actors, fc.constantFrom('ok', 'ok', ''))
        .map(([p, d, a, reason]) => recordDecision(p, d, a, { reason })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(actors, digests, people)
        .map(([a, minutesDigest, signatories]) => concludeMeeting(a, { minutesDigest, signatories })),
    },
    { weight: 1, arbitrary: actors.map((a) => cancelMeeting(a)) },
  );

  const reached = { concluded: 0, cancelled: 0 };

  afterAll(() => {
    expect(reached.concluded).toBeGreaterThan(0);
    expect(reached.cancelled).toBeGreaterThan(0);
  });

  it('only ever rejects with a DomainError, and keeps the invariants', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(command, { minLength: 20, maxLength: 60 }), (startScheduled, commands) => {
        let state = startScheduled ? given(scheduled()) : initialState();
        for (const candidate of commands) {
          const before = state;
          let events: MeetingEvent[] = [];
          try {
            events = decide(candidate, state);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          // Nothing changes after conclusion or cancellation.
          expect(before.status === 'concluded' || before.status === 'cancelled').toBe(false);
          expect(candidate.metadata.actor).toBe(operator);
          expect(events).toHaveLength(1);
          for (const event of events) {
            if (event.type === 'MeetingConcluded') {
              expect(event.data.decisions.map((d) => d.proposalId)).toEqual(state.agenda);
            }
          }
          state = events.reduce(evolve, state);
        }
        // decisions ⊆ agenda, agenda without duplicates
        for (const proposalId of Object.keys(state.decisions)) expect(state.agenda).toContain(proposalId);
        expect(new Set(state.agenda).size).toBe(state.agenda.length);
        // concluded ⇒ every agenda item decided; opened only with an agenda
        if (state.status === 'concluded') {
          reached.concluded += 1;
          expect(undecidedItems(state)).toEqual([]);
          expect(state.minutesDigest).toBe(DIGEST);
        }
        if (state.status === 'cancelled') reached.cancelled += 1;
        if (state.status === 'open' || state.status === 'concluded') expect(state.agenda.length).toBeGreaterThan(0);
        if (state.status !== 'open' && state.status !== 'concluded') {
          expect(Object.keys(state.decisions).length === 0 || state.status === 'cancelled').toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a concluded or cancelled meeting rejects every command', () => {
    fc.assert(
      fc.property(fc.constantFrom(concludedMeeting(), cancelledMeeting()), command, (state, candidate) => {
        expect(() => decide(candidate, state)).toThrow(DomainError);
      }),
      { numRuns: 300 },
    );
  });
});
