import { DomainError } from '../domain-error';
import { isRegionCode } from '../regions/region-code';
import { formatIsoDate, isCalendarDate, parseIsoDate, resolveTwoDigitYear } from './civil-date';

/**
 * NIK (Nomor Induk Kependudukan, DESIGN.md section 3): 16 digits `PP RR DD ddmmyy ssss`, the district where it was
 * first issued, the birth date (day + 40 for women) and a serial 0001-9999. No check digit; the authoritative test
 * is Dukcapil matching, recorded elsewhere as an event.
 */

/** Why a NIK is rejected (`details.reason` of DomainError `NIK_INVALID`). */
export type NikRejection =
  'NOT_16_DIGITS' | 'BAD_PROVINCE' | 'BAD_DAY' | 'BAD_MONTH' | 'IMPOSSIBLE_DATE' | 'ZERO_SERIAL';

/** Codes of the warnings (flags, never rejections) that parseNik may raise; the first two are DESIGN flag codes. */
export type NikWarningCode =
  'NIK_REGION_UNKNOWN' | 'NIK_BIRTHDATE_MISMATCH' | 'NIK_SEX_MISMATCH' | 'NIK_REGION_DIFFERS';

export const NIK_WARNING_CODES: readonly NikWarningCode[] = [
  'NIK_REGION_UNKNOWN',
  'NIK_BIRTHDATE_MISMATCH',
  'NIK_SEX_MISMATCH',
  'NIK_REGION_DIFFERS',
];

/** A doubt about a structurally valid NIK. The message never carries the NIK nor the birth date. */
export type NikWarning = { readonly code: NikWarningCode; readonly message: string };

export type Sex = 'M' | 'F';

/** What the caller knows about the person, to compare with what the NIK encodes. */
export type NikContext = {
  /** The stated birth date, `YYYY-MM-DD`. */
  readonly birthDate?: string;
  readonly sex?: Sex;
  /** The person's current village (10 digits, dots allowed); a NIK keeps the district where it was first issued. */
  readonly villageCode?: string;
  /** Whether a 6-digit district code exists (e.g. looked up in the Kemendagri list, `idn-area-data`). */
  readonly knownRegion?: (code6: string) => boolean;
  /**
   * The current year, to resolve the century of the two-digit birth year: 20yy when 20yy <= referenceYear, else
   * 19yy. The domain reads no clock, so pass it; without it, yy <= 30 means 20yy and above 30 means 19yy.
   */
  readonly referenceYear?: number;
};

export type ParsedNik = {
  readonly nik: string;
  /** The district (kecamatan) of first issue: 6 digits. */
  readonly regionCode: string;
  /** `YYYY-MM-DD`, century resolved (see NikContext.referenceYear and parseNik). */
  readonly birthDate: string;
  readonly sex: Sex;
  /** 4 digits, 0001-9999. */
  readonly serial: string;
  readonly warnings: readonly NikWarning[];
};

/** The parts of a NIK, to compose one with formatNik. */
export type NikParts = {
  /** 6 digits. */
  readonly regionCode: string;
  /** `YYYY-MM-DD`; only the last two digits of the year are kept. */
  readonly birthDate: string;
  readonly sex: Sex;
  /** 4 digits, or a number 1-9999. */
  readonly serial: string | number;
};

const SIXTEEN_DIGITS = /^[0-9]{16}$/;
const FEMALE_DAY_OFFSET = 40;

const MESSAGES: Readonly<Record<NikRejection, string>> = {
  NOT_16_DIGITS: 'A NIK has exactly 16 digits (0-9).',
  BAD_PROVINCE: 'The province digits (1-2) of a NIK cannot start with 0.',
  BAD_DAY: 'The day digits (7-8) of a NIK must be 01 to 31 (men) or 41 to 71 (women).',
  BAD_MONTH: 'The month digits (9-10) of a NIK must be 01 to 12.',
  IMPOSSIBLE_DATE: 'The birth date encoded in the NIK (digits 7-12) is not a real calendar day.',
  ZERO_SERIAL: 'The serial digits (13-16) of a NIK must be 0001 to 9999.',
};

function reject(reason: NikRejection): DomainError {
  return new DomainError('invalid', 'NIK_INVALID', MESSAGES[reason], { reason });
}

const warning = (code: NikWarningCode): NikWarning => {
  switch (code) {
    case 'NIK_REGION_UNKNOWN':
      return { code, message: 'The region digits (1-6) of the NIK are not a known district code.' };
    case 'NIK_BIRTHDATE_MISMATCH':
      return { code, message: 'The birth date encoded in the NIK differs from the stated birth date.' };
    case 'NIK_SEX_MISMATCH':
      return { code, message: 'The sex encoded in the NIK (day + 40 for women) differs from the stated sex.' };
    case 'NIK_REGION_DIFFERS':
      return { code, message: 'The NIK was first issued in a district other than that of the current village.' };
    default: {
      const _exhaustive: never = code;
      return _exhaustive;
    }
  }
};

