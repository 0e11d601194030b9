import type { DomainCommand } from '../domain-message';
import type { EvidenceItem, RemovalReason } from '../identity';

/** What a proposal (usulan) asks for (DESIGN.md section 2). A replacement is a REMOVE and an ADD linked together. */
export const PROPOSAL_KINDS = ['ADD', 'CORRECT', 'REMOVE', 'RELOCATE'] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

/** Where a proposal came from. */
export const PROPOSAL_CHANNELS = [
  'RT_RW',
  'VILLAGE_OFFICE',
  'PSKS',
  'CITIZEN',
  'OBJECTION',
  'CROSS_CHECK',
  'DINSOS',
] as const;
export type ProposalChannel = (typeof PROPOSAL_CHANNELS)[number];

export const SEXES = ['M', 'F'] as const;
export type MemberSex = (typeof SEXES)[number];

/** A member's relationship to the head of the household (hubungan dalam keluarga, as on the KK). */
export const RELATIONSHIPS = [
  'HEAD',
  'SPOUSE',
  'CHILD',
  'CHILD_IN_LAW',
  'GRANDCHILD',
  'PARENT',
  'PARENT_IN_LAW',
  'OTHER_RELATIVE',
  'OTHER',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

/** Why a REMOVE takes a household or member off the registry, with the evidence its reason needs. */
export type RemovalRequest = {
  readonly reason: RemovalReason;
  readonly evidence: readonly EvidenceItem[];
  /** The registered member who leaves (MemberRemoved); absent: the whole household is deactivated. */
  readonly memberId?: string;
  /** When `memberId` is the HEAD: the member who becomes HEAD. */
  readonly newHeadMemberId?: string;
};

export type ProposedMember = {
  readonly nik: string;
  readonly name: string;
  readonly sex: MemberSex;
  /** `YYYY-MM-DD`. */
  readonly birthDate: string;
  readonly relationship: Relationship;
};

/** The household an ADD proposes to enrol. */
export type ProposedHousehold = {
  readonly address: string;
  /** Rukun tetangga / rukun warga: 1 to 3 digits each. */
  readonly rt: string;
  readonly rw: string;
  readonly kkNumber: string;
  readonly members: readonly ProposedMember[];
};

/**
 * What a proposal asks, besides its kind, village and channel: fixed at submission and replaced as a whole by an
 * amendment. Which fields a kind needs (and allows) is checked by the decider:
 * ADD `household` (+ `linkedProposalId`); CORRECT `householdId` + `changes`; REMOVE `householdId` + `removal`
 * (+ `linkedProposalId`); RELOCATE `householdId` + `targetVillageCode`. `evidenceDigests` for all.
 */
export type ProposalContent = {
  readonly householdId?: string;
  readonly household?: ProposedHousehold;
  /** Field name -> corrected value (CORRECT); at least one. */
  readonly changes?: Readonly<Record<string, string>>;
  readonly removal?: RemovalRequest;
  readonly targetVillageCode?: string;
  /**
   * CORRECT only: a person who joins the registered household (birth, marriage); applied as MemberAdded. Such a
   * proposal changes nothing else on the registry, so `changes` then only describes it (no address, rt, rw, kkNumber).
   */
  readonly memberToAdd?: ProposedMember;
  /** The other half of a replacement (penggantian KPM). */
  readonly linkedProposalId?: string;
  /** `sha256:<64 lowercase hex>` digests of the documents attached. */
  readonly evidenceDigests?: readonly string[];
};

export type SubmitProposal = DomainCommand<
  'SubmitProposal',
  ProposalContent & {
    readonly proposalId: string;
    readonly kind: ProposalKind;
    /** 10 digits, dots allowed. */
    readonly villageCode: string;
    readonly channel: ProposalChannel;
  }
>;

/** Replaces the content of a proposal that waits for deliberation or was returned by Dinsos. */
export type AmendProposal = DomainCommand<'AmendProposal', ProposalContent & { readonly proposalId: string }>;

export type WithdrawProposal = DomainCommand<
  'WithdrawProposal',
  { readonly proposalId: string; readonly reason: string }
>;

export type TableProposal = DomainCommand<'TableProposal', { readonly proposalId: string; readonly meetingId: string }>;

/**
 * Takes a proposal off the agenda of a meeting that was cancelled (issued by the reactor, as SYSTEM): it waits again
 * for a meeting, in the status it had before it was tabled.
 */
export type UntableProposal = DomainCommand<
  'UntableProposal',
  { readonly proposalId: string; readonly meetingId: string; readonly reason: string }
>;

export const VILLAGE_DECISIONS = ['APPROVED', 'REJECTED', 'DEFERRED'] as const;
export type VillageDecision = (typeof VILLAGE_DECISIONS)[number];

export type Votes = { readonly for: number; readonly against: number; readonly abstain: number };

/** Issued by the reactor when the meeting concludes (or by the village operator); carries the meeting's recorder. */
export type DeliberateProposal = DomainCommand<
  'DeliberateProposal',
  {
    readonly proposalId: string;
    readonly meetingId: string;
    readonly decision: VillageDecision;
    readonly reason: string;
    readonly votes?: Votes;
    /** User id of whoever recorded the decision at the meeting (the VILLAGE_RECORDER act). */
    readonly recordedBy: string;
  }
>;

/** DESIGN.md section 4, plus the two NIK doubts that parseNik reports (sex, region of first issue). */
export const FLAG_CODES = [
  'NIK_INVALID',
  'NIK_REGION_UNKNOWN',
  'NIK_BIRTHDATE_MISMATCH',
  'NIK_SEX_MISMATCH',
  'NIK_REGION_DIFFERS',
  'NIK_IN_REGISTRY',
  'NIK_IN_PENDING_PROPOSAL',
  'CIVIL_SERVANT_MATCH',
  'DECEASED_MATCH',
  'WAGE_MATCH',
  'COMPANY_OFFICER_MATCH',
  'DUKCAPIL_UNMATCHED',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

export const FLAG_SEVERITIES = ['BLOCKING', 'WARNING'] as const;
export type FlagSeverity = (typeof FLAG_SEVERITIES)[number];

export type RaiseFlag = DomainCommand<
  'RaiseFlag',
  {
    readonly proposalId: string;
    readonly code: FlagCode;
    readonly severity: FlagSeverity;
    /** Which check raised it (e.g. `BKN`, `DUKCAPIL`, `REGISTRY`). */
    readonly source: string;
    /** A reference to the match or document, never the personal data itself. */
    readonly evidence: string;
  }
>;

export type ResolveFlag = DomainCommand<
  'ResolveFlag',
  { readonly proposalId: string; readonly code: FlagCode; readonly justification: string }
>;

export const FIELD_VISIT_OUTCOMES = ['CONFIRMED', 'NOT_FOUND', 'CONDITION_DIFFERS'] as const;
export type FieldVisitOutcome = (typeof FIELD_VISIT_OUTCOMES)[number];

export type RecordFieldVisit = DomainCommand<
  'RecordFieldVisit',
  {
    readonly proposalId: string;
    readonly visitedAt: string;
    readonly outcome: FieldVisitOutcome;
    readonly notes: string;
  }
>;

export type VerifyProposal = DomainCommand<'VerifyProposal', { readonly proposalId: string }>;

export type ReturnProposal = DomainCommand<'ReturnProposal', { readonly proposalId: string; readonly reason: string }>;

export const REJECTION_STAGES = ['DINSOS', 'PUSDATIN'] as const;
export type RejectionStage = (typeof REJECTION_STAGES)[number];

/** A Dinsos rejection; Pusdatin's rejections arrive through RecordPusdatinResult. */
export type RejectProposal = DomainCommand<
  'RejectProposal',
  { readonly proposalId: string; readonly stage: 'DINSOS'; readonly reason: string }
>;

export type MarkBatched = DomainCommand<'MarkBatched', { readonly proposalId: string; readonly batchId: string }>;

export type MarkSentToPusdatin = DomainCommand<
  'MarkSentToPusdatin',
  { readonly proposalId: string; readonly batchId: string; readonly sentAt: string }
>;

export type PusdatinResult =
  | { readonly outcome: 'ACCEPTED'; readonly decreeRef: string }
  | { readonly outcome: 'REJECTED'; readonly reason: string };

export type RecordPusdatinResult = DomainCommand<
  'RecordPusdatinResult',
  { readonly proposalId: string; readonly batchId: string; readonly result: PusdatinResult }
>;

/** One finding of the automatic identity check (a flag to raise); evidence names members and ids, never data. */
export type IdentityFinding = {
  readonly code: FlagCode;
  readonly severity: FlagSeverity;
  readonly evidence: string;
};

/**
 * The worker's identity check of a proposal's content (SYSTEM only): raises a flag per finding not already open
 * and records that the content written by `contentEventId` was checked, so a check that found nothing is on the
 * record too.
 */
export type RecordIdentityCheck = DomainCommand<
  'RecordIdentityCheck',
  {
    readonly proposalId: string;
    /** The ProposalSubmitted or ProposalAmended event whose content was checked. */
    readonly contentEventId: string;
    readonly checkedAt: string;
    readonly findings: readonly IdentityFinding[];
  }
>;

export type ProposalCommand =
  | SubmitProposal
  | AmendProposal
  | WithdrawProposal
  | TableProposal
  | UntableProposal
  | DeliberateProposal
  | RaiseFlag
  | ResolveFlag
  | RecordFieldVisit
  | VerifyProposal
  | ReturnProposal
  | RejectProposal
  | MarkBatched
  | MarkSentToPusdatin
  | RecordPusdatinResult
  | RecordIdentityCheck;
