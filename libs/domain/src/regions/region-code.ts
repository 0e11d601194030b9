import { DomainError } from '../domain-error';

/** Kemendagri region levels: provinsi, kabupaten/kota, kecamatan, kelurahan/desa. */
export type RegionLevel = 'province' | 'regency' | 'district' | 'village';

/** A structurally valid Kemendagri region code. */
export type RegionCode = {
  /** Digits only: 2 (province), 4 (regency), 6 (district) or 10 (village). */
  readonly code: string;
  readonly level: RegionLevel;
};

/** Kabupaten (regency digits 01-69) or kota (city, 71-99). */
export type RegencyKind = 'KABUPATEN' | 'KOTA';
/** Kelurahan (urban village, digit 7 = 1) or desa (rural village, digit 7 = 2). */
export type VillageKind = 'KELURAHAN' | 'DESA';

const LEVEL_BY_LENGTH: Readonly<Record<number, RegionLevel>> = {
  2: 'province',
  4: 'regency',
  6: 'district',
  10: 'village',
};
const PLAIN = /^(?:[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{10})$/;
/** As Kemendagri writes them: `18`, `18.72`, `18.72.01`, `18.72.01.1001`. */
const DOTTED = /^[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?$/;

type Analysis = { readonly ok: true; readonly value: RegionCode } | { readonly ok: false; readonly problem: string };

/** Why the digits are not a region code, or undefined when they are one. Never echoes anything but digit groups. */
function problemWith(digits: string): string | undefined {
  const province = digits.slice(0, 2);
  const provinceNumber = Number(province);
  if (provinceNumber < 11 || provinceNumber > 96 || provinceNumber % 10 === 0) {
    return `Province digits must be 11 to 96 and may not end in 0 (got ${province}).`;
  }
  if (digits.length >= 4) {
    const regency = digits.slice(2, 4);
    if (regency === '00' || regency === '70') {
      return `Regency digits (3-4) must be 01 to 69 for a kabupaten or 71 to 99 for a kota (got ${regency}).`;
    }
  }
  if (digits.length >= 6 && digits.slice(4, 6) === '00') {
    return 'District digits (5-6) must be 01 to 99 (got 00).';
  }
  if (digits.length === 10) {
    const kind = digits.charAt(6);
    if (kind !== '1' && kind !== '2') {
      return `Village digit 7 must be 1 (kelurahan) or 2 (desa) (got ${kind}).`;
    }
    if (digits.slice(7) === '000') {
      return 'Village digits 8-10 must be 001 to 999 (got 000).';
    }
  }
  return undefined;
}

function analyse(input: string): Analysis {
  const text = input.trim();
  if (!PLAIN.test(text) && !DOTTED.test(text)) {
    return {
      ok: false,
      problem: 'A region code has 2, 4, 6 or 10 digits, written plain or with dots as in 18.72.01.1001.',
    };
  }
  const code = text.replaceAll('.', '');
  const problem = problemWith(code);
  if (problem !== undefined) return { ok: false, problem };
  const level = LEVEL_BY_LENGTH[code.length];
  if (level === undefined) return { ok: false, problem: 'A region code has 2, 4, 6 or 10 digits.' };
  return { ok: true, value: { code, level } };
}

function invalid(problem: string): DomainError {
  return new DomainError('invalid', 'INVALID_REGION_CODE', problem);
}

/**
 * Parses a Kemendagri region code, plain (`1872011001`) or dotted (`18.72.01.1001`), surrounding spaces ignored.
 * Throws DomainError `INVALID_REGION_CODE` whose message names what is wrong.
 */
export function parseRegionCode(input: string): RegionCode {
  const analysis = analyse(input);
  if (!analysis.ok) throw invalid(analysis.problem);
  return analysis.value;
}

/** True when `input` parses as a region code (plain or dotted). */
export function isRegionCode(input: string): boolean {
  return analyse(input).ok;
}

/** True when `input` is a valid region code written in digits only, the form stored in events and scopes. */
export function isCanonicalRegionCode(input: string): boolean {
  const analysis = analyse(input);
  return analysis.ok && analysis.value.code === input;
}

/** Kabupaten or kota, from digits 3-4 of a regency, district or village code. */
export function regencyKind(code: string): RegencyKind {
  const { code: digits, level } = parseRegionCode(code);
  if (level === 'province') throw invalid('A province code has no regency digits.');
  return Number(digits.slice(2, 4)) >= 71 ? 'KOTA' : 'KABUPATEN';
}

/** Kelurahan or desa, from digit 7 of a village code. */
export function villageKind(code: string): VillageKind {
  const { code: digits, level } = parseRegionCode(code);
  if (level !== 'village') throw invalid('Only a village code (10 digits) tells a kelurahan from a desa.');
  return digits.charAt(6) === '1' ? 'KELURAHAN' : 'DESA';
}

/**
 * True when region `inner` lies within region `outer` (prefix containment; a region is within itself). Both may
 * be plain or dotted; anything that is not a region code is within nothing.
 */
export function isWithin(inner: string, outer: string): boolean {
  const a = analyse(inner);
  const b = analyse(outer);
  return a.ok && b.ok && a.value.code.startsWith(b.value.code);
}

/** The dotted Kemendagri form: `1872011001` -> `18.72.01.1001`. */
export function formatRegionCode(code: string): string {
  const digits = parseRegionCode(code).code;
  return [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4, 6), digits.slice(6)]
    .filter((part) => part !== '')
    .join('.');
}
