import { scopeCovers, type Actor } from '../access/roles';
import { assertSegregated, assertWorkflowActor, type Act, type Capacity } from '../access/segregation';
import { DomainError } from '../domain-error';
import { parseId } from '../users/user.validation';
import {
  FIELD_VISIT_OUTCOMES,
  FLAG_CODES,
  FLAG_SEVERITIES,
  PROPOSAL_CHANNELS,
  PROPOSAL_KINDS,
  VILLAGE_DECISIONS,
  type AmendProposal,
  type DeliberateProposal,
  type FieldVisitOutcome,
  type FlagCode,
  type FlagSeverity,
  type MarkBatched,
  type MarkSentToPusdatin,
  type ProposalChannel,
  type ProposalCommand,
  type ProposalContent,
  type ProposalKind,
  type RaiseFlag,
  type RecordFieldVisit,
  type RecordIdentityCheck,
  type RecordPusdatinResult,
  type RejectionStage,
  type RejectProposal,
  type ResolveFlag,
  type ReturnProposal,
  type SubmitProposal,
  type TableProposal,
  type UntableProposal,
  type VerifyProposal,
  type Votes,
  type WithdrawProposal,
} from './proposal.commands';
import type { ProposalEvent } from './proposal.events';
import {
  NOTES_MAX_LENGTH,
  parseContent,
  parseOneOf,
  parseText,
  parseTimestamp,
  parseVillageCode,
} from './proposal.validation';

/**
 * The life of a proposal (usulan), DESIGN.md section 4:
 *
 * ```
 * none --Submitted--> WAITING --Tabled--> TABLED --Deliberated APPROVED--> APPROVED
 *                     ^  ^ |  Amended       |  \--Deliberated REJECTED--> REJECTED_BY_VILLAGE (terminal)
 *                     |  | +-->WAITING      +--Deliberated DEFERRED--> WAITING
 *                     |  +---Amended--- RETURNED <--Returned-- APPROVED (RETURNED may also be Tabled directly)
 * APPROVED --Verified--> VERIFIED --Batched--> BATCHED --SentToPusdatin--> SENT --Accepted--> ACCEPTED (terminal)
 *                                                                              \--Rejected PUSDATIN--> REJECTED
 * APPROVED --Rejected DINSOS--> REJECTED (terminal)
 * WAITING | TABLED | APPROVED | RETURNED --Withdrawn--> WITHDRAWN (terminal)
 * ```
 * Flags are raised and resolved, and field visits recorded, beside the status (not after a terminal state).
 */
export const PROPOSAL_STATUSES = [
  'WAITING',
  'TABLED',
  'APPROVED',
  'REJECTED_BY_VILLAGE',
  'RETURNED',
  'VERIFIED',
  'BATCHED',
  'SENT',
  'ACCEPTED',
  'REJECTED',
  'WITHDRAWN',
] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** States that never change again. */
export const TERMINAL_STATUSES = [
  'REJECTED_BY_VILLAGE',
  'ACCEPTED',
  'REJECTED',
  'WITHDRAWN',
] as const satisfies readonly ProposalStatus[];

export function isTerminalStatus(status: ProposalStatus | 'none'): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export type OpenFlag = {
  readonly code: FlagCode;
  readonly severity: FlagSeverity;
  readonly source: string;
  readonly evidence: string;
};

export type FieldVisit = {
  readonly visitedAt: string;
  readonly outcome: FieldVisitOutcome;
  readonly visitedBy: string;
};

