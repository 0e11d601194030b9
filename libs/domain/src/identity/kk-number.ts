import { DomainError } from '../domain-error';
import { formatIsoDate, isCalendarDate, resolveTwoDigitYear } from './civil-date';

/**
 * KK number (Nomor Kartu Keluarga, DESIGN.md section 3): 16 digits, the issuing district (6), the recording date
 * `ddmmyy` and a serial 0001-9999. A household's KK number changes over its life (moving, divorce, death of the
 * head, splitting): the household stream keeps it as a versioned attribute.
 */

/** Why a KK number is rejected (`details.reason` of DomainError `KK_INVALID`). */
export type KkRejection =
  'NOT_16_DIGITS' | 'BAD_PROVINCE' | 'BAD_DAY' | 'BAD_MONTH' | 'IMPOSSIBLE_DATE' | 'ZERO_SERIAL';

export type ParsedKkNumber = {
  readonly kkNumber: string;
  /** The issuing district (kecamatan): 6 digits. */
  readonly regionCode: string;
  /** The recording date, `YYYY-MM-DD`, century resolved as for a NIK. */
  readonly recordedOn: string;
  /** 4 digits, 0001-9999. */
  readonly serial: string;
};

export type KkNumberContext = {
  /** The current year: yy means 20yy when 20yy <= referenceYear, else 19yy. Without it, yy <= 30 means 20yy. */
  readonly referenceYear?: number;
};

const SIXTEEN_DIGITS = /^[0-9]{16}$/;

const MESSAGES: Readonly<Record<KkRejection, string>> = {
  NOT_16_DIGITS: 'A KK number has exactly 16 digits (0-9).',
  BAD_PROVINCE: 'The province digits (1-2) of a KK number cannot start with 0.',
  BAD_DAY: 'The day digits (7-8) of a KK number must be 01 to 31.',
  BAD_MONTH: 'The month digits (9-10) of a KK number must be 01 to 12.',
  IMPOSSIBLE_DATE: 'The recording date of the KK number (digits 7-12) is not a real calendar day.',
  ZERO_SERIAL: 'The serial digits (13-16) of a KK number must be 0001 to 9999.',
};

function reject(reason: KkRejection): DomainError {
  return new DomainError('invalid', 'KK_INVALID', MESSAGES[reason], { reason });
}

/**
 * Parses a KK number (surrounding spaces trimmed, nothing else normalised). Throws DomainError invalid `KK_INVALID`
 * with `details.reason` a KkRejection; the message never echoes the input.
 */
export function parseKkNumber(input: string, context: KkNumberContext = {}): ParsedKkNumber {
  const kkNumber = input.trim();
  if (!SIXTEEN_DIGITS.test(kkNumber)) throw reject('NOT_16_DIGITS');
  if (kkNumber.startsWith('0')) throw reject('BAD_PROVINCE');
  const day = Number(kkNumber.slice(6, 8));
  if (day < 1 || day > 31) throw reject('BAD_DAY');
  const month = Number(kkNumber.slice(8, 10));
  if (month < 1 || month > 12) throw reject('BAD_MONTH');
  const year = resolveTwoDigitYear(Number(kkNumber.slice(10, 12)), context.referenceYear);
  if (!isCalendarDate(year, month, day)) throw reject('IMPOSSIBLE_DATE');
  const serial = kkNumber.slice(12);
  if (serial === '0000') throw reject('ZERO_SERIAL');
  return { kkNumber, regionCode: kkNumber.slice(0, 6), recordedOn: formatIsoDate(year, month, day), serial };
}

/** True when `input` (trimmed) is a structurally valid KK number. */
export function isKkNumber(input: string, context: KkNumberContext = {}): boolean {
  try {
    parseKkNumber(input, context);
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
}
