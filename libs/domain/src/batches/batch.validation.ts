import { DomainError } from '../domain-error';
import { parseRegionCode } from '../regions/region-code';
import { BATCH_OUTCOMES, type BatchResult } from './batch.commands';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
/** Control characters, line and paragraph separators, and the bidirectional overrides used to disguise text. */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
/** ISO 8601 date and time with seconds optional, fraction optional, and a mandatory offset (`Z` or `+07:00`). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

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

const invalid = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('invalid', code, message, details);

const lengthOf = (text: string) => [...text].length;

/** A proposal id fit for a stream name: 1 to 100 letters, digits, `_` or `-`. Throws `INVALID_ID`. */
export function parseProposalId(input: string, field: string): string {
  if (typeof input !== 'string' || !ID.test(input)) {
    throw invalid(
      'INVALID_ID',
      `The ${field} must be 1 to 100 letters, digits, underscores or hyphens (a UUID fits).`,
      {
        field,
      },
    );
  }
  return input;
}

/** A regency (kabupaten/kota) code, plain or dotted, returned in 4 digits. Throws `INVALID_REGENCY_CODE`. */
export function parseRegencyCode(input: string, field: string): string {
  let region;
  try {
    region = parseRegionCode(typeof input === 'string' ? input : '');
  } catch (error) {
    const why = error instanceof DomainError ? ` ${error.message}` : '';
    throw invalid('INVALID_REGENCY_CODE', `A regency code has 4 digits.${why}`, { field });
  }
  if (region.level !== 'regency') {
    throw invalid('INVALID_REGENCY_CODE', `A regency code has 4 digits (got a ${region.level} code).`, { field });
  }
  return region.code;
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

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isRealDate(input: string): boolean {
  const [year, month, day] = input.slice(0, 10).split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** A calendar date `YYYY-MM-DD` that exists. Throws `INVALID_DATE`. */
export function parseCalendarDate(input: string, field: string): string {
  if (typeof input !== 'string' || !DATE.test(input) || !isRealDate(input)) {
    throw invalid('INVALID_DATE', `The ${field} must be a calendar date written YYYY-MM-DD.`, { field });
  }
  return input;
}

/** An ISO 8601 date-time with an offset that names a real instant. Throws `INVALID_TIMESTAMP`. */
export function parseBatchTimestamp(input: string, field: string): string {
  const valid =
    typeof input === 'string' &&
    TIMESTAMP.test(input) &&
    isRealDate(input) &&
    Number(input.slice(11, 13)) <= 23 &&
    Number(input.slice(14, 16)) <= 59 &&
    !Number.isNaN(Date.parse(input));
  if (!valid) {
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

function parseText(input: string | undefined, maxLength: number): string | undefined {
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (lengthOf(text) < 1 || lengthOf(text) > maxLength || FORBIDDEN_IN_TEXT.test(text)) return undefined;
  return text;
}

/** The Bupati/Wali Kota's name: trimmed, 1 to 120 characters, no control characters. Throws `INVALID_NAME`. */
export function parseEndorserName(input: string): string {
  const name = parseText(input, BATCH_NAME_MAX_LENGTH);
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
  const letterNumber = parseText(input, LETTER_NUMBER_MAX_LENGTH);
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
  const reason = parseText(input, BATCH_REASON_MAX_LENGTH);
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
  if (typeof input !== 'string' || !DIGEST.test(input)) {
    throw invalid('INVALID_DIGEST', `The ${field} is "sha256:" followed by 64 lowercase hexadecimal digits.`, {
      field,
    });
  }
  return input;
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
        const decreeRef = parseText(result.decreeRef, DECREE_REF_MAX_LENGTH);
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