/** A proposal folded from its stream. Revision-independent: the handler tracks the stream revision. */
export type ProposalState = {
  readonly status: ProposalStatus | 'none';
  readonly proposalId?: string;
  readonly kind?: ProposalKind;
  readonly villageCode?: string;
  readonly channel?: ProposalChannel;
  readonly content: ProposalContent;
  /** The meeting whose agenda holds the proposal, while TABLED. */
  readonly meetingId?: string;
  /** The status it had when tabled (WAITING or RETURNED), to go back to if the meeting is cancelled. */
  readonly tabledFrom?: ProposalStatus;
  /** Meetings that already deliberated it (once per meeting). */
  readonly deliberatedAt: readonly string[];
  readonly openFlags: readonly OpenFlag[];
  readonly fieldVisits: readonly FieldVisit[];
  readonly batchId?: string;
  readonly rejectionStage?: RejectionStage;
  readonly decreeRef?: string;
  /** Who acted in which capacity, for segregation of duties (DESIGN.md section 1). */
  readonly acts: readonly Act[];
  /** Content events (submission, amendments) whose identity check is recorded. */
  readonly identityChecked: readonly string[];
};

export function initialState(): ProposalState {
  return {
    status: 'none',
    content: {},
    deliberatedAt: [],
    openFlags: [],
    fieldVisits: [],
    acts: [],
    identityChecked: [],
  };
}

type ExistingProposal = ProposalState & {
  readonly status: ProposalStatus;
  readonly proposalId: string;
  readonly kind: ProposalKind;
  readonly villageCode: string;
};

/** Kinds whose verification needs a field visit. */
export const KINDS_NEEDING_FIELD_VISIT: readonly ProposalKind[] = ['ADD', 'RELOCATE'];

/** Capacities that may not also verify, return or reject the same proposal (DESIGN.md section 1). */
const CONFLICTS_WITH_VERIFIER: readonly Capacity[] = ['PROPOSER', 'VILLAGE_RECORDER'];

const conflict = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('conflict', code, message, details);
const forbidden = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('forbidden', code, message, details);

type WorkflowRole = 'VILLAGE_OPERATOR' | 'VERIFIER';

/**
 * Who may issue a command: one of `roles`, whose scope covers the proposal's village (a village operator their own
 * village, a verifier their regency), or SYSTEM when `system` (reactors). Admins, auditors and (otherwise) SYSTEM
 * are refused by assertWorkflowActor; another role gets `ROLE_NOT_ALLOWED`, another region `OUTSIDE_SCOPE`.
 */
function authorize(actor: Actor, villageCode: string, roles: readonly WorkflowRole[], system = false): void {
  if (system && actor.role === 'SYSTEM') return;
  assertWorkflowActor(actor);
  const role = actor.role;
  if ((role !== 'VILLAGE_OPERATOR' && role !== 'VERIFIER') || !roles.includes(role)) {
    throw forbidden('ROLE_NOT_ALLOWED', `A ${actor.role} may not issue this command on a proposal.`, {
      role: actor.role,
    });
  }
  if (!scopeCovers(actor.scope, villageCode)) {
    throw forbidden('OUTSIDE_SCOPE', "The proposal's village lies outside this user's scope.", {
      scope: actor.scope,
      villageCode,
    });
  }
}

function requireExisting(state: ProposalState, proposalId: string): ExistingProposal {
  const id = parseId(proposalId, 'proposalId');
  const { status, kind, villageCode } = state;
  if (status === 'none' || kind === undefined || villageCode === undefined || state.proposalId === undefined) {
    throw new DomainError('not_found', 'PROPOSAL_NOT_FOUND', 'No proposal with this id exists.');
  }
  if (state.proposalId !== id) {
    throw new DomainError('invalid', 'PROPOSAL_ID_MISMATCH', 'The proposalId does not match this stream.', {
      field: 'proposalId',
    });
  }
  return { ...state, status, kind, villageCode, proposalId: state.proposalId };
}

/** Throws `PROPOSAL_CLOSED` in a terminal state, else `code` unless the status is one of `allowed`. */
function requireStatus(
  proposal: ExistingProposal,
  allowed: readonly ProposalStatus[],
  code: string,
  message: string,
): void {
  if (isTerminalStatus(proposal.status)) {
    throw conflict('PROPOSAL_CLOSED', 'The proposal is closed and no longer changes.', { status: proposal.status });
  }
  if (!allowed.includes(proposal.status)) throw conflict(code, message, { status: proposal.status });
}

