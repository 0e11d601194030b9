/**
 * Field checks shared by the deciders' validation files. Pure. Each check is parameterised by the error code, the
 * field and (where the folders word it differently) the message, so every caller keeps its own errors.
 */
import { DomainError } from '../domain-error';
import { parseRegionCode, type RegionLevel } from '../regions/region-code';

/** Control characters, line and paragraph separators, and the bidirectional overrides used to disguise text. */
export const FORBIDDEN_IN_TEXT = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
/** An id that may end a stream name: 1 to 100 letters, digits, `_` or `-`, starting with a letter or digit. */
export const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
/** ISO 8601 date and time with seconds optional, fraction optional, and a mandatory offset (`Z` or `+07:00`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A DomainError of kind `invalid`. */
export const invalid = (code: string, message: string, details?: DomainError['details']): DomainError =>
  new DomainError('invalid', code, message, details);

/** Length in characters (code points), not UTF-16 units. */
export const lengthOf = (text: string): number => [...text].length;

/**
 * `input` trimmed when it is a string of 1 to `maxLength` characters (after trimming) that `forbidden` does not
 * match (null: no character is forbidden); else undefined.
 */
export function trimmedText(
  input: unknown,
  maxLength: number,
  forbidden: RegExp | null = FORBIDDEN_IN_TEXT,
): string | undefined {
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (lengthOf(text) < 1 || lengthOf(text) > maxLength || forbidden?.test(text) === true) return undefined;
  return text;
}

/** The `INVALID_ID` error for `field`. */
export const invalidStreamId = (field: string): DomainError =>
  invalid('INVALID_ID', `The ${field} must be 1 to 100 letters, digits, underscores or hyphens (a UUID fits).`, {
    field,
  });

/** A string matching STREAM_ID. Throws `INVALID_ID`. */
export function parseStreamId(input: unknown, field: string): string {
  if (typeof input !== 'string' || !STREAM_ID.test(input)) throw invalidStreamId(field);
  return input;
}

/**
 * Days in `month` (1-12) of `year`, as `Date.UTC` counts them (years 0-99 are read as 1900-1999, so year 0 is not a
 * leap year here, unlike identity/civil-date's daysInMonth).
 */
function utcDaysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True when the `YYYY-MM-DD` that `input` starts with names a real day (see utcDaysInMonth). */
function startsWithRealDate(input: string): boolean {
  const [year, month, day] = input.slice(0, 10).split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  return month >= 1 && month <= 12 && day >= 1 && day <= utcDaysInMonth(year, month);
}

/** True for a calendar date `YYYY-MM-DD` that exists. */
export function isCalendarDateText(input: unknown): input is string {
  return typeof input === 'string' && CALENDAR_DATE.test(input) && startsWithRealDate(input);
}

/** True for an ISO 8601 date-time with a mandatory offset that names a real instant. */
export function isIsoInstant(input: unknown): input is string {
  return (
    typeof input === 'string' &&
    ISO_INSTANT.test(input) &&
    startsWithRealDate(input) &&
    Number(input.slice(11, 13)) <= 23 &&
    Number(input.slice(14, 16)) <= 59 &&
    !Number.isNaN(Date.parse(input))
  );
}

/** True for `sha256:` followed by 64 lowercase hex digits. */
export function isSha256Digest(input: unknown): input is string {
  return typeof input === 'string' && SHA256_DIGEST.test(input);
}

/**
 * A `sha256:<64 lowercase hex>` digest. Throws invalid `code` with `{ field }`, saying
 * `The <label> is "sha256:" followed by 64 lowercase hexadecimal digits.` (label defaults to the field).
 */
export function parseSha256Digest(input: unknown, field: string, code: string, label: string = field): string {
  if (!isSha256Digest(input)) {
    throw invalid(code, `The ${label} is "sha256:" followed by 64 lowercase hexadecimal digits.`, { field });
  }
  return input;
}

/**
 * A region code of `level`, plain or dotted, returned in digits only. Throws invalid `code` with `{ field }`:
 * `<rule>. <why>` when it is no region code, `<rule> (got a <level> code).` when it is of another level.
 */
export function parseRegionCodeOfLevel(
  input: unknown,
  field: string,
  level: RegionLevel,
  code: string,
  rule: string,
): string {
  let region;
  try {
    region = parseRegionCode(typeof input === 'string' ? input : '');
  } catch (error) {
    const why = error instanceof DomainError ? ` ${error.message}` : '';
    throw invalid(code, `${rule}.${why}`, { field });
  }
  if (region.level !== level) throw invalid(code, `${rule} (got a ${region.level} code).`, { field });
  return region.code;
}