type Decoded = { readonly regionCode: string; readonly yy: number; readonly month: number; readonly day: number };
type Analysis =
  | { readonly ok: true; readonly value: Decoded & { readonly sex: Sex; readonly serial: string } }
  | { readonly ok: false; readonly reason: NikRejection };

/** The structural checks, in digit order: length, province, day, month, calendar date, serial. */
function analyse(nik: string, referenceYear: number | undefined): Analysis {
  if (!SIXTEEN_DIGITS.test(nik)) return { ok: false, reason: 'NOT_16_DIGITS' };
  if (nik.startsWith('0')) return { ok: false, reason: 'BAD_PROVINCE' };
  const encodedDay = Number(nik.slice(6, 8));
  const female = encodedDay >= 41 && encodedDay <= 71;
  if (!female && (encodedDay < 1 || encodedDay > 31)) return { ok: false, reason: 'BAD_DAY' };
  const month = Number(nik.slice(8, 10));
  if (month < 1 || month > 12) return { ok: false, reason: 'BAD_MONTH' };
  const day = female ? encodedDay - FEMALE_DAY_OFFSET : encodedDay;
  const yy = Number(nik.slice(10, 12));
  if (!isCalendarDate(resolveTwoDigitYear(yy, referenceYear), month, day)) {
    return { ok: false, reason: 'IMPOSSIBLE_DATE' };
  }
  const serial = nik.slice(12);
  if (serial === '0000') return { ok: false, reason: 'ZERO_SERIAL' };
  return { ok: true, value: { regionCode: nik.slice(0, 6), yy, month, day, sex: female ? 'F' : 'M', serial } };
}

/**
 * The birth year: the century of the stated birth date when its last two digits match the NIK's and the day exists
 * in that year (a 1925 birth with referenceYear 2026 stays 1925), else the century resolved from referenceYear.
 */
function birthYear(decoded: Decoded, context: NikContext): number {
  const stated = context.birthDate === undefined ? undefined : parseIsoDate(context.birthDate);
  if (
    stated !== undefined &&
    stated.year % 100 === decoded.yy &&
    isCalendarDate(stated.year, decoded.month, decoded.day)
  ) {
    return stated.year;
  }
  return resolveTwoDigitYear(decoded.yy, context.referenceYear);
}

/**
 * Parses a NIK (surrounding spaces trimmed, nothing else normalised). Throws DomainError invalid `NIK_INVALID` with
 * `details.reason` a NikRejection; the message never echoes the input. Doubts that must not block (regions split
 * over the years, stated birth date or sex that disagree, a person who moved) come back as `warnings`.
 *
 * Province digits 10-99 that break the Kemendagri rules are only a `NIK_REGION_UNKNOWN` warning; a leading 0
 * (province 00-09, never used) is rejected as `BAD_PROVINCE`.
 */
export function parseNik(input: string, context: NikContext = {}): ParsedNik {
  const nik = input.trim();
  const analysis = analyse(nik, context.referenceYear);
  if (!analysis.ok) throw reject(analysis.reason);
  const { regionCode, month, day, sex, serial } = analysis.value;
  const birthDate = formatIsoDate(birthYear(analysis.value, context), month, day);

  const warnings: NikWarning[] = [];
  const knownRegion = context.knownRegion;
  if (!isRegionCode(regionCode) || (knownRegion !== undefined && !knownRegion(regionCode))) {
    warnings.push(warning('NIK_REGION_UNKNOWN'));
  }
  if (context.birthDate !== undefined && context.birthDate.trim() !== birthDate) {
    warnings.push(warning('NIK_BIRTHDATE_MISMATCH'));
  }
  if (context.sex !== undefined && context.sex !== sex) warnings.push(warning('NIK_SEX_MISMATCH'));
  if (context.villageCode !== undefined && context.villageCode.trim().replaceAll('.', '').slice(0, 6) !== regionCode) {
    warnings.push(warning('NIK_REGION_DIFFERS'));
  }
  return { nik, regionCode, birthDate, sex, serial, warnings };
}

/** True when `input` (trimmed) passes every structural check of parseNik. Warnings do not matter here. */
export function isStructurallyValidNik(input: string, referenceYear?: number): boolean {
  return analyse(input.trim(), referenceYear).ok;
}

/**
 * Composes a NIK from its parts (the inverse of parseNik): region + day (+ 40 for women) + month + yy + serial.
 * Throws `NIK_INVALID` when the parts do not make a structurally valid NIK.
 */
export function formatNik(parts: NikParts): string {
  const date = parseIsoDate(parts.birthDate);
  if (date === undefined) throw reject('IMPOSSIBLE_DATE');
  const serial = typeof parts.serial === 'number' ? String(parts.serial).padStart(4, '0') : parts.serial;
  const day = parts.sex === 'F' ? date.day + FEMALE_DAY_OFFSET : date.day;
  const pad2 = (value: number) => String(value).padStart(2, '0');
  const nik = `${parts.regionCode}${pad2(day)}${pad2(date.month)}${pad2(date.year % 100)}${serial}`;
  const analysis = analyse(nik, date.year);
  if (!analysis.ok) throw reject(analysis.reason);
  return nik;
}
