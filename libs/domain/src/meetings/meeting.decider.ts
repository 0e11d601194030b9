import { scopeCovers, type Actor } from '../access/roles';
import { assertWorkflowActor } from '../access/segregation';
import { DomainError } from '../domain-error';
import { villageKind } from '../regions/region-code';
import {
  AGENDA_PROPOSAL_STATUSES,
  type AddAgendaItem,
  type CancelMeeting,
  type ConcludeMeeting,
  type MeetingCommand,
  type MeetingDecision,
  type MeetingKind,
  type OpenMeeting,
  type RecordDecision,
  type RecordSignedMinutes,
  type ScheduleMeeting,
} from './meeting.commands';
import type { MeetingEvent, MinutedDecision } from './meeting.events';
import {
  parseMeetingDecision,
  parseMeetingEntityId,
  parseMeetingId,
  parseMeetingKind,
  parseMeetingReason,
  parseMinutesDigest,
  parsePeople,
  parsePersonName,
  parseQuorumPolicy,
  parseSignedCopyDigest,
  parseTimestamp,
  parseVenue,
  parseVillageCode,
  parseVotes,
} from './meeting.validation';
import { quorumShortfalls, shortfallDetails, type Attendee, type QuorumShortfall } from './quorum';

/** Where a meeting (musyawarah) stands: not yet scheduled, scheduled, in session, concluded, or cancelled. */
export type MeetingStatus = 'none' | 'scheduled' | 'open' | 'concluded' | 'cancelled';

/** A decision (keputusan) taken on one agenda item. */
export type AgendaDecision = { readonly decision: MeetingDecision; readonly reason: string };

/** A meeting folded from its stream. Revision-independent: the handler tracks the stream revision. */
export type MeetingState = {
  readonly status: MeetingStatus;
  readonly meetingId?: string;
  readonly villageCode?: string;
  readonly kind?: MeetingKind;
  readonly scheduledAt?: string;
  readonly venue?: string;
  /** Pimpinan musyawarah. */
  readonly chair?: string;
  /** Proposal ids on the agenda (acara), in the order they were added. */
  readonly agenda: readonly string[];
  /** The decision on each agenda item, by proposal id (an own property only once decided). */
  readonly decisions: Readonly<Record<string, AgendaDecision>>;
  /** The attendance list (daftar hadir), once opened. */
  readonly attendees: readonly Attendee[];
  readonly openedAt?: string;
  /** SHA-256 of the berita acara, once concluded. */
  readonly minutesDigest?: string;
  readonly signatories: readonly Attendee[];
  readonly cancellationReason?: string;
  /** SHA-256 of the scanned, signed paper berita acara, once recorded (only after conclusion). */
  readonly signedCopyDigest?: string;
};

export function initialState(): MeetingState {
  return { status: 'none', agenda: [], decisions: {}, attendees: [], signatories: [] };
}

/** A scheduled meeting, as the rules need it. */
type ExistingMeeting = MeetingState & {
  readonly status: Exclude<MeetingStatus, 'none'>;
  readonly meetingId: string;
  readonly villageCode: string;
  readonly chair: string;
};

const conflict = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('conflict', code, message, details);
const invalid = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('invalid', code, message, details);

/** True when the proposal already has a decision in this meeting (own properties only: ids like `constructor`). */
export function isAgendaItemDecided(state: MeetingState, proposalId: string): boolean {
  return Object.hasOwn(state.decisions, proposalId);
}

/** Agenda items without a decision yet, in agenda order. */
export function undecidedItems(state: MeetingState): string[] {
  return state.agenda.filter((proposalId) => !isAgendaItemDecided(state, proposalId));
}

/** Only a village operator (operator kelurahan/desa) records a meeting; administrators and auditors never do. */
function requireVillageOperator(actor: Actor): void {
  assertWorkflowActor(actor);
  if (actor.role !== 'VILLAGE_OPERATOR') {
    throw new DomainError('forbidden', 'VILLAGE_OPERATOR_REQUIRED', 'Only a village operator records a meeting.', {
      role: actor.role,
    });
  }
}

function requireScope(actor: Actor, villageCode: string): void {
  if (!scopeCovers(actor.scope, villageCode)) {
    throw new DomainError('forbidden', 'OUTSIDE_SCOPE', "The meeting's village lies outside this operator's scope.", {
      scope: actor.scope,
      villageCode,
    });
  }
}

