import fc from 'fast-check';
import { DomainError } from '../domain-error';
import { formatNik, isStructurallyValidNik, parseNik, type NikContext, type NikWarningCode } from './nik';

// Synthetic NIKs only (the DESIGN examples): never a real person's number.
const MAN = '3515140508680001';
const WOMAN = '3515144508680002';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

function rejection(input: string, context?: NikContext): DomainError {
  try {
    parseNik(input, context);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected the NIK to be rejected');
}

const codes = (input: string, context: NikContext) => parseNik(input, context).warnings.map((w) => w.code);

// Generators ------------------------------------------------------------------------------------------------------

const province = fc
  .integer({ min: 11, max: 96 })
  .filter((p) => p % 10 !== 0)
  .map((p) => pad(p, 2));
const regency = fc.oneof(fc.integer({ min: 1, max: 69 }), fc.integer({ min: 71, max: 99 })).map((r) => pad(r, 2));
const district = fc.integer({ min: 1, max: 99 }).map((d) => pad(d, 2));
const regionCode = fc.tuple(province, regency, district).map((parts) => parts.join(''));
const birthDate = fc
  .date({ min: new Date('1931-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const sex = fc.constantFrom<'M' | 'F'>('M', 'F');
const serial = fc.integer({ min: 1, max: 9999 }).map((s) => pad(s, 4));
const nikParts = fc.record({ regionCode, birthDate, sex, serial });

describe('parseNik', () => {
  it('given the DESIGN example of a man, when parsed, then its parts come back without warnings', () => {
    expect(parseNik(MAN)).toEqual({
      nik: MAN,
      regionCode: '351514',
      birthDate: '1968-08-05',
      sex: 'M',
      serial: '0001',
      warnings: [],
    });
  });

  it('given the DESIGN example of a woman, when parsed, then the day is less 40 and the sex is F', () => {
    expect(parseNik(WOMAN)).toMatchObject({ birthDate: '1968-08-05', sex: 'F', serial: '0002', warnings: [] });
  });

  it('given surrounding spaces, when parsed, then they are trimmed', () => {
    expect(parseNik(`  ${MAN} `).nik).toBe(MAN);
  });

  it.each([
    ['', 'NOT_16_DIGITS'],
    ['351514050868000', 'NOT_16_DIGITS'],
    ['35151405086800011', 'NOT_16_DIGITS'],
    ['3515 1405 0868 0001', 'NOT_16_DIGITS'],
    ['35.15.14.050868.0001', 'NOT_16_DIGITS'],
    ['351514050868000A', 'NOT_16_DIGITS'],
    ['３５１５１４０５０８６８０００１', 'NOT_16_DIGITS'],
    ['٣٥١٥١٤٠٥٠٨٦٨٠٠٠١', 'NOT_16_DIGITS'],
    ['0515140508680001', 'BAD_PROVINCE'],
    ['0015140508680001', 'BAD_PROVINCE'],
    ['3515140008680001', 'BAD_DAY'],
    ['3515143208680001', 'BAD_DAY'],
    ['3515144008680001', 'BAD_DAY'],
    ['3515147208680001', 'BAD_DAY'],
    ['3515149908680001', 'BAD_DAY'],
    ['3515140500680001', 'BAD_MONTH'],
    ['3515140513680001', 'BAD_MONTH'],
    ['3515143102680001', 'IMPOSSIBLE_DATE'],
    ['3515147102680001', 'IMPOSSIBLE_DATE'],
    ['3515143104680001', 'IMPOSSIBLE_DATE'],
    ['3515142902670001', 'IMPOSSIBLE_DATE'],
    ['3515146902670001', 'IMPOSSIBLE_DATE'],
    ['3515140508680000', 'ZERO_SERIAL'],
  ])('given %j, when parsed, then it is rejected as %s', (input, reason) => {
    const error = rejection(input);
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('NIK_INVALID');
    expect(error.details).toEqual({ reason });
  });

  it.each([
    ['3515142902680001', '1968-02-29', 'M'],
    ['3515146902680001', '1968-02-29', 'F'],
    ['3515143101680001', '1968-01-31', 'M'],
    ['3515147112680001', '1968-12-31', 'F'],
    ['3515144101000001', '2000-01-01', 'F'],
    ['3515142902000001', '2000-02-29', 'M'],
  ])('given the edge date in %j, when parsed, then it is accepted as %s (%s)', (input, date, s) => {
    expect(parseNik(input)).toMatchObject({ birthDate: date, sex: s });
  });

  it('never echoes the rejected input in the message', () => {
    for (const input of ['3515140508680000', '3515143102680001', '351514050868000A', '0515140508680001']) {
      expect(rejection(input).message).not.toContain(input);
      expect(rejection(input).message).not.toContain(input.slice(0, 12));
    }
  });
});

describe('parseNik: century of the birth year', () => {
  it.each([
    // [yy, referenceYear, expected year]
    ['00', 2026, '2000'],
    ['25', 2026, '2025'],
    ['26', 2026, '2026'],
    ['27', 2026, '1927'],
    ['68', 2026, '1968'],
    ['99', 2026, '1999'],
    ['68', 2070, '2068'],
    ['30', undefined, '2030'],
    ['31', undefined, '1931'],
    ['00', undefined, '2000'],
  ])('given yy %s and referenceYear %s, when parsed, then the year is %s', (yy, referenceYear, year) => {
    const nik = `3515140508${yy}0001`;
    expect(parseNik(nik, { referenceYear }).birthDate).toBe(`${year}-08-05`);
  });

  it('given 29 Feb of yy 00, when the century resolves to 2000 it is valid, when to 1900 it is impossible', () => {
    expect(parseNik('3515142902000001', { referenceYear: 2026 }).birthDate).toBe('2000-02-29');
    expect(rejection('3515142902000001', { referenceYear: 1999 }).details).toEqual({ reason: 'IMPOSSIBLE_DATE' });
  });

  it('given a stated birth date whose year ends in the same two digits, when parsed, then its century is kept', () => {
    const parsed = parseNik('3515140508250001', { referenceYear: 2026, birthDate: '1925-08-05' });
    expect(parsed.birthDate).toBe('1925-08-05');
    expect(parsed.warnings).toEqual([]);
  });
});

describe('parseNik: warnings, never rejections', () => {
  it.each<[string, NikContext, NikWarningCode[]]>([
    ['matching context', { birthDate: '1968-08-05', sex: 'M', villageCode: '3515142001' }, []],
    ['dotted village of the same district', { villageCode: '35.15.14.2001' }, []],
    ['another birth date', { birthDate: '1968-08-06' }, ['NIK_BIRTHDATE_MISMATCH']],
    ['a malformed stated birth date', { birthDate: '05-08-1968' }, ['NIK_BIRTHDATE_MISMATCH']],
    ['another sex', { sex: 'F' }, ['NIK_SEX_MISMATCH']],
    ['a village elsewhere (the person moved)', { villageCode: '1872011001' }, ['NIK_REGION_DIFFERS']],
    ['an unknown district', { knownRegion: () => false }, ['NIK_REGION_UNKNOWN']],
    ['a known district', { knownRegion: (code) => code === '351514' }, []],
    [
      'everything different',
      { birthDate: '1970-01-01', sex: 'F', villageCode: '1872011001', knownRegion: () => false },
      ['NIK_REGION_UNKNOWN', 'NIK_BIRTHDATE_MISMATCH', 'NIK_SEX_MISMATCH', 'NIK_REGION_DIFFERS'],
    ],
  ])('given the man of the example and %s, when parsed, then the warnings are %j', (_what, context, expected) => {
    expect(codes(MAN, context)).toEqual(expected);
  });

  it('given a woman stated as a man, when parsed, then NIK_SEX_MISMATCH', () => {
    expect(codes(WOMAN, { sex: 'M', birthDate: '1968-08-05' })).toEqual(['NIK_SEX_MISMATCH']);
  });

  it('given the 6-digit prefix, when knownRegion is asked, then it receives exactly that prefix', () => {
    const asked: string[] = [];
    parseNik(MAN, { knownRegion: (code) => (asked.push(code), true) });
    expect(asked).toEqual(['351514']);
  });

  it.each([
    ['province ending in 0', '1015140508680001'],
    ['province above 96', '9715140508680001'],
    ['regency 00', '3500140508680001'],
    ['regency 70', '3570140508680001'],
    ['district 00', '3515000508680001'],
  ])('given a %s, when parsed, then it is accepted with NIK_REGION_UNKNOWN', (_what, input) => {
    expect(codes(input, {})).toEqual(['NIK_REGION_UNKNOWN']);
  });

  it('never puts the NIK or the birth date in a warning', () => {
    const { warnings } = parseNik(WOMAN, {
      birthDate: '1970-01-01',
      sex: 'M',
      villageCode: '1872011001',
      knownRegion: () => false,
    });
    for (const { message } of warnings) {
      expect(message).not.toContain(WOMAN);
      expect(message).not.toContain('1968');
      expect(message).not.toContain('351514');
    }
  });
});

describe('isStructurallyValidNik', () => {
  it.each([
    [MAN, true],
    [WOMAN, true],
    [` ${MAN} `, true],
    ['1015140508680001', true],
    ['3515140508680000', false],
    ['3515143102680001', false],
    ['35151405086800', false],
    ['', false],
  ])('given %j, then %s', (input, expected) => {
    expect(isStructurallyValidNik(input)).toBe(expected);
  });

  it('property: agrees with parseNik on any 16 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{16}$/), (input) => {
        let parsed = true;
        try {
          parseNik(input);
        } catch {
          parsed = false;
        }
        expect(isStructurallyValidNik(input)).toBe(parsed);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatNik and parseNik', () => {
  it('given the parts of the DESIGN examples, when formatted, then the examples come back', () => {
    expect(formatNik({ regionCode: '351514', birthDate: '1968-08-05', sex: 'M', serial: 1 })).toBe(MAN);
    expect(formatNik({ regionCode: '351514', birthDate: '1968-08-05', sex: 'F', serial: '0002' })).toBe(WOMAN);
  });

  it.each([
    [{ regionCode: '351514', birthDate: '1968-02-30', sex: 'M' as const, serial: 1 }, 'IMPOSSIBLE_DATE'],
    [{ regionCode: '351514', birthDate: '1968-08-05', sex: 'M' as const, serial: 0 }, 'ZERO_SERIAL'],
    [{ regionCode: '351514', birthDate: '1968-08-05', sex: 'M' as const, serial: 10000 }, 'NOT_16_DIGITS'],
    [{ regionCode: '35151', birthDate: '1968-08-05', sex: 'M' as const, serial: 1 }, 'NOT_16_DIGITS'],
  ])('given invalid parts %j, when formatted, then NIK_INVALID %s', (parts, reason) => {
    expect(() => formatNik(parts)).toThrow(expect.objectContaining({ code: 'NIK_INVALID', details: { reason } }));
  });

  it('property: valid parts format then parse back (region, date, sex, serial), without warnings', () => {
    fc.assert(
      fc.property(nikParts, (parts) => {
        const parsed = parseNik(formatNik(parts), { birthDate: parts.birthDate, sex: parts.sex });
        expect(parsed).toMatchObject(parts);
        expect(parsed.warnings).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: the century comes from referenceYear alone when the birth year is within the last 100 years', () => {
    fc.assert(
      fc.property(nikParts, fc.integer({ min: 0, max: 99 }), (parts, age) => {
        const referenceYear = Number(parts.birthDate.slice(0, 4)) + age;
        expect(parseNik(formatNik(parts), { referenceYear }).birthDate).toBe(parts.birthDate);
      }),
    );
  });

  it('property: a woman has the day digits of a man of the same birth date plus 40', () => {
    fc.assert(
      fc.property(nikParts, (parts) => {
        const man = formatNik({ ...parts, sex: 'M' });
        const woman = formatNik({ ...parts, sex: 'F' });
        expect(Number(woman.slice(6, 8))).toBe(Number(man.slice(6, 8)) + 40);
        expect(woman.slice(0, 6) + woman.slice(8)).toBe(man.slice(0, 6) + man.slice(8));
      }),
    );
  });

  it('property: a NIK with a zero serial is always rejected', () => {
    fc.assert(
      fc.property(nikParts, (parts) => {
        const nik = formatNik(parts).slice(0, 12) + '0000';
        expect(rejection(nik).details).toEqual({ reason: 'ZERO_SERIAL' });
      }),
    );
  });

  it('property: warnings never reject and never echo the NIK', () => {
    fc.assert(
      fc.property(
        nikParts,
        fc.record(
          {
            birthDate: birthDate,
            sex,
            villageCode: fc.stringMatching(/^[0-9]{10}$/),
            knownRegion: fc.boolean().map((known) => () => known),
          },
          { requiredKeys: [] },
        ),
        (parts, context) => {
          const nik = formatNik(parts);
          const parsed = parseNik(nik, context);
          for (const { message } of parsed.warnings) expect(message).not.toContain(nik);
        },
      ),
    );
  });
});
