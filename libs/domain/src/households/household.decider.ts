import { scopeCovers, type Actor } from '../access/roles';
import { DomainError } from '../domain-error';
import { parseRemovalReason, type RemovalReason } from '../identity';
import { MAX_MEMBERS, parseOneOf, parseText, parseVillageCode } from '../proposals/proposal.validation';
import { parseId } from '../users/user.validation';
import {
  ENROLMENT_SOURCES,
  type AddMember,
  type CorrectHousehold,
  type DeactivateHousehold,
  type EnrolHousehold,
  type EnrolmentSource,
  type HouseholdCommand,
  type ReactivateHousehold,
  type RecordDukcapilResult,
  type RelocateHousehold,
  type RemoveMember,
} from './household.commands';
import type {
  EnrolmentCause,
  HouseholdCorrected,
  HouseholdEvent,
  HouseholdLocation,
  HouseholdMember,
} from './household.events';
import { parseAddress, parseHouseholdKk, parseMember, parseMembers, parseRtRw } from './household.validation';

/**
 * The registry entry of one household (DTKS/DTSEN), stream `household-<uuid>` (DESIGN.md section 4):
 *
 * ```
 * none --Enrolled--> ACTIVE --Corrected | MemberAdded | MemberRemoved | Relocated--> ACTIVE
 *                    ACTIVE --Deactivated--> INACTIVE --Reactivated--> ACTIVE
 * ```
 * The household id is ours and stable; the KK number is a versioned attribute (`history`). Registry changes come
 * only from the baseline import and from accepted proposals: every event after the baseline names its proposal.
 */
export const HOUSEHOLD_STATUSES = ['ACTIVE', 'INACTIVE'] as const;
export type HouseholdStatus = (typeof HOUSEHOLD_STATUSES)[number];

/** The cause of a change: the baseline import or an accepted proposal. */
export type RegistryCause = { readonly importId: string } | { readonly proposalId: string };

/** One version of the household's KK number and what introduced it. */
export type KkVersion = { readonly kkNumber: string; readonly cause: RegistryCause };

/** A member with the current data; removed members stay (for auditors) with the removal's proposal and reason. */
export type MemberRecord = HouseholdMember & {
  readonly status: 'ACTIVE' | 'REMOVED';
  readonly addedBy: RegistryCause;
  readonly removal?: { readonly proposalId: string; readonly reason: RemovalReason };
};

/** A household folded from its stream. */
export type HouseholdState = {
  readonly status: HouseholdStatus | 'none';
  readonly householdId?: string;
  readonly source?: EnrolmentSource;
  readonly location?: HouseholdLocation;
  /** The current KK number (the last of `history`). */
  readonly kkNumber?: string;
  /** Every KK number the household has had, oldest first. */
  readonly history: readonly KkVersion[];
  /** By member id, in order of enrolment, removed members included. */
  readonly members: Readonly<Record<string, MemberRecord>>;
  /** Proposals already applied to this household (a proposal applies once). */
  readonly appliedProposals: readonly string[];
  readonly deactivation?: { readonly proposalId: string; readonly reason: RemovalReason };
  /** Dukcapil's latest NIK matching result per member id (absent until one is recorded). */
  readonly dukcapil?: Readonly<
    Record<string, { readonly result: 'PADAN' | 'TIDAK_PADAN'; readonly reference: string }>
  >;
};

export function initialState(): HouseholdState {
  return { status: 'none', history: [], members: {}, appliedProposals: [] };
}

type ExistingHousehold = HouseholdState & {
  readonly status: HouseholdStatus;
  readonly householdId: string;
  readonly location: HouseholdLocation;
  readonly kkNumber: string;
};

// Queries ----------------------------------------------------------------------------------------------------------

/** The members currently in the household, in order of enrolment. */
export function activeMembers(state: HouseholdState): MemberRecord[] {
  return Object.values(state.members).filter((member) => member.status === 'ACTIVE');
}

/** The active member with this NIK (trimmed), if any. */
export function memberByNik(state: HouseholdState, nik: string): MemberRecord | undefined {
  const wanted = nik.trim();
  return activeMembers(state).find((member) => member.nik === wanted);
}

/** The active HEAD (kepala keluarga), if the household exists. */
export function headOf(state: HouseholdState): MemberRecord | undefined {
  return activeMembers(state).find((member) => member.relationship === 'HEAD');
}

