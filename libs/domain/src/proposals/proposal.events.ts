import type { DomainEvent } from '../domain-message';
import { parseId } from '../users/user.validation';
import type {
  FieldVisitOutcome,
  FlagCode,
  FlagSeverity,
  ProposalChannel,
  ProposalContent,
  ProposalKind,
  RejectionStage,
  VillageDecision,
  Votes,
} from './proposal.commands';

/** The stream of one proposal: `proposal-<proposalId>`. Throws DomainError `INVALID_ID` for an unfit id. */
export function proposalStreamName(proposalId: string): string {
  return `proposal-${parseId(proposalId, 'proposalId')}`;
}

export type ProposalSubmitted = DomainEvent<
  'ProposalSubmitted',
  ProposalContent & {
    readonly proposalId: string;
    readonly kind: ProposalKind;
    readonly villageCode: string;
    readonly channel: ProposalChannel;
    /** Who submitted it and when (the PROPOSER act). */
    readonly submittedBy: string;
    readonly submittedAt: string;
  }
>;
/** The new content, replacing the old as a whole. */
export type ProposalAmended = DomainEvent<'ProposalAmended', ProposalContent>;
export type ProposalWithdrawn = DomainEvent<'ProposalWithdrawn', { readonly reason: string }>;
export type ProposalTabled = DomainEvent<'ProposalTabled', { readonly meetingId: string }>;
/** Off the agenda of a cancelled meeting: waiting again. */
export type ProposalUntabled = DomainEvent<'ProposalUntabled', { readonly meetingId: string; readonly reason: string }>;
export type ProposalDeliberated = DomainEvent<
  'ProposalDeliberated',
  {
    readonly meetingId: string;
    readonly decision: VillageDecision;
    readonly reason: string;
    readonly votes?: Votes;
    /** The user who recorded the decision at the meeting, and when it took effect (the VILLAGE_RECORDER act). */
    readonly recordedBy: string;
    readonly deliberatedAt: string;
  }
>;
export type FlagRaised = DomainEvent<
  'FlagRaised',
  { readonly code: FlagCode; readonly severity: FlagSeverity; readonly source: string; readonly evidence: string }
>;
export type FlagResolved = DomainEvent<
  'FlagResolved',
  { readonly code: FlagCode; readonly justification: string; readonly resolvedBy: string }
>;
export type FieldVisitRecorded = DomainEvent<
  'FieldVisitRecorded',
  {
    readonly visitedAt: string;
    readonly outcome: FieldVisitOutcome;
    readonly notes: string;
    readonly visitedBy: string;
  }
>;
export type ProposalVerified = DomainEvent<
  'ProposalVerified',
  { readonly verifiedBy: string; readonly verifiedAt: string }
>;
export type ProposalReturned = DomainEvent<'ProposalReturned', { readonly reason: string }>;
export type ProposalRejected = DomainEvent<
  'ProposalRejected',
  { readonly stage: RejectionStage; readonly reason: string; readonly batchId?: string }
>;
export type ProposalBatched = DomainEvent<'ProposalBatched', { readonly batchId: string }>;
export type ProposalSentToPusdatin = DomainEvent<
  'ProposalSentToPusdatin',
  { readonly batchId: string; readonly sentAt: string }
>;
export type ProposalAccepted = DomainEvent<
  'ProposalAccepted',
  { readonly batchId: string; readonly decreeRef: string }
>;

/** The content written by `contentEventId` was checked; `flagCodes` lists the flags the check raised. */
export type IdentityChecked = DomainEvent<
  'IdentityChecked',
  { readonly contentEventId: string; readonly checkedAt: string; readonly flagCodes: readonly FlagCode[] }
>;

export type ProposalEvent =
  | ProposalSubmitted
  | ProposalAmended
  | ProposalWithdrawn
  | ProposalTabled
  | ProposalUntabled
  | ProposalDeliberated
  | FlagRaised
  | FlagResolved
  | FieldVisitRecorded
  | ProposalVerified
  | ProposalReturned
  | ProposalRejected
  | ProposalBatched
  | ProposalSentToPusdatin
  | ProposalAccepted
  | IdentityChecked;
export type ProposalEventType = ProposalEvent['type'];

export const PROPOSAL_EVENT_TYPES = [
  'ProposalSubmitted',
  'ProposalAmended',
  'ProposalWithdrawn',
  'ProposalTabled',
  'ProposalUntabled',
  'ProposalDeliberated',
  'FlagRaised',
  'FlagResolved',
  'FieldVisitRecorded',
  'ProposalVerified',
  'ProposalReturned',
  'ProposalRejected',
  'ProposalBatched',
  'ProposalSentToPusdatin',
  'ProposalAccepted',
  'IdentityChecked',
] as const satisfies readonly ProposalEventType[];

/** Compile-time check that PROPOSAL_EVENT_TYPES lists every event type. */
const _allListed: ProposalEventType extends (typeof PROPOSAL_EVENT_TYPES)[number] ? true : never = true;

export function isProposalEventType(type: string): type is ProposalEventType {
  return (PROPOSAL_EVENT_TYPES as readonly string[]).includes(type);
}
