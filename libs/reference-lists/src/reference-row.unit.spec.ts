import { parseDukcapilResult, parseReferenceRow } from './reference-row';

describe('reference list rows', () => {
  it('reads a valid row: the NIK and the list reference, trimmed', () => {
    expect(parseReferenceRow('BKN', { nik: ' 3515140508680001 ', nip: ' 198001012005011001 ' }, 2)).toEqual({
      row: { nik: '3515140508680001', reference: '198001012005011001', result: null },
      errors: [],
    });
  });

  it('reports each bad cell with its row and column, never the value', () => {
    const parsed = parseReferenceRow('DUKCAPIL_DEATHS', { nik: '3515140513680001', certificate_number: '' }, 7);
    expect(parsed.row).toBeUndefined();
    expect(parsed.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [7, 'nik', 'NIK_INVALID'],
      [7, 'certificate_number', 'MISSING_VALUE'],
    ]);
    expect(JSON.stringify(parsed.errors)).not.toContain('3515140513680001');
  });

  it('refuses an empty NIK, a reference too long or with control characters', () => {
    expect(parseReferenceRow('AHU', { nik: '', registration_number: 'AHU-1' }, 3).errors[0]).toMatchObject({
      column: 'nik',
      code: 'MISSING_VALUE',
    });
    expect(
      parseReferenceRow('BPJS_TK', { nik: '3515140508680001', participant_number: 'x'.repeat(201) }, 3).errors[0],
    ).toMatchObject({ column: 'participant_number', code: 'INVALID_REFERENCE' });
    expect(
      parseReferenceRow('BPJS_TK', { nik: '3515140508680001', participant_number: 'a\u0007b' }, 3).errors[0],
    ).toMatchObject({ code: 'INVALID_REFERENCE' });
  });

  it('reads Dukcapil results in their usual spellings', () => {
    expect(
      ['padan', 'PADAN', 'Tidak Padan', 'tidak_padan', 'TIDAK-PADAN', 'tidakpadan'].map(parseDukcapilResult),
    ).toEqual(['PADAN', 'PADAN', 'TIDAK_PADAN', 'TIDAK_PADAN', 'TIDAK_PADAN', 'TIDAK_PADAN']);
    expect(parseDukcapilResult('maybe')).toBeUndefined();
    expect(
      parseReferenceRow('DUKCAPIL_RESULTS', { nik: '3515140508680001', result: 'Tidak Padan', reference: 'D-1' }, 2)
        .row,
    ).toEqual({ nik: '3515140508680001', reference: 'D-1', result: 'TIDAK_PADAN' });
    expect(
      parseReferenceRow('DUKCAPIL_RESULTS', { nik: '3515140508680001', result: '', reference: 'D-1' }, 2).errors,
    ).toMatchObject([{ column: 'result', code: 'INVALID_RESULT' }]);
  });
});