// Rules ------------------------------------------------------------------------------------------------------------

const conflict = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('conflict', code, message, details);
const invalid = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('invalid', code, message, details);
const memberNotFound = (field: string) =>
  new DomainError('not_found', 'MEMBER_NOT_FOUND', 'No active member with this id is in the household.', { field });

const THROUGH_PROPOSALS = 'The registry changes only through accepted proposals (or the baseline import).';

/**
 * Who may change the registry: SYSTEM (the reactor that applies accepted proposals, and the baseline import) for
 * everything; a VERIFIER whose regency covers the village only to enrol from the baseline import (`OUTSIDE_SCOPE`
 * for another regency). Anyone else: `REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS`.
 */
function authorize(actor: Actor, baselineVillage?: string): void {
  if (actor.role === 'SYSTEM') return;
  if (actor.role === 'VERIFIER' && baselineVillage !== undefined) {
    if (scopeCovers(actor.scope, baselineVillage)) return;
    throw new DomainError('forbidden', 'OUTSIDE_SCOPE', "The household's village lies outside this user's scope.", {
      scope: actor.scope,
      villageCode: baselineVillage,
    });
  }
  throw new DomainError('forbidden', 'REGISTRY_CHANGES_ONLY_THROUGH_PROPOSALS', THROUGH_PROPOSALS, {
    role: actor.role,
  });
}

function requireExisting(state: HouseholdState, householdId: string): ExistingHousehold {
  const id = parseId(householdId, 'householdId');
  const { status, location, kkNumber } = state;
  if (status === 'none' || state.householdId === undefined || location === undefined || kkNumber === undefined) {
    throw new DomainError('not_found', 'HOUSEHOLD_NOT_FOUND', 'No household with this id is on the registry.');
  }
  if (state.householdId !== id) {
    throw invalid('HOUSEHOLD_ID_MISMATCH', 'The householdId does not match this stream.', { field: 'householdId' });
  }
  return { ...state, status, householdId: state.householdId, location, kkNumber };
}

/**
 * The common guard of every change after enrolment: SYSTEM only, the household exists, the proposal id is fit and
 * not yet applied (`PROPOSAL_ALREADY_APPLIED`), and the household is active (`HOUSEHOLD_INACTIVE`) unless
 * `whenInactive`.
 */
function requireChange(
  actor: Actor,
  state: HouseholdState,
  data: { readonly householdId: string; readonly proposalId: string },
  whenInactive = false,
): { readonly household: ExistingHousehold; readonly proposalId: string } {
  authorize(actor);
  const household = requireExisting(state, data.householdId);
  const proposalId = parseId(data.proposalId, 'proposalId');
  if (household.status === 'INACTIVE' && !whenInactive) {
    throw conflict('HOUSEHOLD_INACTIVE', 'The household is deactivated: only a reactivation changes it.');
  }
  if (household.appliedProposals.includes(proposalId)) {
    throw conflict('PROPOSAL_ALREADY_APPLIED', 'This proposal was already applied to the household.', { proposalId });
  }
  return { household, proposalId };
}

function activeMember(household: HouseholdState, memberId: string, field: string): MemberRecord {
  const member = household.members[memberId];
  if (member === undefined || member.status !== 'ACTIVE') throw memberNotFound(field);
  return member;
}

function parseCause(data: EnrolHousehold['data'], source: EnrolmentSource): EnrolmentCause {
  switch (source) {
    case 'BASELINE_IMPORT':
      if (data.proposalId !== undefined) {
        throw invalid('FIELD_NOT_ALLOWED', 'A baseline enrolment carries an importId, not a proposalId.', {
          field: 'proposalId',
        });
      }
      if (data.importId === undefined) {
        throw invalid('IMPORT_ID_REQUIRED', 'A baseline enrolment names its import.', { field: 'importId' });
      }
      return { source, importId: parseId(data.importId, 'importId') };
    case 'PROPOSAL':
      if (data.importId !== undefined) {
        throw invalid('FIELD_NOT_ALLOWED', 'An enrolment by proposal carries a proposalId, not an importId.', {
          field: 'importId',
        });
      }
      if (data.proposalId === undefined) {
        throw invalid('PROPOSAL_ID_REQUIRED', 'An enrolment by proposal names the accepted proposal.', {
          field: 'proposalId',
        });
      }
      return { source, proposalId: parseId(data.proposalId, 'proposalId') };
    default: {
      const _exhaustive: never = source;
      throw invalid('INVALID_SOURCE', 'Unknown enrolment source.', { field: 'source' });
    }
  }
}