function requireBatch(proposal: ExistingProposal, batchId: string): void {
  if (proposal.batchId !== batchId) {
    throw conflict('BATCH_MISMATCH', 'The proposal belongs to another batch.', { batchId });
  }
}

function submit({ data, metadata: { actor, occurredAt } }: SubmitProposal, state: ProposalState): ProposalEvent[] {
  const proposalId = parseId(data.proposalId, 'proposalId');
  const villageCode = parseVillageCode(data.villageCode, 'villageCode');
  // The system opens removals from cross-agency matches (issue 6: reference lists), on channel CROSS_CHECK only.
  const crossCheck = data.kind === 'REMOVE' && data.channel === 'CROSS_CHECK';
  authorize(actor, villageCode, ['VILLAGE_OPERATOR', 'VERIFIER'], crossCheck);
  const kind = parseOneOf(PROPOSAL_KINDS, data.kind, 'kind', 'INVALID_KIND');
  const channel = parseOneOf(PROPOSAL_CHANNELS, data.channel, 'channel', 'INVALID_CHANNEL');
  const { proposalId: _id, kind: _kind, villageCode: _village, channel: _channel, ...asked } = data;
  const content = parseContent(kind, villageCode, proposalId, asked);
  if (state.status !== 'none') throw conflict('PROPOSAL_ALREADY_EXISTS', 'A proposal with this id already exists.');
  return [
    {
      type: 'ProposalSubmitted',
      data: { proposalId, kind, villageCode, channel, ...content, submittedBy: actor.userId, submittedAt: occurredAt },
    },
  ];
}

function amend({ data, metadata: { actor } }: AmendProposal, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VILLAGE_OPERATOR', 'VERIFIER']);
  const { proposalId: _id, ...asked } = data;
  const content = parseContent(proposal.kind, proposal.villageCode, proposal.proposalId, asked);
  requireStatus(
    proposal,
    ['WAITING', 'RETURNED'],
    'NOT_AMENDABLE',
    'A proposal is amended only before deliberation or after being returned.',
  );
  return [{ type: 'ProposalAmended', data: content }];
}

function withdraw({ data, metadata: { actor } }: WithdrawProposal, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VILLAGE_OPERATOR', 'VERIFIER']);
  const reason = parseText(data.reason, 'reason', 'INVALID_REASON');
  requireStatus(
    proposal,
    ['WAITING', 'TABLED', 'APPROVED', 'RETURNED'],
    'NOT_WITHDRAWABLE',
    'A proposal is withdrawn only before it is verified.',
  );
  return [{ type: 'ProposalWithdrawn', data: { reason } }];
}

function table({ data, metadata: { actor } }: TableProposal, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VILLAGE_OPERATOR']);
  const meetingId = parseId(data.meetingId, 'meetingId');
  requireStatus(
    proposal,
    ['WAITING', 'RETURNED'],
    'NOT_TABLEABLE',
    'Only a waiting or returned proposal is placed on an agenda.',
  );
  if (proposal.deliberatedAt.includes(meetingId)) {
    throw conflict('ALREADY_DELIBERATED_AT_MEETING', 'This meeting already deliberated the proposal.', { meetingId });
  }
  return [{ type: 'ProposalTabled', data: { meetingId } }];
}

function untable({ data, metadata: { actor } }: UntableProposal, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VILLAGE_OPERATOR'], true);
  const meetingId = parseId(data.meetingId, 'meetingId');
  const reason = parseText(data.reason, 'reason', 'INVALID_REASON');
  requireStatus(proposal, ['TABLED'], 'NOT_TABLED', 'Only a proposal on an agenda is taken off it.');
  if (proposal.meetingId !== meetingId) {
    throw conflict('NOT_TABLED_AT_MEETING', 'The proposal is on the agenda of another meeting.', { meetingId });
  }
  return [{ type: 'ProposalUntabled', data: { meetingId, reason } }];
}