/**
 * The meeting this command addresses, acted on by an operator of its village and neither cancelled nor concluded:
 * throws `MEETING_NOT_FOUND`, `MEETING_ID_MISMATCH`, `OUTSIDE_SCOPE`, `MEETING_CANCELLED` or `ALREADY_CONCLUDED`.
 */
function requireLive(state: MeetingState, meetingId: string, actor: Actor): ExistingMeeting {
  const meeting = requireExisting(state, meetingId, actor);
  if (meeting.status === 'cancelled') throw conflict('MEETING_CANCELLED', 'The meeting was cancelled.');
  if (meeting.status === 'concluded') throw conflict('ALREADY_CONCLUDED', 'The meeting has already concluded.');
  return meeting;
}

/**
 * The meeting this command addresses, acted on by an operator of its village, whatever its status: throws
 * `MEETING_NOT_FOUND`, `MEETING_ID_MISMATCH` or `OUTSIDE_SCOPE`.
 */
function requireExisting(state: MeetingState, meetingId: string, actor: Actor): ExistingMeeting {
  if (
    state.status === 'none' ||
    state.meetingId === undefined ||
    state.villageCode === undefined ||
    state.chair === undefined
  ) {
    throw new DomainError('not_found', 'MEETING_NOT_FOUND', 'No meeting with this id exists.');
  }
  if (state.meetingId !== meetingId) {
    throw invalid('MEETING_ID_MISMATCH', 'The command names another meeting than the one loaded.', {
      field: 'meetingId',
    });
  }
  const meeting: ExistingMeeting = {
    ...state,
    status: state.status,
    meetingId: state.meetingId,
    villageCode: state.villageCode,
    chair: state.chair,
  };
  requireScope(actor, meeting.villageCode);
  return meeting;
}

function requireInSession(meeting: ExistingMeeting): void {
  if (meeting.status !== 'open') {
    throw conflict('MEETING_NOT_IN_SESSION', 'The meeting is not in session.', { status: meeting.status });
  }
}

/** Kelurahan (digit 7 = 1) hold a MUSKEL; desa (digit 7 = 2) hold a MUSDES or a MUSDESUS. */
function requireKindFitsVillage(kind: MeetingKind, villageCode: string): void {
  const village = villageKind(villageCode);
  const fits = village === 'KELURAHAN' ? kind === 'MUSKEL' : kind === 'MUSDES' || kind === 'MUSDESUS';
  if (!fits) {
    throw invalid(
      'MEETING_KIND_MISMATCH',
      village === 'KELURAHAN' ? 'A kelurahan holds a MUSKEL.' : 'A desa holds a MUSDES or a MUSDESUS.',
      { kind, villageKind: village },
    );
  }
}

function schedule({ data, metadata: { actor } }: ScheduleMeeting, state: MeetingState): MeetingEvent[] {
  requireVillageOperator(actor);
  const meetingId = parseMeetingId(data.meetingId);
  const villageCode = parseVillageCode(data.villageCode, 'villageCode');
  const kind = parseMeetingKind(data.kind);
  const scheduledAt = parseTimestamp(data.scheduledAt, 'scheduledAt');
  const venue = parseVenue(data.venue);
  const chair = parsePersonName(data.chair, 'chair');
  requireScope(actor, villageCode);
  requireKindFitsVillage(kind, villageCode);
  if (state.status !== 'none') {
    throw conflict('MEETING_ALREADY_SCHEDULED', 'A meeting with this id is already scheduled.');
  }
  return [{ type: 'MeetingScheduled', data: { meetingId, villageCode, kind, scheduledAt, venue, chair } }];
}

function addAgendaItem({ data, metadata: { actor } }: AddAgendaItem, state: MeetingState): MeetingEvent[] {
  requireVillageOperator(actor);
  const meetingId = parseMeetingId(data.meetingId);
  const proposalId = parseMeetingEntityId(data.proposalId, 'proposalId');
  const proposalVillageCode = parseVillageCode(data.proposalVillageCode, 'proposalVillageCode');
  const meeting = requireLive(state, meetingId, actor);
  if (meeting.status !== 'scheduled') {
    throw conflict('AGENDA_CLOSED', 'The agenda closes when the meeting opens.', { status: meeting.status });
  }
  if (proposalVillageCode !== meeting.villageCode) {
    throw invalid('PROPOSAL_OF_ANOTHER_VILLAGE', 'A meeting deliberates only the proposals of its own village.', {
      proposalId,
    });
  }
  if (!AGENDA_PROPOSAL_STATUSES.includes(data.proposalStatus)) {
    throw conflict(
      'PROPOSAL_NOT_WAITING',
      'Only a proposal awaiting deliberation, or returned by Dinsos, may go on the agenda.',
      {
        proposalId,
      },
    );
  }
  if (meeting.agenda.includes(proposalId)) {
    throw conflict('ALREADY_ON_AGENDA', 'This proposal is already on the agenda.', { proposalId });
  }
  return [{ type: 'AgendaItemAdded', data: { proposalId } }];
}

