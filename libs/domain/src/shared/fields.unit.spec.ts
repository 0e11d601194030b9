import { DomainError } from '../domain-error';
import {
  FORBIDDEN_IN_TEXT,
  invalid,
  isCalendarDateText,
  isIsoInstant,
  isSha256Digest,
  lengthOf,
  parseRegionCodeOfLevel,
  parseSha256Digest,
  parseStreamId,
  STREAM_ID,
  trimmedText,
} from './fields';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function caught(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('shared field checks', () => {
  it('builds invalid DomainErrors', () => {
    const error = invalid('SOME_CODE', 'Some message.', { field: 'x' });
    expect(error).toBeInstanceOf(DomainError);
    expect([error.kind, error.code, error.message, error.details]).toEqual([
      'invalid',
      'SOME_CODE',
      'Some message.',
      { field: 'x' },
    ]);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(lengthOf('a😀')).toBe(2);
  });

  describe('trimmedText', () => {
    it('returns the trimmed text within bounds', () => {
      expect(trimmedText('  Budi  ', 4)).toBe('Budi');
      expect(trimmedText('😀😀', 2)).toBe('😀😀');
    });
    it('rejects non-strings, empty and too long text', () => {
      expect(trimmedText(undefined, 10)).toBeUndefined();
      expect(trimmedText(42, 10)).toBeUndefined();
      expect(trimmedText('   ', 10)).toBeUndefined();
      expect(trimmedText('abcde', 4)).toBeUndefined();
    });
    it('rejects forbidden characters by default, and allows them when forbidden is null', () => {
      expect(FORBIDDEN_IN_TEXT.test('a\u202Eb')).toBe(true);
      expect(trimmedText('a\nb', 10)).toBeUndefined();
      expect(trimmedText('a\u202Eb', 10)).toBeUndefined();
      expect(trimmedText('a\nb', 10, null)).toBe('a\nb');
      expect(trimmedText('a\tb', 10, /x/)).toBe('a\tb');
    });
  });

  describe('parseStreamId', () => {
    it('accepts ids that may end a stream name', () => {
      expect(parseStreamId('0b6c2f3e-1d2a-4f5b-9c8d-7e6f5a4b3c2d', 'id')).toBe('0b6c2f3e-1d2a-4f5b-9c8d-7e6f5a4b3c2d');
      expect(STREAM_ID.test('a'.repeat(100))).toBe(true);
    });
    it.each<unknown>(['', '-a', 'a'.repeat(101), 'a b', undefined, 7])('rejects %p with INVALID_ID', (input) => {
      const error = caught(() => parseStreamId(input, 'proposalId'));
      expect(error.code).toBe('INVALID_ID');
      expect(error.message).toBe(
        'The proposalId must be 1 to 100 letters, digits, underscores or hyphens (a UUID fits).',
      );
      expect(error.details).toEqual({ field: 'proposalId' });
    });
  });

  describe('isCalendarDateText', () => {
    it('accepts real dates', () => {
      expect(isCalendarDateText('2024-02-29')).toBe(true);
      expect(isCalendarDateText('2025-12-31')).toBe(true);
    });
    it('rejects impossible dates and other shapes', () => {
      for (const input of [
        '2025-02-29',
        '2025-13-01',
        '2025-00-10',
        '2025-04-31',
        '2025-1-01',
        '2025-01-01T00:00Z',
        5,
      ]) {
        expect(isCalendarDateText(input)).toBe(false);
      }
    });
    it('counts days as Date.UTC does (year 0 is read as 1900)', () => {
      expect(isCalendarDateText('0000-02-29')).toBe(false);
      expect(isCalendarDateText('0004-02-29')).toBe(true);
    });
  });

  describe('isIsoInstant', () => {
    it('accepts date-times with an offset', () => {
      for (const input of ['2025-03-31T23:00+07:00', '2025-03-31T23:59:59Z', '2024-02-29T00:00:00.123456789-05:30']) {
        expect(isIsoInstant(input)).toBe(true);
      }
    });
    it('rejects missing offsets, impossible dates and times', () => {
      for (const input of [
        '2025-03-31',
        '2025-03-31T10:00',
        '2025-02-29T10:00Z',
        '2025-03-31T24:00Z',
        '2025-03-31T10:60Z',
        '2025-03-31T10:00:60Z',
        '2025-03-31T10:00+99:99',
        undefined,
      ]) {
        expect(isIsoInstant(input)).toBe(false);
      }
    });
  });

  describe('sha256 digests', () => {
    it('accepts sha256: and 64 lowercase hex digits only', () => {
      expect(isSha256Digest(DIGEST)).toBe(true);
      expect(isSha256Digest(DIGEST.toUpperCase())).toBe(false);
      expect(isSha256Digest(`${DIGEST}0`)).toBe(false);
      expect(isSha256Digest(null)).toBe(false);
    });
    it('throws the given code, naming the field or the label', () => {
      expect(parseSha256Digest(DIGEST, 'd', 'X')).toBe(DIGEST);
      const byField = caught(() => parseSha256Digest('sha256:00', 'evidence', 'INVALID_DIGEST'));
      expect([byField.code, byField.message, byField.details]).toEqual([
        'INVALID_DIGEST',
        'The evidence is "sha256:" followed by 64 lowercase hexadecimal digits.',
        { field: 'evidence' },
      ]);
      const byLabel = caught(() => parseSha256Digest('', 'minutesDigest', 'INVALID_MINUTES_DIGEST', 'minutes digest'));
      expect([byLabel.code, byLabel.message, byLabel.details]).toEqual([
        'INVALID_MINUTES_DIGEST',
        'The minutes digest is "sha256:" followed by 64 lowercase hexadecimal digits.',
        { field: 'minutesDigest' },
      ]);
    });
  });

  describe('parseRegionCodeOfLevel', () => {
    const village = (input: unknown) =>
      parseRegionCodeOfLevel(input, 'villageCode', 'village', 'INVALID_VILLAGE_CODE', 'A village code has 10 digits');
    it('returns the code in digits only', () => {
      expect(village('33.01.01.2001')).toBe('3301012001');
    });
    it('rejects a code of another level, saying which', () => {
      const error = caught(() => village('3301'));
      expect([error.kind, error.code, error.message, error.details]).toEqual([
        'invalid',
        'INVALID_VILLAGE_CODE',
        'A village code has 10 digits (got a regency code).',
        { field: 'villageCode' },
      ]);
    });
    it('rejects what is no region code, with the reason', () => {
      const error = caught(() => village(12));
      expect(error.code).toBe('INVALID_VILLAGE_CODE');
      expect(error.message.startsWith('A village code has 10 digits. ')).toBe(true);
      expect(error.details).toEqual({ field: 'villageCode' });
    });
  });
});