function enrol({ data, metadata: { actor } }: EnrolHousehold, state: HouseholdState): HouseholdEvent[] {
  const householdId = parseId(data.householdId, 'householdId');
  const source = parseOneOf(ENROLMENT_SOURCES, data.source, 'source', 'INVALID_SOURCE');
  const villageCode = parseVillageCode(data.villageCode, 'villageCode');
  authorize(actor, source === 'BASELINE_IMPORT' ? villageCode : undefined);
  const cause = parseCause(data, source);
  const address = parseAddress(data.address);
  const rt = parseRtRw(data.rt, 'rt');
  const rw = parseRtRw(data.rw, 'rw');
  const kkNumber = parseHouseholdKk(data.kkNumber);
  const members = parseMembers(data.members);
  if (state.status !== 'none') {
    throw conflict('HOUSEHOLD_ALREADY_ENROLLED', 'A household with this id is already on the registry.');
  }
  return [
    { type: 'HouseholdEnrolled', data: { ...cause, householdId, villageCode, address, rt, rw, kkNumber, members } },
  ];
}

const CHANGE_FIELDS = ['address', 'rt', 'rw', 'kkNumber'] as const;

function correct({ data, metadata: { actor } }: CorrectHousehold, state: HouseholdState): HouseholdEvent[] {
  const { household, proposalId } = requireChange(actor, state, data);
  const given: Readonly<Record<string, unknown>> =
    typeof data.changes === 'object' && data.changes !== null ? data.changes : {};
  const unknown = Object.keys(given).find((key) => !(CHANGE_FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw invalid('FIELD_NOT_ALLOWED', `A correction changes only ${CHANGE_FIELDS.join(', ')}.`, {
      field: 'changes',
    });
  }
  if (CHANGE_FIELDS.every((field) => given[field] === undefined)) {
    throw invalid('CHANGES_REQUIRED', 'A correction names at least one change.', { field: 'changes' });
  }
  const asked = {
    address: given['address'] === undefined ? undefined : parseAddress(given['address'], 'changes.address'),
    rt: given['rt'] === undefined ? undefined : parseRtRw(given['rt'], 'changes.rt'),
    rw: given['rw'] === undefined ? undefined : parseRtRw(given['rw'], 'changes.rw'),
    kkNumber: given['kkNumber'] === undefined ? undefined : parseHouseholdKk(given['kkNumber'], 'changes.kkNumber'),
  };
  const current = { ...household.location, kkNumber: household.kkNumber };
  const changes: { -readonly [K in keyof HouseholdCorrected['data']['changes']]: string } = {};
  for (const field of CHANGE_FIELDS) {
    const value = asked[field];
    if (value !== undefined && value !== current[field]) changes[field] = value;
  }
  if (Object.keys(changes).length === 0) {
    throw conflict('NOTHING_TO_CORRECT', 'The correction repeats the current data.');
  }
  return [{ type: 'HouseholdCorrected', data: { proposalId, changes } }];
}

function addMember({ data, metadata: { actor } }: AddMember, state: HouseholdState): HouseholdEvent[] {
  const { household, proposalId } = requireChange(actor, state, data);
  const member = parseMember(data.member, 'member');
  const active = activeMembers(household);
  if (household.members[member.memberId] !== undefined || active.some((other) => other.nik === member.nik)) {
    throw conflict('DUPLICATE_MEMBER', 'The member id or the NIK is already in the household.', { field: 'member' });
  }
  if (member.relationship === 'HEAD') {
    throw conflict('HEAD_EXISTS', 'The household already has a HEAD: a member joins in another relationship.', {
      field: 'member.relationship',
    });
  }
  if (active.length >= MAX_MEMBERS) {
    throw conflict('TOO_MANY_MEMBERS', `A household has at most ${MAX_MEMBERS} members.`, { field: 'member' });
  }
  return [{ type: 'MemberAdded', data: { proposalId, member } }];
}

function removeMember({ data, metadata: { actor } }: RemoveMember, state: HouseholdState): HouseholdEvent[] {
  const { household, proposalId } = requireChange(actor, state, data);
  const memberId = parseId(data.memberId, 'memberId');
  const reason = parseRemovalReason(data.reason);
  const newHead = data.newHeadMemberId === undefined ? undefined : parseId(data.newHeadMemberId, 'newHeadMemberId');
  const member = activeMember(household, memberId, 'memberId');
  if (activeMembers(household).length === 1) {
    throw conflict('LAST_MEMBER', 'The last member is not removed: deactivate the household instead.');
  }
  if (member.relationship !== 'HEAD') {
    if (newHead !== undefined) {
      throw invalid('NEW_HEAD_NOT_ALLOWED', 'A new HEAD is named only when the HEAD leaves.', {
        field: 'newHeadMemberId',
      });
    }
    return [{ type: 'MemberRemoved', data: { proposalId, memberId, reason } }];
  }
  if (newHead === undefined) {
    throw invalid('NEW_HEAD_REQUIRED', 'When the HEAD leaves, another member becomes HEAD.', {
      field: 'newHeadMemberId',
    });
  }
  if (newHead === memberId) {
    throw invalid('NEW_HEAD_INVALID', 'The new HEAD is another member than the one who leaves.', {
      field: 'newHeadMemberId',
    });
  }
  activeMember(household, newHead, 'newHeadMemberId');
  return [{ type: 'MemberRemoved', data: { proposalId, memberId, reason, newHeadMemberId: newHead } }];
}

function relocate({ data, metadata: { actor } }: RelocateHousehold, state: HouseholdState): HouseholdEvent[] {
  const { household, proposalId } = requireChange(actor, state, data);
  const villageCode = parseVillageCode(data.toVillageCode, 'toVillageCode');
  const address = parseAddress(data.address);
  const rt = parseRtRw(data.rt, 'rt');
  const rw = parseRtRw(data.rw, 'rw');
  if (villageCode === household.location.villageCode) {
    throw invalid('SAME_VILLAGE', 'A relocation moves the household to a different village.', {
      field: 'toVillageCode',
    });
  }
  return [
    {
      type: 'HouseholdRelocated',
      data: { proposalId, from: household.location, to: { villageCode, address, rt, rw } },
    },
  ];
}

function deactivate({ data, metadata: { actor } }: DeactivateHousehold, state: HouseholdState): HouseholdEvent[] {
  const { proposalId } = requireChange(actor, state, data);
  const reason = parseRemovalReason(data.reason);
  return [{ type: 'HouseholdDeactivated', data: { proposalId, reason } }];
}

function reactivate({ data, metadata: { actor } }: ReactivateHousehold, state: HouseholdState): HouseholdEvent[] {
  const { household, proposalId } = requireChange(actor, state, data, true);
  const reason = parseText(data.reason, 'reason', 'INVALID_REASON');
  if (household.status === 'ACTIVE') throw conflict('HOUSEHOLD_ACTIVE', 'The household is already active.');
  return [{ type: 'HouseholdReactivated', data: { proposalId, reason } }];
}

const DUKCAPIL_RESULT_VALUES = ['PADAN', 'TIDAK_PADAN'] as const;

function recordDukcapilResult(
  { data, metadata: { actor } }: RecordDukcapilResult,
  state: HouseholdState,
): HouseholdEvent[] {
  if (actor.role !== 'SYSTEM') {
    throw new DomainError('forbidden', 'ROLE_NOT_ALLOWED', 'Only the system records Dukcapil results.', {
      role: actor.role,
    });
  }
  const household = requireExisting(state, data.householdId);
  const memberId = parseId(data.memberId, 'memberId');
  const importId = parseId(data.importId, 'importId');
  if (!(DUKCAPIL_RESULT_VALUES as readonly string[]).includes(data.result)) {
    throw invalid('INVALID_RESULT', 'A Dukcapil result is PADAN or TIDAK_PADAN.', { field: 'result' });
  }
  const reference = parseText(data.reference, 'reference', 'INVALID_REFERENCE', 200);
  if (household.status !== 'ACTIVE') {
    throw conflict('HOUSEHOLD_INACTIVE', 'The household is deactivated: only a reactivation changes it.');
  }
  if (state.members[memberId]?.status !== 'ACTIVE') throw memberNotFound('memberId');
  const known = state.dukcapil?.[memberId];
  // Idempotent: the same result again (a re-run job, the same list twice) records nothing new.
  if (known !== undefined && known.result === data.result && known.reference === reference) return [];
  return [{ type: 'DukcapilMatchRecorded', data: { memberId, result: data.result, reference, importId } }];
}

/** Decides what a command on a household's stream appends, or throws DomainError. */
export function decide(command: HouseholdCommand, state: HouseholdState): HouseholdEvent[] {
  switch (command.type) {
    case 'EnrolHousehold':
      return enrol(command, state);
    case 'CorrectHousehold':
      return correct(command, state);
    case 'AddMember':
      return addMember(command, state);
    case 'RemoveMember':
      return removeMember(command, state);
    case 'RelocateHousehold':
      return relocate(command, state);
    case 'DeactivateHousehold':
      return deactivate(command, state);
    case 'ReactivateHousehold':
      return reactivate(command, state);
    case 'RecordDukcapilResult':
      return recordDukcapilResult(command, state);
    default: {
      const _exhaustive: never = command;
      throw invalid('UNKNOWN_COMMAND', 'This command is not known for a household.');
    }
  }
}

const applied = (state: HouseholdState, proposalId: string): readonly string[] => [
  ...state.appliedProposals,
  proposalId,
];

function updateMember(
  members: HouseholdState['members'],
  memberId: string,
  change: Partial<MemberRecord>,
): HouseholdState['members'] {
  const member = members[memberId];
  return member === undefined ? members : { ...members, [memberId]: { ...member, ...change } };
}

/** Folds one event into the state; never throws. */
export function evolve(state: HouseholdState, event: HouseholdEvent): HouseholdState {
  switch (event.type) {
    case 'HouseholdEnrolled': {
      const { householdId, villageCode, address, rt, rw, kkNumber, members } = event.data;
      const cause: RegistryCause =
        event.data.source === 'PROPOSAL' ? { proposalId: event.data.proposalId } : { importId: event.data.importId };
      const records: Record<string, MemberRecord> = {};
      for (const member of members) records[member.memberId] = { ...member, status: 'ACTIVE', addedBy: cause };
      return {
        ...state,
        status: 'ACTIVE',
        householdId,
        source: event.data.source,
        location: { villageCode, address, rt, rw },
        kkNumber,
        history: [...state.history, { kkNumber, cause }],
        members: records,
        appliedProposals: event.data.source === 'PROPOSAL' ? applied(state, event.data.proposalId) : [],
      };
    }
    case 'HouseholdCorrected': {
      const { proposalId, changes } = event.data;
      const { kkNumber, ...where } = changes;
      const location = state.location === undefined ? undefined : { ...state.location, ...where };
      return {
        ...state,
        location,
        ...(kkNumber === undefined
          ? {}
          : { kkNumber, history: [...state.history, { kkNumber, cause: { proposalId } }] }),
        appliedProposals: applied(state, proposalId),
      };
    }
    case 'MemberAdded': {
      const { proposalId, member } = event.data;
      return {
        ...state,
        members: { ...state.members, [member.memberId]: { ...member, status: 'ACTIVE', addedBy: { proposalId } } },
        appliedProposals: applied(state, proposalId),
      };
    }
    case 'MemberRemoved': {
      const { proposalId, memberId, reason, newHeadMemberId } = event.data;
      const removed = updateMember(state.members, memberId, { status: 'REMOVED', removal: { proposalId, reason } });
      return {
        ...state,
        members:
          newHeadMemberId === undefined ? removed : updateMember(removed, newHeadMemberId, { relationship: 'HEAD' }),
        appliedProposals: applied(state, proposalId),
      };
    }
    case 'HouseholdRelocated':
      return { ...state, location: { ...event.data.to }, appliedProposals: applied(state, event.data.proposalId) };
    case 'HouseholdDeactivated': {
      const { proposalId, reason } = event.data;
      return {
        ...state,
        status: 'INACTIVE',
        deactivation: { proposalId, reason },
        appliedProposals: applied(state, proposalId),
      };
    }
    case 'HouseholdReactivated':
      return {
        ...state,
        status: 'ACTIVE',
        deactivation: undefined,
        appliedProposals: applied(state, event.data.proposalId),
      };
    case 'DukcapilMatchRecorded': {
      const { memberId, result, reference } = event.data;
      return { ...state, dukcapil: { ...state.dukcapil, [memberId]: { result, reference } } };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** The household decider (Emmett style). */
export const householdDecider = { decide, evolve, initialState } as const;
