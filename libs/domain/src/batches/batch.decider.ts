import { scopeCovers, type Actor } from '../access/roles';
import { assertWorkflowActor, type Act } from '../access/segregation';
import { DomainError } from '../domain-error';
import {
  BATCH_PROPOSAL_STATUS,
  type BatchCommand,
  type BatchResult,
  type CloseBatch,
  type EndorseBatch,
  type IncludeProposal,
  type OpenBatch,
  type RecordBatchResults,
  type SubmitBatch,
} from './batch.commands';
import type { BatchEvent } from './batch.events';
import {
  localDateOf,
  parseBatchPeriod,
  parseBatchReason,
  parseBatchResults,
  parseBatchTimestamp,
  parseCalendarDate,
  parseCutoffDate,
  parseDigest,
  parseEndorserName,
  parseLetterNumber,
  parseProposalId,
  parseRegencyCode,
} from './batch.validation';

/**
 * Where a batch stands: not yet opened, accepting proposals, closed, endorsed by the Bupati/Wali Kota, submitted to
 * Pusdatin, or completed (every included proposal has Pusdatin's result).
 */
export type BatchStatus = 'NONE' | 'OPEN' | 'CLOSED' | 'ENDORSED' | 'SUBMITTED' | 'COMPLETED';

/** The endorsement (pengesahan) letter. */
export type BatchEndorsement = {
  readonly endorsedBy: string;
  readonly letterNumber: string;
  readonly signedDate: string;
  readonly documentDigest: string;
};

export type BatchSubmission = { readonly submittedAt: string; readonly exportDigest: string };

/** A batch folded from its stream. Revision-independent: the handler tracks the stream revision. */
export type BatchState = {
  readonly status: BatchStatus;
  readonly regencyCode?: string;
  readonly period?: string;
  readonly cutoffDate?: string;
  /** Included proposal ids, in the order they were included. */
  readonly included: readonly string[];
  readonly closedAt?: string;
  /** Only when the batch closed before its cut-off date. */
  readonly earlyCloseReason?: string;
  readonly endorsement?: BatchEndorsement;
  readonly submission?: BatchSubmission;
  /** Pusdatin's result for each proposal, by proposal id (an own property only once recorded). */
  readonly results: Readonly<Record<string, BatchResult>>;
  /**
   * Who recorded the endorsement (BATCH_ENDORSER) and who submitted (BATCH_SUBMITTER). Recorded for the audit
   * trail but not restricted: both are clerical acts of Dinsos staff (the endorsement itself is the Bupati/Wali
   * Kota's signature, carried by its letter and digest), and a regency with a single verifier must still be able
   * to submit. The rule "who proposes does not verify" is enforced per proposal, not here.
   */
  readonly acts: readonly Act[];
};

export function initialState(): BatchState {
  return { status: 'NONE', included: [], results: {}, acts: [] };
}

/** An opened batch, as the rules need it. */
type ExistingBatch = BatchState & {
  readonly status: Exclude<BatchStatus, 'NONE'>;
  readonly regencyCode: string;
  readonly period: string;
  readonly cutoffDate: string;
};

const conflict = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('conflict', code, message, details);
const invalid = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('invalid', code, message, details);

/** True when Pusdatin's result for the proposal is recorded (own properties only: ids like `constructor`). */
export function hasBatchResult(state: BatchState, proposalId: string): boolean {
  return Object.hasOwn(state.results, proposalId);
}

/** Included proposals without a result yet, in inclusion order. */
export function awaitingResults(state: BatchState): string[] {
  return state.included.filter((proposalId) => !hasBatchResult(state, proposalId));
}

/**
 * Only a verifier (Dinsos) acts on a batch; the SYSTEM scheduler may also open and close one. Administrators,
 * auditors and village operators never do.
 */
function requireVerifier(actor: Actor, systemAllowed: boolean): void {
  if (systemAllowed && actor.role === 'SYSTEM') return;
  assertWorkflowActor(actor);
  if (actor.role !== 'VERIFIER') {
    throw new DomainError('forbidden', 'VERIFIER_REQUIRED', 'Only a verifier acts on a batch.', { role: actor.role });
  }
}

function requireScope(actor: Actor, regencyCode: string): void {
  if (!scopeCovers(actor.scope, regencyCode)) {
    throw new DomainError('forbidden', 'OUTSIDE_SCOPE', "The batch's regency lies outside this actor's scope.", {
      scope: actor.scope,
      regencyCode,
    });
  }
}

/** The opened batch, acted on within the actor's scope: throws `BATCH_NOT_FOUND` or `OUTSIDE_SCOPE`. */
function requireExisting(state: BatchState, actor: Actor): ExistingBatch {
  if (
    state.status === 'NONE' ||
    state.regencyCode === undefined ||
    state.period === undefined ||
    state.cutoffDate === undefined
  ) {
    throw new DomainError('not_found', 'BATCH_NOT_FOUND', 'No batch for this regency and period has been opened.');
  }
  const batch: ExistingBatch = {
    ...state,
    status: state.status,
    regencyCode: state.regencyCode,
    period: state.period,
    cutoffDate: state.cutoffDate,
  };
  requireScope(actor, batch.regencyCode);
  return batch;
}

