import type { DomainEvent } from '../domain-message';
import type { BatchResult } from './batch.commands';
import { parseBatchPeriod, parseRegencyCode } from './batch.validation';

/**
 * The stream of one regency's monthly batch: `batch-<regencyCode>-<yyyymm>`, e.g. `batch-1872-202503`. The
 * regency may be dotted (`18.72`); the period is `YYYY-MM`. Throws DomainError `INVALID_REGENCY_CODE` or
 * `INVALID_PERIOD`.
 */
export function batchStreamName(regencyCode: string, period: string): string {
  const regency = parseRegencyCode(regencyCode, 'regencyCode');
  return `batch-${regency}-${parseBatchPeriod(period).replace('-', '')}`;
}

export type BatchOpened = DomainEvent<
  'BatchOpened',
  { readonly regencyCode: string; readonly period: string; readonly cutoffDate: string }
>;
export type ProposalIncluded = DomainEvent<'ProposalIncluded', { readonly proposalId: string }>;
/** The batch closed; `early` and `reason` only when it closed before its cut-off date. */
export type BatchClosed = DomainEvent<
  'BatchClosed',
  { readonly closedAt: string; readonly early?: true; readonly reason?: string }
>;
/** `recordedBy` is the user id of who recorded the endorsement (capacity BATCH_ENDORSER). */
export type BatchEndorsed = DomainEvent<
  'BatchEndorsed',
  {
    readonly endorsedBy: string;
    readonly letterNumber: string;
    readonly signedDate: string;
    readonly documentDigest: string;
    readonly recordedBy: string;
  }
>;
/** `submittedBy` is the user id of who submitted (capacity BATCH_SUBMITTER). */
export type BatchSubmitted = DomainEvent<
  'BatchSubmitted',
  { readonly submittedAt: string; readonly exportDigest: string; readonly submittedBy: string }
>;
export type BatchResultsRecorded = DomainEvent<'BatchResultsRecorded', { readonly results: readonly BatchResult[] }>;

export type BatchEvent =
  BatchOpened | ProposalIncluded | BatchClosed | BatchEndorsed | BatchSubmitted | BatchResultsRecorded;
export type BatchEventType = BatchEvent['type'];

export const BATCH_EVENT_TYPES = [
  'BatchOpened',
  'ProposalIncluded',
  'BatchClosed',
  'BatchEndorsed',
  'BatchSubmitted',
  'BatchResultsRecorded',
] as const satisfies readonly BatchEventType[];

/** Compile-time check that BATCH_EVENT_TYPES lists every event type. */
const _allListed: BatchEventType extends (typeof BATCH_EVENT_TYPES)[number] ? true : never = true;

export function isBatchEventType(type: string): type is BatchEventType {
  return (BATCH_EVENT_TYPES as readonly string[]).includes(type);
}