function parseVotes(input: Votes | undefined): Votes | undefined {
  if (input === undefined) return undefined;
  const counts = [input.for, input.against, input.abstain];
  if (!counts.every((count) => Number.isSafeInteger(count) && count >= 0)) {
    throw new DomainError('invalid', 'INVALID_VOTES', 'Votes are whole numbers, zero or more.', { field: 'votes' });
  }
  return { for: input.for, against: input.against, abstain: input.abstain };
}

function deliberate(
  { data, metadata: { actor, occurredAt } }: DeliberateProposal,
  state: ProposalState,
): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VILLAGE_OPERATOR'], true);
  const meetingId = parseId(data.meetingId, 'meetingId');
  const decision = parseOneOf(VILLAGE_DECISIONS, data.decision, 'decision', 'INVALID_DECISION');
  const reason = parseText(data.reason, 'reason', 'INVALID_REASON');
  const votes = parseVotes(data.votes);
  const recordedBy = parseId(data.recordedBy, 'recordedBy');
  requireStatus(proposal, ['TABLED'], 'NOT_TABLED', 'Only a proposal on an agenda is deliberated.');
  if (proposal.meetingId !== meetingId) {
    throw conflict('NOT_TABLED_AT_MEETING', 'The proposal is on the agenda of another meeting.', { meetingId });
  }
  return [
    {
      type: 'ProposalDeliberated',
      data: {
        meetingId,
        decision,
        reason,
        ...(votes === undefined ? {} : { votes }),
        recordedBy,
        deliberatedAt: occurredAt,
      },
    },
  ];
}

const BEFORE_TERMINAL: readonly ProposalStatus[] = [
  'WAITING',
  'TABLED',
  'APPROVED',
  'RETURNED',
  'VERIFIED',
  'BATCHED',
  'SENT',
];

function raiseFlag({ data, metadata: { actor } }: RaiseFlag, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VERIFIER'], true);
  const code = parseOneOf(FLAG_CODES, data.code, 'code', 'INVALID_FLAG_CODE');
  const severity = parseOneOf(FLAG_SEVERITIES, data.severity, 'severity', 'INVALID_FLAG_SEVERITY');
  const source = parseText(data.source, 'source', 'INVALID_FLAG_SOURCE', 100);
  const evidence = parseText(data.evidence, 'evidence', 'INVALID_FLAG_EVIDENCE');
  requireStatus(proposal, BEFORE_TERMINAL, 'PROPOSAL_CLOSED', 'The proposal is closed.');
  // Idempotent: cross-checks may run again; an open flag of the same code is not raised twice.
  if (proposal.openFlags.some((flag) => flag.code === code)) return [];
  return [{ type: 'FlagRaised', data: { code, severity, source, evidence } }];
}

/** Where the automatic checks' flags say they come from. */
export const IDENTITY_CHECK_SOURCE = 'IDENTITY_CHECK';

function recordIdentityCheck(
  { data, metadata: { actor } }: RecordIdentityCheck,
  state: ProposalState,
): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  if (actor.role !== 'SYSTEM') {
    throw forbidden('ROLE_NOT_ALLOWED', 'Only the system records identity checks.', { role: actor.role });
  }
  const contentEventId = parseId(data.contentEventId, 'contentEventId');
  const checkedAt = parseTimestamp(data.checkedAt, 'checkedAt');
  const findings = data.findings.map((finding) => ({
    code: parseOneOf(FLAG_CODES, finding.code, 'code', 'INVALID_FLAG_CODE'),
    severity: parseOneOf(FLAG_SEVERITIES, finding.severity, 'severity', 'INVALID_FLAG_SEVERITY'),
    evidence: parseText(finding.evidence, 'evidence', 'INVALID_FLAG_EVIDENCE'),
  }));
  requireStatus(proposal, BEFORE_TERMINAL, 'PROPOSAL_CLOSED', 'The proposal is closed.');
  // Idempotent: a job that runs twice (a retry, a reconciler) records its check once.
  if (proposal.identityChecked.includes(contentEventId)) return [];
  const raised: ProposalEvent[] = [];
  const codes: FlagCode[] = [];
  for (const finding of findings) {
    if (proposal.openFlags.some((flag) => flag.code === finding.code) || codes.includes(finding.code)) continue;
    codes.push(finding.code);
    raised.push({ type: 'FlagRaised', data: { ...finding, source: IDENTITY_CHECK_SOURCE } });
  }
  return [...raised, { type: 'IdentityChecked', data: { contentEventId, checkedAt, flagCodes: codes } }];
}