function describeShortfall(shortfall: QuorumShortfall): string {
  switch (shortfall.missing) {
    case 'ATTENDEES':
      return `${shortfall.required} attendees are required and ${shortfall.present} are present`;
    case 'ROLE':
      return `no ${shortfall.role} is present`;
    case 'CHAIR':
      return 'the chair is not present';
    default: {
      const _exhaustive: never = shortfall;
      return 'the quorum is not met';
    }
  }
}

function open({ data, metadata: { actor } }: OpenMeeting, state: MeetingState): MeetingEvent[] {
  requireVillageOperator(actor);
  const meetingId = parseMeetingId(data.meetingId);
  const openedAt = parseTimestamp(data.openedAt, 'openedAt');
  const attendees = parsePeople(data.attendees, 'attendees', 'DUPLICATE_ATTENDEE');
  const policy = parseQuorumPolicy(data.quorumPolicy);
  const meeting = requireLive(state, meetingId, actor);
  if (meeting.status === 'open') throw conflict('MEETING_ALREADY_OPEN', 'The meeting is already in session.');
  if (meeting.agenda.length === 0) {
    throw conflict('EMPTY_AGENDA', 'A meeting opens only with at least one proposal on its agenda.');
  }
  const shortfalls = quorumShortfalls(policy, meeting.chair, attendees);
  const [first] = shortfalls;
  if (first !== undefined) {
    throw invalid('QUORUM_NOT_MET', `The quorum is not met: ${shortfalls.map(describeShortfall).join('; ')}.`, {
      ...shortfallDetails(first),
      shortfalls: shortfalls.length,
    });
  }
  return [{ type: 'MeetingOpened', data: { openedAt, attendees } }];
}

function recordDecision({ data, metadata: { actor } }: RecordDecision, state: MeetingState): MeetingEvent[] {
  requireVillageOperator(actor);
  const meetingId = parseMeetingId(data.meetingId);
  const proposalId = parseMeetingEntityId(data.proposalId, 'proposalId');
  const decision = parseMeetingDecision(data.decision);
  const reason = parseMeetingReason(data.reason);
  const votes = parseVotes(data.votes);
  const meeting = requireLive(state, meetingId, actor);
  requireInSession(meeting);
  if (!meeting.agenda.includes(proposalId)) {
    throw invalid('NOT_ON_AGENDA', 'This proposal is not on the agenda of this meeting.', { proposalId });
  }
  if (isAgendaItemDecided(meeting, proposalId)) {
    throw conflict('ALREADY_DECIDED', 'This meeting has already decided on this proposal.', { proposalId });
  }
  return [
    {
      type: 'DecisionRecorded',
      data: votes === undefined ? { proposalId, decision, reason } : { proposalId, decision, reason, votes },
    },
  ];
}

function conclude({ data, metadata: { actor } }: ConcludeMeeting, state: MeetingState): MeetingEvent[] {
  requireVillageOperator(actor);
  const meetingId = parseMeetingId(data.meetingId);
  const minutesDigest = parseMinutesDigest(data.minutesDigest);
  const signatories = parsePeople(data.signatories, 'signatories', 'DUPLICATE_SIGNATORY');
  if (signatories.length === 0) {
    throw invalid('NO_SIGNATORIES', 'The minutes (berita acara) need at least one signatory.', {
      field: 'signatories',
    });
  }
  const meeting = requireLive(state, meetingId, actor);
  requireInSession(meeting);
  const undecided = undecidedItems(meeting);
  if (undecided.length > 0) {
    throw conflict('UNDECIDED_ITEMS', 'Every agenda item needs a decision before the meeting concludes.', {
      undecided: undecided.length,
    });
  }
  const decisions: MinutedDecision[] = meeting.agenda.map((proposalId) => {
    const taken = meeting.decisions[proposalId];
    if (taken === undefined) throw conflict('UNDECIDED_ITEMS', 'Every agenda item needs a decision.');
    return { proposalId, decision: taken.decision, reason: taken.reason };
  });
  return [{ type: 'MeetingConcluded', data: { minutesDigest, signatories, decisions } }];
}

