import fc from 'fast-check';
import { DomainError } from '../domain-error';
import {
  formatRegionCode,
  isCanonicalRegionCode,
  isRegionCode,
  isWithin,
  parseRegionCode,
  regencyKind,
  villageKind,
} from './region-code';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

const province = fc
  .integer({ min: 11, max: 96 })
  .filter((p) => p % 10 !== 0)
  .map((p) => pad(p, 2));
const regencyDigits = fc.oneof(fc.integer({ min: 1, max: 69 }), fc.integer({ min: 71, max: 99 })).map((r) => pad(r, 2));
const districtDigits = fc.integer({ min: 1, max: 99 }).map((d) => pad(d, 2));
const villageDigits = fc
  .tuple(fc.constantFrom('1', '2'), fc.integer({ min: 1, max: 999 }))
  .map(([kind, serial]) => kind + pad(serial, 3));
const village = fc.tuple(province, regencyDigits, districtDigits, villageDigits).map((parts) => parts.join(''));
/** Any valid code, as digits: a village cut to one of the four lengths. */
const regionCode = fc.tuple(village, fc.constantFrom(2, 4, 6, 10)).map(([code, length]) => code.slice(0, length));

function rejection(input: string): DomainError {
  try {
    parseRegionCode(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error(`expected ${input} to be rejected`);
}

describe('parseRegionCode', () => {
  it.each([
    ['18', '18', 'province'],
    ['1872', '1872', 'regency'],
    ['187201', '187201', 'district'],
    ['1872011001', '1872011001', 'village'],
    ['18.72', '1872', 'regency'],
    ['18.72.01', '187201', 'district'],
    ['18.72.01.1001', '1872011001', 'village'],
    [' 3515 ', '3515', 'regency'],
  ])('given %j, returns %s at level %s', (input, code, level) => {
    expect(parseRegionCode(input)).toEqual({ code, level });
  });

  it.each([
    ['', 'A region code has 2, 4, 6 or 10 digits'],
    ['1', 'A region code has 2, 4, 6 or 10 digits'],
    ['187', 'A region code has 2, 4, 6 or 10 digits'],
    ['18720110011', 'A region code has 2, 4, 6 or 10 digits'],
    ['18.7201', 'A region code has 2, 4, 6 or 10 digits'],
    ['1872.01', 'A region code has 2, 4, 6 or 10 digits'],
    ['18.72.01.100', 'A region code has 2, 4, 6 or 10 digits'],
    ['18-72', 'A region code has 2, 4, 6 or 10 digits'],
    ['１８', 'A region code has 2, 4, 6 or 10 digits'],
    ['NATIONAL', 'A region code has 2, 4, 6 or 10 digits'],
    ['10', 'Province digits must be 11 to 96 and may not end in 0 (got 10)'],
    ['20', 'Province digits must be 11 to 96 and may not end in 0 (got 20)'],
    ['97', 'Province digits must be 11 to 96 and may not end in 0 (got 97)'],
    ['09', 'Province digits must be 11 to 96 and may not end in 0 (got 09)'],
    ['1800', 'Regency digits (3-4) must be 01 to 69 for a kabupaten or 71 to 99 for a kota (got 00)'],
    ['1870', 'Regency digits (3-4) must be 01 to 69 for a kabupaten or 71 to 99 for a kota (got 70)'],
    ['187200', 'District digits (5-6) must be 01 to 99 (got 00)'],
    ['1872013001', 'Village digit 7 must be 1 (kelurahan) or 2 (desa) (got 3)'],
    ['1872010001', 'Village digit 7 must be 1 (kelurahan) or 2 (desa) (got 0)'],
    ['1872011000', 'Village digits 8-10 must be 001 to 999 (got 000)'],
    ['18.72.01.2000', 'Village digits 8-10 must be 001 to 999 (got 000)'],
  ])('rejects %j: %s', (input, message) => {
    const error = rejection(input);
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('INVALID_REGION_CODE');
    expect(error.message).toContain(message);
  });

  it('never echoes rejected input that is not a region code', () => {
    expect(rejection('3515144508680002').message).not.toContain('3515144508680002');
  });

  it('property: every generated code parses to itself, at the level its length says', () => {
    fc.assert(
      fc.property(regionCode, (code) => {
        const levels: Record<number, string> = { 2: 'province', 4: 'regency', 6: 'district', 10: 'village' };
        expect(parseRegionCode(code)).toEqual({ code, level: levels[code.length] });
        expect(isCanonicalRegionCode(code)).toBe(true);
      }),
    );
  });

  it('property: the dotted form parses to the same code and formats back', () => {
    fc.assert(
      fc.property(regionCode, (code) => {
        const dotted = formatRegionCode(code);
        expect(parseRegionCode(dotted).code).toBe(code);
        expect(formatRegionCode(dotted)).toBe(dotted);
        expect(isCanonicalRegionCode(dotted)).toBe(code.length === 2);
      }),
    );
  });

  it('property: a code is valid exactly when each digit group obeys its rule', () => {
    fc.assert(
      fc.property(fc.constantFrom(2, 4, 6, 10), fc.stringMatching(/^[0-9]{10}$/), (length, digits) => {
        const code = digits.slice(0, length);
        const p = Number(code.slice(0, 2));
        const r = code.slice(2, 4);
        const expected =
          p >= 11 &&
          p <= 96 &&
          p % 10 !== 0 &&
          (length < 4 || (r !== '00' && r !== '70')) &&
          (length < 6 || code.slice(4, 6) !== '00') &&
          (length < 10 || ((code[6] === '1' || code[6] === '2') && code.slice(7) !== '000'));
        expect(isRegionCode(code)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: digit strings of any other length are rejected', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{0,16}$/).filter((s) => ![2, 4, 6, 10].includes(s.length)),
        (input) => {
          expect(isRegionCode(input)).toBe(false);
        },
      ),
    );
  });
});

describe('regencyKind and villageKind', () => {
  it.each([
    ['1801', 'KABUPATEN'],
    ['1869', 'KABUPATEN'],
    ['1871', 'KOTA'],
    ['1899', 'KOTA'],
    ['18.72.01.1001', 'KOTA'],
    ['351514', 'KABUPATEN'],
  ])('regency of %s is a %s', (code, kind) => {
    expect(regencyKind(code)).toBe(kind);
  });

  it('a province has no regency kind', () => {
    expect(() => regencyKind('18')).toThrow(expect.objectContaining({ code: 'INVALID_REGION_CODE' }));
  });

  it.each([
    ['1872011001', 'KELURAHAN'],
    ['3515142001', 'DESA'],
  ])('village %s is a %s', (code, kind) => {
    expect(villageKind(code)).toBe(kind);
  });

  it.each(['18', '1872', '187201', '1872013001'])('%s has no village kind', (code) => {
    expect(() => villageKind(code)).toThrow(expect.objectContaining({ code: 'INVALID_REGION_CODE' }));
  });

  it('property: kinds follow digits 3-4 and digit 7', () => {
    fc.assert(
      fc.property(village, (code) => {
        expect(regencyKind(code)).toBe(Number(code.slice(2, 4)) >= 71 ? 'KOTA' : 'KABUPATEN');
        expect(villageKind(code)).toBe(code[6] === '1' ? 'KELURAHAN' : 'DESA');
      }),
    );
  });
});

describe('isWithin', () => {
  it.each([
    ['1872011001', '1872', true],
    ['1872011001', '18.72.01', true],
    ['1872', '1872', true],
    ['1872', '18', true],
    ['1871', '1872', false],
    ['18', '1872', false],
    ['1872011001', '19', false],
    ['1872011001', '1', false],
    ['1872011001', '', false],
    ['garbage', '18', false],
  ])('%j within %j: %s', (inner, outer, expected) => {
    expect(isWithin(inner, outer)).toBe(expected);
  });

  it('property: a code lies within each of its prefixes, and within another code exactly when that code is a prefix of it', () => {
    fc.assert(
      fc.property(village, regionCode, (code, other) => {
        for (const length of [2, 4, 6, 10]) expect(isWithin(code, code.slice(0, length))).toBe(true);
        expect(isWithin(code, other)).toBe(code.startsWith(other));
      }),
    );
  });

  it('property: containment is antisymmetric', () => {
    fc.assert(
      fc.property(regionCode, regionCode, (a, b) => {
        if (isWithin(a, b) && isWithin(b, a)) expect(a).toBe(b);
      }),
    );
  });
});

describe('formatRegionCode', () => {
  it.each([
    ['18', '18'],
    ['1872', '18.72'],
    ['187201', '18.72.01'],
    ['1872011001', '18.72.01.1001'],
  ])('%s -> %s', (code, dotted) => {
    expect(formatRegionCode(code)).toBe(dotted);
  });

  it('rejects what is not a region code', () => {
    expect(() => formatRegionCode('1870')).toThrow(DomainError);
  });
});
