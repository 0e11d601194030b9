import { columnOfField, parseCsvRow, parseRelationship, parseSex } from './csv-row';

const good = {
  kk_number: '3515140101100001',
  nik: '3515140101550001',
  name: 'Budi Contoh',
  sex: 'L',
  birth_date: '1955-01-01',
  relationship: 'KEPALA_KELUARGA',
  address: 'Dusun Krajan No. 1',
  rt: '001',
  rw: '1',
  village_code: '35.15.14.2001',
};

describe('baseline CSV rows', () => {
  it.each([
    ['L', 'M'],
    ['p', 'F'],
    ['M', 'M'],
    ['F', 'F'],
    ['Perempuan', 'F'],
  ])('reads sex %s as %s', (input, sex) => expect(parseSex(input)).toBe(sex));

  it.each([
    ['KEPALA_KELUARGA', 'HEAD'],
    ['Kepala Keluarga', 'HEAD'],
    ['ISTRI', 'SPOUSE'],
    ['suami', 'SPOUSE'],
    ['ANAK', 'CHILD'],
    ['orang-tua', 'PARENT'],
    ['FAMILI LAIN', 'OTHER_RELATIVE'],
    ['GRANDCHILD', 'GRANDCHILD'],
  ])('reads relationship %s as %s', (input, relationship) => expect(parseRelationship(input)).toBe(relationship));

  it('accepts a good row and normalises the village code', () => {
    const { row, errors } = parseCsvRow(good, 2, undefined);
    expect(errors).toEqual([]);
    expect(row).toMatchObject({ row: 2, sex: 'M', relationship: 'HEAD', villageCode: '3515142001', rw: '1' });
  });

  it('names every bad column of a row, without repeating the values', () => {
    const { row, errors } = parseCsvRow(
      { ...good, kk_number: '12', sex: 'X', relationship: 'TETANGGA', rt: '1234', village_code: '' },
      9,
      undefined,
    );
    expect(row).toBeUndefined();
    expect(errors.map((error) => [error.row, error.column, error.code])).toEqual([
      [9, 'kk_number', 'KK_INVALID'],
      [9, 'sex', 'INVALID_SEX'],
      [9, 'relationship', 'INVALID_RELATIONSHIP'],
      [9, 'rt', 'INVALID_RT_RW'],
      [9, 'village_code', 'INVALID_REGION_CODE'],
    ]);
  });

  it('takes the village from the option when the cell is empty, and refuses another village', () => {
    expect(parseCsvRow({ ...good, village_code: '' }, 2, '3515142001').row?.villageCode).toBe('3515142001');
    expect(parseCsvRow(good, 2, '3515142002').errors.map((error) => error.code)).toEqual(['OTHER_VILLAGE']);
  });

  it('maps domain fields to columns', () => {
    expect(columnOfField('members[2].birthDate')).toBe('birth_date');
    expect(columnOfField('kkNumber')).toBe('kk_number');
    expect(columnOfField('members')).toBe('relationship');
    expect(columnOfField(undefined)).toBe('');
  });
});