function cancel({ data, metadata: { actor } }: CancelMeeting, state: MeetingState): MeetingEvent[] {
  requireVillageOperator(actor);
  const meetingId = parseMeetingId(data.meetingId);
  const reason = parseMeetingReason(data.reason);
  requireLive(state, meetingId, actor);
  return [{ type: 'MeetingCancelled', data: { reason } }];
}

/**
 * Records the signed copy's digest on a concluded meeting. The same digest again decides nothing (a retried
 * request); another digest is refused, since correcting a recorded copy is not a feature yet.
 */
function recordSignedMinutes({ data, metadata: { actor } }: RecordSignedMinutes, state: MeetingState): MeetingEvent[] {
  requireVillageOperator(actor);
  const meetingId = parseMeetingId(data.meetingId);
  const signedCopyDigest = parseSignedCopyDigest(data.signedCopyDigest);
  const meeting = requireExisting(state, meetingId, actor);
  if (meeting.status === 'cancelled') throw conflict('MEETING_CANCELLED', 'The meeting was cancelled.');
  if (meeting.status !== 'concluded') {
    throw conflict('MEETING_NOT_CONCLUDED', 'The signed minutes are recorded once the meeting has concluded.', {
      status: meeting.status,
    });
  }
  if (meeting.signedCopyDigest === signedCopyDigest) return [];
  if (meeting.signedCopyDigest !== undefined) {
    throw conflict('SIGNED_COPY_ALREADY_RECORDED', 'Another signed copy of the minutes has already been recorded.');
  }
  return [{ type: 'SignedMinutesRecorded', data: { signedCopyDigest } }];
}

/** Decides what a command on a meeting's stream appends, or throws DomainError. */
export function decide(command: MeetingCommand, state: MeetingState): MeetingEvent[] {
  switch (command.type) {
    case 'ScheduleMeeting':
      return schedule(command, state);
    case 'AddAgendaItem':
      return addAgendaItem(command, state);
    case 'OpenMeeting':
      return open(command, state);
    case 'RecordDecision':
      return recordDecision(command, state);
    case 'ConcludeMeeting':
      return conclude(command, state);
    case 'CancelMeeting':
      return cancel(command, state);
    case 'RecordSignedMinutes':
      return recordSignedMinutes(command, state);
    default: {
      const _exhaustive: never = command;
      throw new DomainError('invalid', 'UNKNOWN_COMMAND', 'This command is not known for a meeting.');
    }
  }
}

/** Folds one event into the state. Events of unknown types leave it unchanged. */
export function evolve(state: MeetingState, event: MeetingEvent): MeetingState {
  switch (event.type) {
    case 'MeetingScheduled': {
      const { meetingId, villageCode, kind, scheduledAt, venue, chair } = event.data;
      return { ...state, status: 'scheduled', meetingId, villageCode, kind, scheduledAt, venue, chair };
    }
    case 'AgendaItemAdded':
      return { ...state, agenda: [...state.agenda, event.data.proposalId] };
    case 'MeetingOpened':
      return {
        ...state,
        status: 'open',
        openedAt: event.data.openedAt,
        attendees: event.data.attendees.map((attendee) => ({ ...attendee })),
      };
    case 'DecisionRecorded': {
      const { proposalId, decision, reason } = event.data;
      return { ...state, decisions: { ...state.decisions, [proposalId]: { decision, reason } } };
    }
    case 'MeetingConcluded':
      return {
        ...state,
        status: 'concluded',
        minutesDigest: event.data.minutesDigest,
        signatories: event.data.signatories.map((signatory) => ({ ...signatory })),
      };
    case 'MeetingCancelled':
      return { ...state, status: 'cancelled', cancellationReason: event.data.reason };
    case 'SignedMinutesRecorded':
      return { ...state, signedCopyDigest: event.data.signedCopyDigest };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** The meeting (musyawarah kelurahan/desa) decider (Emmett style). */
export const meetingDecider = { decide, evolve, initialState } as const;
