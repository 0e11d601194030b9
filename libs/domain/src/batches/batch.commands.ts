import type { DomainCommand } from '../domain-message';

/** The only proposal status a batch accepts: verified by Dinsos (terverifikasi). */
export const BATCH_PROPOSAL_STATUS = 'VERIFIED';

/** What Pusdatin decided on one proposal of a submitted batch. */
export const BATCH_OUTCOMES = ['ACCEPTED', 'REJECTED'] as const;
export type BatchOutcome = (typeof BATCH_OUTCOMES)[number];

/** One proposal's result from Pusdatin: accepted with the decree (SK) reference, or rejected with a reason. */
export type BatchResult =
  | { readonly proposalId: string; readonly outcome: 'ACCEPTED'; readonly decreeRef: string }
  | { readonly proposalId: string; readonly outcome: 'REJECTED'; readonly reason: string };

/** Opens the regency's batch for one month (the monthly submission to Pusdatin). */
export type OpenBatch = DomainCommand<
  'OpenBatch',
  {
    /** The regency (kabupaten/kota) code, 4 digits (dotted accepted). */
    readonly regencyCode: string;
    /** The month, `YYYY-MM`. */
    readonly period: string;
    /** `YYYY-MM-DD`, within the period or at most CUTOFF_MAX_DAYS_AFTER_PERIOD days after it. */
    readonly cutoffDate: string;
  }
>;

/** Includes a verified proposal of the regency in the open batch. */
export type IncludeProposal = DomainCommand<
  'IncludeProposal',
  {
    readonly proposalId: string;
    /** The regency of the proposal's village, looked up by the caller from the proposal's stream. */
    readonly proposalRegencyCode: string;
    /** The proposal's current status, looked up by the caller; only VERIFIED is accepted. */
    readonly proposalStatus: string;
  }
>;

/**
 * Closes the batch. At or after the cut-off date (compared with the calendar date of the command's `occurredAt`);
 * before it only with `early: true` and a reason.
 */
export type CloseBatch = DomainCommand<'CloseBatch', { readonly early?: boolean; readonly reason?: string }>;

/** Records the endorsement (pengesahan) of the closed batch by the Bupati/Wali Kota. */
export type EndorseBatch = DomainCommand<
  'EndorseBatch',
  {
    /** The Bupati or Wali Kota who signed. */
    readonly endorsedBy: string;
    /** Nomor surat of the endorsement letter. */
    readonly letterNumber: string;
    /** `YYYY-MM-DD`, not before the batch closed. */
    readonly signedDate: string;
    /** `sha256:` and 64 lowercase hex digits: the SHA-256 of the signed letter. */
    readonly documentDigest: string;
  }
>;

/** Records the submission of the endorsed batch to Pusdatin (through SIKS-NG). */
export type SubmitBatch = DomainCommand<
  'SubmitBatch',
  {
    /** ISO 8601 with an offset, not before the endorsement's signed date. */
    readonly submittedAt: string;
    /** `sha256:` and 64 lowercase hex digits: the SHA-256 of the exported file. */
    readonly exportDigest: string;
  }
>;

/** Records Pusdatin's results for some or all proposals of the submitted batch. */
export type RecordBatchResults = DomainCommand<'RecordBatchResults', { readonly results: readonly BatchResult[] }>;

export type BatchCommand = OpenBatch | IncludeProposal | CloseBatch | EndorseBatch | SubmitBatch | RecordBatchResults;