function resolveFlag({ data, metadata: { actor } }: ResolveFlag, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VERIFIER']);
  const code = parseOneOf(FLAG_CODES, data.code, 'code', 'INVALID_FLAG_CODE');
  const justification = parseText(data.justification, 'justification', 'JUSTIFICATION_REQUIRED', NOTES_MAX_LENGTH);
  requireStatus(proposal, BEFORE_TERMINAL, 'PROPOSAL_CLOSED', 'The proposal is closed.');
  if (!proposal.openFlags.some((flag) => flag.code === code)) {
    throw conflict('FLAG_NOT_OPEN', 'No open flag with this code exists on the proposal.', { code });
  }
  return [{ type: 'FlagResolved', data: { code, justification, resolvedBy: actor.userId } }];
}

function recordFieldVisit({ data, metadata: { actor } }: RecordFieldVisit, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VERIFIER']);
  const visitedAt = parseTimestamp(data.visitedAt, 'visitedAt');
  const outcome = parseOneOf(FIELD_VISIT_OUTCOMES, data.outcome, 'outcome', 'INVALID_FIELD_VISIT_OUTCOME');
  const notes = parseText(data.notes, 'notes', 'INVALID_NOTES', NOTES_MAX_LENGTH);
  requireStatus(
    proposal,
    ['WAITING', 'TABLED', 'APPROVED', 'RETURNED'],
    'FIELD_VISIT_TOO_LATE',
    'Field visits are recorded before verification.',
  );
  return [{ type: 'FieldVisitRecorded', data: { visitedAt, outcome, notes, visitedBy: actor.userId } }];
}

/** The verifier's decisions (verify, return, reject): a regency verifier, on an APPROVED proposal, segregated. */
function requireVerifierDecision(actor: Actor, proposal: ExistingProposal): void {
  authorize(actor, proposal.villageCode, ['VERIFIER']);
  requireStatus(proposal, ['APPROVED'], 'NOT_APPROVED', 'A verifier acts only on a proposal approved by a meeting.');
  assertSegregated(proposal.acts, actor, 'VERIFIER', CONFLICTS_WITH_VERIFIER);
}

function verify({ data, metadata: { actor, occurredAt } }: VerifyProposal, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  requireVerifierDecision(actor, proposal);
  const blocking = proposal.openFlags.find((flag) => flag.severity === 'BLOCKING');
  if (blocking !== undefined) {
    throw conflict('BLOCKING_FLAG_OPEN', 'A blocking flag is open: resolve it before verifying.', {
      code: blocking.code,
    });
  }
  if (KINDS_NEEDING_FIELD_VISIT.includes(proposal.kind)) {
    const latest = proposal.fieldVisits.at(-1);
    if (latest === undefined) {
      throw conflict('FIELD_VISIT_REQUIRED', `A ${proposal.kind} proposal needs a field visit before verification.`, {
        kind: proposal.kind,
      });
    }
    if (latest.outcome === 'NOT_FOUND') {
      throw conflict(
        'FIELD_VISIT_NOT_FOUND',
        'The latest field visit did not find the household: visit again, return or reject.',
        { kind: proposal.kind },
      );
    }
  }
  return [{ type: 'ProposalVerified', data: { verifiedBy: actor.userId, verifiedAt: occurredAt } }];
}

