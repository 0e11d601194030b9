import {
  invalid,
  isCalendarDateText,
  isIsoInstant,
  parseRegionCodeOfLevel,
  parseSha256Digest,
  parseStreamId,
  trimmedText,
} from '../shared/fields';
import { BATCH_OUTCOMES, type BatchResult } from './batch.commands';

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The earliest year a batch may be for. */
export const BATCH_FIRST_YEAR = 2000;
/** A cut-off date may fall this many days after the period's last day at most ("just after the period"). */
export const CUTOFF_MAX_DAYS_AFTER_PERIOD = 15;
export const BATCH_NAME_MAX_LENGTH = 120;
export const LETTER_NUMBER_MAX_LENGTH = 100;
export const DECREE_REF_MAX_LENGTH = 200;
export const BATCH_REASON_MAX_LENGTH = 1000;
/** No batch records more results in one command than this; a longer list is a mistake. */
export const MAX_RESULTS_PER_COMMAND = 10_000;

/** A proposal id fit for a stream name: 1 to 100 letters, digits, `_` or `-`. Throws `INVALID_ID`. */
export function parseProposalId(input: string, field: string): string {
  return parseStreamId(input, field);
}

/** A regency (kabupaten/kota) code, plain or dotted, returned in 4 digits. Throws `INVALID_REGENCY_CODE`. */
export function parseRegencyCode(input: string, field: string): string {
  return parseRegionCodeOfLevel(input, field, 'regency', 'INVALID_REGENCY_CODE', 'A regency code has 4 digits');
}

/** A month, `YYYY-MM`, from BATCH_FIRST_YEAR on. Throws `INVALID_PERIOD`. */
export function parseBatchPeriod(input: string): string {
  const match = typeof input === 'string' ? PERIOD.exec(input) : null;
  if (match === null || Number(match[1]) < BATCH_FIRST_YEAR) {
    throw invalid('INVALID_PERIOD', `A period is a month written YYYY-MM, from ${BATCH_FIRST_YEAR} on.`, {
      field: 'period',
    });
  }
  return input;
}

/** A calendar date `YYYY-MM-DD` that exists. Throws `INVALID_DATE`. */
export function parseCalendarDate(input: string, field: string): string {
  if (!isCalendarDateText(input)) {
    throw invalid('INVALID_DATE', `The ${field} must be a calendar date written YYYY-MM-DD.`, { field });
  }
  return input;
}

/** An ISO 8601 date-time with an offset that names a real instant. Throws `INVALID_TIMESTAMP`. */
export function parseBatchTimestamp(input: string, field: string): string {
  if (!isIsoInstant(input)) {
    throw invalid('INVALID_TIMESTAMP', `The ${field} must be an ISO 8601 date and time with an offset.`, { field });
  }
  return input;
}

/** The calendar date written in a timestamp, in the timestamp's own offset (`2025-03-31T23:00:00+07:00` -> `2025-03-31`). */
export function localDateOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/**
 * A cut-off date within `period` or at most CUTOFF_MAX_DAYS_AFTER_PERIOD days after its last day. Throws
 * `INVALID_DATE` or `CUTOFF_OUTSIDE_PERIOD`.
 */
export function parseCutoffDate(input: string, period: string): string {
  const cutoffDate = parseCalendarDate(input, 'cutoffDate');
  const [year, month] = period.split('-').map(Number);
  if (year === undefined || month === undefined) throw invalid('INVALID_PERIOD', 'A period is written YYYY-MM.');
  const first = `${period}-01`;
  const latest = new Date(Date.UTC(year, month, CUTOFF_MAX_DAYS_AFTER_PERIOD)).toISOString().slice(0, 10);
  if (cutoffDate < first || cutoffDate > latest) {
    throw invalid(
      'CUTOFF_OUTSIDE_PERIOD',
      `The cut-off date falls within the period or at most ${CUTOFF_MAX_DAYS_AFTER_PERIOD} days after it (${first} to ${latest}).`,
      { field: 'cutoffDate' },
    );
  }
  return cutoffDate;
}

