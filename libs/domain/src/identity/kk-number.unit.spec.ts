import fc from 'fast-check';
import { DomainError } from '../domain-error';
import { isKkNumber, parseKkNumber } from './kk-number';

// Synthetic KK numbers only.
const KK = '3515141203150007';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

function rejection(input: string, referenceYear?: number): DomainError {
  try {
    parseKkNumber(input, { referenceYear });
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected the KK number to be rejected');
}

describe('parseKkNumber', () => {
  it('given a synthetic KK number, when parsed, then region, recording date and serial come back', () => {
    expect(parseKkNumber(KK)).toEqual({
      kkNumber: KK,
      regionCode: '351514',
      recordedOn: '2015-03-12',
      serial: '0007',
    });
  });

  it('given surrounding spaces, when parsed, then they are trimmed', () => {
    expect(parseKkNumber(` ${KK}  `).kkNumber).toBe(KK);
  });

  it.each([
    ['', 'NOT_16_DIGITS'],
    ['351514120315000', 'NOT_16_DIGITS'],
    ['35151412031500071', 'NOT_16_DIGITS'],
    ['3515-1412-0315-0007', 'NOT_16_DIGITS'],
    ['35151412031500O7', 'NOT_16_DIGITS'],
    ['0515141203150007', 'BAD_PROVINCE'],
    ['3515140003150007', 'BAD_DAY'],
    ['3515143203150007', 'BAD_DAY'],
    ['3515144203150007', 'BAD_DAY'],
    ['3515141200150007', 'BAD_MONTH'],
    ['3515141213150007', 'BAD_MONTH'],
    ['3515143102150007', 'IMPOSSIBLE_DATE'],
    ['3515142902150007', 'IMPOSSIBLE_DATE'],
    ['3515143106150007', 'IMPOSSIBLE_DATE'],
    ['3515141203150000', 'ZERO_SERIAL'],
  ])('given %j, when parsed, then KK_INVALID %s', (input, reason) => {
    const error = rejection(input);
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('KK_INVALID');
    expect(error.details).toEqual({ reason });
    if (input !== '') expect(error.message).not.toContain(input);
  });

  it.each([
    ['3515142902160007', undefined, '2016-02-29'],
    ['3515140101980007', undefined, '1998-01-01'],
    ['3515140101300007', undefined, '2030-01-01'],
    ['3515140101300007', 2026, '1930-01-01'],
    ['3515140101260007', 2026, '2026-01-01'],
    ['3515142902000007', 2026, '2000-02-29'],
  ])('given %j and referenceYear %s, when parsed, then recorded on %s', (input, referenceYear, recordedOn) => {
    expect(parseKkNumber(input, { referenceYear }).recordedOn).toBe(recordedOn);
  });

  it('given 29 Feb 00 resolved to 1900, when parsed, then the date is impossible', () => {
    expect(rejection('3515142902000007', 1999).details).toEqual({ reason: 'IMPOSSIBLE_DATE' });
  });

  it('property: generated valid parts parse back', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9][0-9]{5}$/),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 9999 }),
        (region, date, serial) => {
          const iso = date.toISOString().slice(0, 10);
          const kk = region + iso.slice(8, 10) + iso.slice(5, 7) + iso.slice(2, 4) + pad(serial, 4);
          expect(parseKkNumber(kk)).toEqual({
            kkNumber: kk,
            regionCode: region,
            recordedOn: iso,
            serial: pad(serial, 4),
          });
          expect(isKkNumber(kk)).toBe(true);
        },
      ),
    );
  });

  it('property: isKkNumber agrees with parseKkNumber on any 16 digits, and a rejection never echoes them', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{16}$/), (input) => {
        let error: unknown;
        try {
          parseKkNumber(input);
        } catch (caught) {
          error = caught;
        }
        expect(isKkNumber(input)).toBe(error === undefined);
        if (error !== undefined) {
          expect(error).toMatchObject({ code: 'KK_INVALID' });
          expect((error as DomainError).message).not.toContain(input);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