function returnToVillage({ data, metadata: { actor } }: ReturnProposal, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  const reason = parseText(data.reason, 'reason', 'INVALID_REASON');
  requireVerifierDecision(actor, proposal);
  return [{ type: 'ProposalReturned', data: { reason } }];
}

function reject({ data, metadata: { actor } }: RejectProposal, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  if (data.stage !== 'DINSOS') {
    throw new DomainError(
      'invalid',
      'INVALID_STAGE',
      "A verifier rejects at stage DINSOS; Pusdatin's rejections are recorded as its results.",
      { field: 'stage' },
    );
  }
  const reason = parseText(data.reason, 'reason', 'INVALID_REASON');
  requireVerifierDecision(actor, proposal);
  return [{ type: 'ProposalRejected', data: { stage: 'DINSOS', reason } }];
}

function markBatched({ data, metadata: { actor } }: MarkBatched, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VERIFIER'], true);
  const batchId = parseId(data.batchId, 'batchId');
  requireStatus(proposal, ['VERIFIED'], 'NOT_VERIFIED', 'Only a verified proposal joins a batch.');
  return [{ type: 'ProposalBatched', data: { batchId } }];
}

function markSent({ data, metadata: { actor } }: MarkSentToPusdatin, state: ProposalState): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VERIFIER'], true);
  const batchId = parseId(data.batchId, 'batchId');
  const sentAt = parseTimestamp(data.sentAt, 'sentAt');
  requireStatus(proposal, ['BATCHED'], 'NOT_BATCHED', 'Only a batched proposal is sent to Pusdatin.');
  requireBatch(proposal, batchId);
  return [{ type: 'ProposalSentToPusdatin', data: { batchId, sentAt } }];
}

function recordPusdatinResult(
  { data, metadata: { actor } }: RecordPusdatinResult,
  state: ProposalState,
): ProposalEvent[] {
  const proposal = requireExisting(state, data.proposalId);
  authorize(actor, proposal.villageCode, ['VERIFIER'], true);
  const batchId = parseId(data.batchId, 'batchId');
  const result = data.result;
  const outcome = parseOneOf(['ACCEPTED', 'REJECTED'] as const, result.outcome, 'result.outcome', 'INVALID_RESULT');
  requireStatus(proposal, ['SENT'], 'NOT_SENT', "Pusdatin's result is recorded only for a proposal sent to it.");
  requireBatch(proposal, batchId);
  switch (result.outcome) {
    case 'ACCEPTED': {
      const decreeRef = parseText(result.decreeRef, 'result.decreeRef', 'INVALID_DECREE_REF', 200);
      return [{ type: 'ProposalAccepted', data: { batchId, decreeRef } }];
    }
    case 'REJECTED': {
      const reason = parseText(result.reason, 'result.reason', 'INVALID_REASON');
      return [{ type: 'ProposalRejected', data: { stage: 'PUSDATIN', reason, batchId } }];
    }
    default: {
      const _exhaustive: never = result;
      throw new DomainError('invalid', 'INVALID_RESULT', `Unknown result ${outcome}.`);
    }
  }
}

/** Decides what a command on a proposal's stream appends (possibly nothing), or throws DomainError. */
export function decide(command: ProposalCommand, state: ProposalState): ProposalEvent[] {
  switch (command.type) {
    case 'SubmitProposal':
      return submit(command, state);
    case 'AmendProposal':
      return amend(command, state);
    case 'WithdrawProposal':
      return withdraw(command, state);
    case 'TableProposal':
      return table(command, state);
    case 'UntableProposal':
      return untable(command, state);
    case 'DeliberateProposal':
      return deliberate(command, state);
    case 'RaiseFlag':
      return raiseFlag(command, state);
    case 'ResolveFlag':
      return resolveFlag(command, state);
    case 'RecordFieldVisit':
      return recordFieldVisit(command, state);
    case 'VerifyProposal':
      return verify(command, state);
    case 'ReturnProposal':
      return returnToVillage(command, state);
    case 'RejectProposal':
      return reject(command, state);
    case 'MarkBatched':
      return markBatched(command, state);
    case 'MarkSentToPusdatin':
      return markSent(command, state);
    case 'RecordIdentityCheck':
      return recordIdentityCheck(command, state);
    case 'RecordPusdatinResult':
      return recordPusdatinResult(command, state);
    default: {
      const _exhaustive: never = command;
      throw new DomainError('invalid', 'UNKNOWN_COMMAND', 'This command is not known for a proposal.');
    }
  }
}