/** The Bupati/Wali Kota's name: trimmed, 1 to 120 characters, no control characters. Throws `INVALID_NAME`. */
export function parseEndorserName(input: string): string {
  const name = trimmedText(input, BATCH_NAME_MAX_LENGTH);
  if (name === undefined) {
    throw invalid(
      'INVALID_NAME',
      `A name has 1 to ${BATCH_NAME_MAX_LENGTH} characters (after trimming) and no control characters.`,
      { field: 'endorsedBy' },
    );
  }
  return name;
}

/** Nomor surat: trimmed, 1 to 100 characters, no control characters. Throws `INVALID_LETTER_NUMBER`. */
export function parseLetterNumber(input: string): string {
  const letterNumber = trimmedText(input, LETTER_NUMBER_MAX_LENGTH);
  if (letterNumber === undefined) {
    throw invalid(
      'INVALID_LETTER_NUMBER',
      `A letter number has 1 to ${LETTER_NUMBER_MAX_LENGTH} characters (after trimming) and no control characters.`,
      { field: 'letterNumber' },
    );
  }
  return letterNumber;
}

/** A reason (early close, Pusdatin rejection): trimmed, 1 to 1000 characters. Throws `INVALID_REASON`. */
export function parseBatchReason(input: string | undefined, field: string): string {
  const reason = trimmedText(input, BATCH_REASON_MAX_LENGTH);
  if (reason === undefined) {
    throw invalid(
      'INVALID_REASON',
      `A reason has 1 to ${BATCH_REASON_MAX_LENGTH} characters (after trimming) and no control characters.`,
      { field },
    );
  }
  return reason;
}

/** `sha256:` and 64 lowercase hex digits. Throws `INVALID_DIGEST`. */
export function parseDigest(input: string, field: string): string {
  return parseSha256Digest(input, field, 'INVALID_DIGEST');
}

/**
 * Pusdatin's results as the caller passes them: at least one, each with a valid proposal id and an outcome with
 * its decree reference or reason, no proposal twice. Throws `NO_RESULTS`, `TOO_MANY_RESULTS`, `INVALID_ID`,
 * `INVALID_OUTCOME`, `INVALID_DECREE_REF`, `INVALID_REASON` or `DUPLICATE_RESULT`.
 */
export function parseBatchResults(input: readonly BatchResult[]): BatchResult[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw invalid('NO_RESULTS', 'At least one result is needed.', { field: 'results' });
  }
  if (input.length > MAX_RESULTS_PER_COMMAND) {
    throw invalid('TOO_MANY_RESULTS', `At most ${MAX_RESULTS_PER_COMMAND} results may be recorded at once.`, {
      field: 'results',
    });
  }
  const seen = new Set<string>();
  return input.map((result: BatchResult, index): BatchResult => {
    const entry = `results[${index}]`;
    const proposalId = parseProposalId(result?.proposalId, `${entry}.proposalId`);
    if (seen.has(proposalId)) {
      throw invalid('DUPLICATE_RESULT', 'The same proposal is listed twice in the results.', {
        field: entry,
        proposalId,
      });
    }
    seen.add(proposalId);
    switch (result?.outcome) {
      case 'ACCEPTED': {
        const decreeRef = trimmedText(result.decreeRef, DECREE_REF_MAX_LENGTH);
        if (decreeRef === undefined) {
          throw invalid(
            'INVALID_DECREE_REF',
            `A decree reference has 1 to ${DECREE_REF_MAX_LENGTH} characters (after trimming) and no control characters.`,
            { field: `${entry}.decreeRef` },
          );
        }
        return { proposalId, outcome: 'ACCEPTED', decreeRef };
      }
      case 'REJECTED':
        return { proposalId, outcome: 'REJECTED', reason: parseBatchReason(result.reason, `${entry}.reason`) };
      default: {
        const _exhaustive: never = result;
        throw invalid('INVALID_OUTCOME', `An outcome is one of ${BATCH_OUTCOMES.join(', ')}.`, {
          field: `${entry}.outcome`,
        });
      }
    }
  });
}