function open({ data, metadata: { actor } }: OpenBatch, state: BatchState): BatchEvent[] {
  requireVerifier(actor, true);
  const regencyCode = parseRegencyCode(data.regencyCode, 'regencyCode');
  const period = parseBatchPeriod(data.period);
  const cutoffDate = parseCutoffDate(data.cutoffDate, period);
  requireScope(actor, regencyCode);
  if (state.status !== 'NONE') {
    throw conflict('BATCH_ALREADY_OPENED', 'The batch for this regency and period is already open.');
  }
  return [{ type: 'BatchOpened', data: { regencyCode, period, cutoffDate } }];
}

function include({ data, metadata: { actor } }: IncludeProposal, state: BatchState): BatchEvent[] {
  requireVerifier(actor, false);
  const proposalId = parseProposalId(data.proposalId, 'proposalId');
  const proposalRegencyCode = parseRegencyCode(data.proposalRegencyCode, 'proposalRegencyCode');
  const batch = requireExisting(state, actor);
  if (batch.status !== 'OPEN') {
    throw conflict(
      'BATCH_CLOSED',
      "The batch is closed; a proposal verified after the cut-off rolls over to the next period's batch.",
      { status: batch.status },
    );
  }
  if (proposalRegencyCode !== batch.regencyCode) {
    throw invalid('PROPOSAL_OF_ANOTHER_REGENCY', 'A batch includes only the proposals of its own regency.', {
      proposalId,
    });
  }
  if (data.proposalStatus !== BATCH_PROPOSAL_STATUS) {
    throw conflict('PROPOSAL_NOT_VERIFIED', 'Only a verified proposal may be included in a batch.', { proposalId });
  }
  if (batch.included.includes(proposalId)) {
    throw conflict('ALREADY_INCLUDED', 'This proposal is already included in the batch.', { proposalId });
  }
  return [{ type: 'ProposalIncluded', data: { proposalId } }];
}

function close({ data, metadata: { actor, occurredAt } }: CloseBatch, state: BatchState): BatchEvent[] {
  requireVerifier(actor, true);
  const closedAt = parseBatchTimestamp(occurredAt, 'occurredAt');
  const early = data.early === true;
  if (data.early !== undefined && typeof data.early !== 'boolean') {
    throw invalid('INVALID_EARLY', 'Early is true or false.', { field: 'early' });
  }
  const reason = early ? parseBatchReason(data.reason, 'reason') : undefined;
  const batch = requireExisting(state, actor);
  if (batch.status !== 'OPEN') throw conflict('BATCH_ALREADY_CLOSED', 'The batch is already closed.');
  const beforeCutoff = localDateOf(closedAt) < batch.cutoffDate;
  if (!beforeCutoff) return [{ type: 'BatchClosed', data: { closedAt } }];
  if (reason === undefined) {
    throw conflict(
      'CUTOFF_NOT_REACHED',
      'The batch closes at its cut-off date; to close it earlier, say so (early) and give a reason.',
      { cutoffDate: batch.cutoffDate },
    );
  }
  return [{ type: 'BatchClosed', data: { closedAt, early: true, reason } }];
}

function endorse({ data, metadata: { actor } }: EndorseBatch, state: BatchState): BatchEvent[] {
  requireVerifier(actor, false);
  const endorsedBy = parseEndorserName(data.endorsedBy);
  const letterNumber = parseLetterNumber(data.letterNumber);
  const signedDate = parseCalendarDate(data.signedDate, 'signedDate');
  const documentDigest = parseDigest(data.documentDigest, 'documentDigest');
  const batch = requireExisting(state, actor);
  switch (batch.status) {
    case 'OPEN':
      throw conflict('BATCH_NOT_CLOSED', 'A batch is endorsed only once it has closed.');
    case 'CLOSED':
      break;
    case 'ENDORSED':
    case 'SUBMITTED':
    case 'COMPLETED':
      throw conflict('ALREADY_ENDORSED', 'The batch is already endorsed.', { status: batch.status });
    default: {
      const _exhaustive: never = batch.status;
      throw conflict('BATCH_NOT_CLOSED', 'A batch is endorsed only once it has closed.');
    }
  }
  if (batch.included.length === 0) {
    throw conflict('EMPTY_BATCH', 'A batch without any proposal is not endorsed.');
  }
  if (batch.closedAt !== undefined && signedDate < localDateOf(batch.closedAt)) {
    throw invalid('SIGNED_BEFORE_CLOSE', 'The endorsement cannot be signed before the batch closed.', {
      field: 'signedDate',
    });
  }
  return [
    {
      type: 'BatchEndorsed',
      data: { endorsedBy, letterNumber, signedDate, documentDigest, recordedBy: actor.userId },
    },
  ];
}