const act = (userId: string, capacity: Capacity, at: string): Act => ({ userId, capacity, at });

/** Folds one event into the state; never throws. */
export function evolve(state: ProposalState, event: ProposalEvent): ProposalState {
  switch (event.type) {
    case 'ProposalSubmitted': {
      const { proposalId, kind, villageCode, channel, submittedBy, submittedAt, ...content } = event.data;
      return {
        ...state,
        status: 'WAITING',
        proposalId,
        kind,
        villageCode,
        channel,
        content,
        acts: [...state.acts, act(submittedBy, 'PROPOSER', submittedAt)],
      };
    }
    case 'ProposalAmended':
      return { ...state, status: 'WAITING', content: { ...event.data } };
    case 'ProposalWithdrawn':
      return { ...state, status: 'WITHDRAWN', meetingId: undefined };
    case 'ProposalTabled':
      return {
        ...state,
        status: 'TABLED',
        meetingId: event.data.meetingId,
        ...(state.status === 'none' ? {} : { tabledFrom: state.status }),
      };
    case 'ProposalUntabled': {
      const { meetingId: _meeting, tabledFrom, ...rest } = state;
      return { ...rest, status: tabledFrom ?? 'WAITING' };
    }
    case 'ProposalDeliberated': {
      const { meetingId, decision, recordedBy, deliberatedAt } = event.data;
      const status: ProposalStatus =
        decision === 'APPROVED' ? 'APPROVED' : decision === 'REJECTED' ? 'REJECTED_BY_VILLAGE' : 'WAITING';
      return {
        ...state,
        status,
        meetingId: undefined,
        deliberatedAt: [...state.deliberatedAt, meetingId],
        acts: [...state.acts, act(recordedBy, 'VILLAGE_RECORDER', deliberatedAt)],
      };
    }
    case 'FlagRaised':
      return { ...state, openFlags: [...state.openFlags, { ...event.data }] };
    case 'FlagResolved':
      return { ...state, openFlags: state.openFlags.filter((flag) => flag.code !== event.data.code) };
    case 'FieldVisitRecorded': {
      const { visitedAt, outcome, visitedBy } = event.data;
      return {
        ...state,
        fieldVisits: [...state.fieldVisits, { visitedAt, outcome, visitedBy }],
        acts: [...state.acts, act(visitedBy, 'FIELD_VISITOR', visitedAt)],
      };
    }
    case 'ProposalVerified':
      return {
        ...state,
        status: 'VERIFIED',
        acts: [...state.acts, act(event.data.verifiedBy, 'VERIFIER', event.data.verifiedAt)],
      };
    case 'ProposalReturned':
      return { ...state, status: 'RETURNED' };
    case 'ProposalRejected':
      return { ...state, status: 'REJECTED', rejectionStage: event.data.stage };
    case 'ProposalBatched':
      return { ...state, status: 'BATCHED', batchId: event.data.batchId };
    case 'ProposalSentToPusdatin':
      return { ...state, status: 'SENT' };
    case 'ProposalAccepted':
      return { ...state, status: 'ACCEPTED', decreeRef: event.data.decreeRef };
    case 'IdentityChecked':
      return { ...state, identityChecked: [...state.identityChecked, event.data.contentEventId] };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** The proposal decider (Emmett style). */
export const proposalDecider = { decide, evolve, initialState } as const;