function submit({ data, metadata: { actor } }: SubmitBatch, state: BatchState): BatchEvent[] {
  requireVerifier(actor, false);
  const submittedAt = parseBatchTimestamp(data.submittedAt, 'submittedAt');
  const exportDigest = parseDigest(data.exportDigest, 'exportDigest');
  const batch = requireExisting(state, actor);
  switch (batch.status) {
    case 'OPEN':
    case 'CLOSED':
      throw conflict('NOT_ENDORSED', 'A batch is submitted only after its endorsement by the Bupati/Wali Kota.', {
        status: batch.status,
      });
    case 'ENDORSED':
      break;
    case 'SUBMITTED':
    case 'COMPLETED':
      throw conflict('ALREADY_SUBMITTED', 'The batch is already submitted.', { status: batch.status });
    default: {
      const _exhaustive: never = batch.status;
      throw conflict('NOT_ENDORSED', 'A batch is submitted only after its endorsement.');
    }
  }
  if (batch.endorsement !== undefined && localDateOf(submittedAt) < batch.endorsement.signedDate) {
    throw invalid('SUBMITTED_BEFORE_ENDORSEMENT', 'The batch cannot be submitted before its endorsement was signed.', {
      field: 'submittedAt',
    });
  }
  return [{ type: 'BatchSubmitted', data: { submittedAt, exportDigest, submittedBy: actor.userId } }];
}

function recordResults({ data, metadata: { actor } }: RecordBatchResults, state: BatchState): BatchEvent[] {
  requireVerifier(actor, false);
  const results = parseBatchResults(data.results);
  const batch = requireExisting(state, actor);
  if (batch.status === 'COMPLETED') {
    throw conflict('BATCH_COMPLETED', 'Every proposal of this batch already has its result.');
  }
  if (batch.status !== 'SUBMITTED') {
    throw conflict('NOT_SUBMITTED', 'Results are recorded only for a submitted batch.', { status: batch.status });
  }
  for (const { proposalId } of results) {
    if (!batch.included.includes(proposalId)) {
      throw invalid('NOT_IN_BATCH', 'This proposal is not included in the batch.', { proposalId });
    }
    if (hasBatchResult(batch, proposalId)) {
      throw conflict('RESULT_ALREADY_RECORDED', 'The result for this proposal is already recorded.', { proposalId });
    }
  }
  return [{ type: 'BatchResultsRecorded', data: { results } }];
}

/** Decides what a command on a batch's stream appends, or throws DomainError. */
export function decide(command: BatchCommand, state: BatchState): BatchEvent[] {
  switch (command.type) {
    case 'OpenBatch':
      return open(command, state);
    case 'IncludeProposal':
      return include(command, state);
    case 'CloseBatch':
      return close(command, state);
    case 'EndorseBatch':
      return endorse(command, state);
    case 'SubmitBatch':
      return submit(command, state);
    case 'RecordBatchResults':
      return recordResults(command, state);
    default: {
      const _exhaustive: never = command;
      throw new DomainError('invalid', 'UNKNOWN_COMMAND', 'This command is not known for a batch.');
    }
  }
}

/** Folds one event into the state. Events of unknown types leave it unchanged. */
export function evolve(state: BatchState, event: BatchEvent): BatchState {
  switch (event.type) {
    case 'BatchOpened': {
      const { regencyCode, period, cutoffDate } = event.data;
      return { ...state, status: 'OPEN', regencyCode, period, cutoffDate };
    }
    case 'ProposalIncluded':
      return { ...state, included: [...state.included, event.data.proposalId] };
    case 'BatchClosed': {
      const { closedAt, reason } = event.data;
      return reason === undefined
        ? { ...state, status: 'CLOSED', closedAt }
        : { ...state, status: 'CLOSED', closedAt, earlyCloseReason: reason };
    }
    case 'BatchEndorsed': {
      const { endorsedBy, letterNumber, signedDate, documentDigest, recordedBy } = event.data;
      return {
        ...state,
        status: 'ENDORSED',
        endorsement: { endorsedBy, letterNumber, signedDate, documentDigest },
        acts: [...state.acts, { userId: recordedBy, capacity: 'BATCH_ENDORSER', at: signedDate }],
      };
    }
    case 'BatchSubmitted': {
      const { submittedAt, exportDigest, submittedBy } = event.data;
      return {
        ...state,
        status: 'SUBMITTED',
        submission: { submittedAt, exportDigest },
        acts: [...state.acts, { userId: submittedBy, capacity: 'BATCH_SUBMITTER', at: submittedAt }],
      };
    }
    case 'BatchResultsRecorded': {
      const results = { ...state.results };
      for (const result of event.data.results) results[result.proposalId] = { ...result };
      const next: BatchState = { ...state, results };
      return awaitingResults(next).length === 0 ? { ...next, status: 'COMPLETED' } : next;
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** The batch (monthly submission to Pusdatin) decider (Emmett style). */
export const batchDecider = { decide, evolve, initialState } as const;
