import {
  DomainError,
  RELATIONSHIPS,
  parseAddress,
  parseHouseholdKk,
  parseMember,
  parseRegionCode,
  parseRtRw,
  type MemberSex,
  type Relationship,
} from '@muskel/domain';

/** The columns of a baseline file, in the documented order (docs/registry-import.md). */
export const CSV_COLUMNS = [
  'kk_number',
  'nik',
  'name',
  'sex',
  'birth_date',
  'relationship',
  'address',
  'rt',
  'rw',
  'village_code',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** One problem in the file: where (row as numbered in a spreadsheet, the header being row 1), and why. */
export interface ImportRowError {
  row: number;
  column: CsvColumn | '';
  code: string;
  message: string;
}

const SEXES: Readonly<Record<string, MemberSex>> = {
  L: 'M',
  M: 'M',
  'LAKI-LAKI': 'M',
  P: 'F',
  F: 'F',
  PEREMPUAN: 'F',
};

/** Dukcapil's SHDK terms (status hubungan dalam keluarga) and the domain's own codes. */
const RELATIONSHIP_TERMS: Readonly<Record<string, Relationship>> = {
  KEPALA_KELUARGA: 'HEAD',
  KK: 'HEAD',
  SUAMI: 'SPOUSE',
  ISTRI: 'SPOUSE',
  ANAK: 'CHILD',
  MENANTU: 'CHILD_IN_LAW',
  CUCU: 'GRANDCHILD',
  ORANG_TUA: 'PARENT',
  ORANGTUA: 'PARENT',
  MERTUA: 'PARENT_IN_LAW',
  FAMILI_LAIN: 'OTHER_RELATIVE',
  LAINNYA: 'OTHER',
  ...Object.fromEntries(RELATIONSHIPS.map((code) => [code, code])),
};

export function parseSex(input: string): MemberSex | undefined {
  return SEXES[input.trim().toUpperCase()];
}

export function parseRelationship(input: string): Relationship | undefined {
  return RELATIONSHIP_TERMS[
    input
      .trim()
      .toUpperCase()
      .replace(/[\s-]+/g, '_')
  ];
}

/** A row that passed every check of its own (the household's checks come later). */
export interface CsvRow {
  row: number;
  kkNumber: string;
  nik: string;
  name: string;
  sex: MemberSex;
  birthDate: string;
  relationship: Relationship;
  address: string;
  rt: string;
  rw: string;
  villageCode: string;
}

const MEMBER_FIELD_COLUMNS: Readonly<Record<string, CsvColumn>> = {
  nik: 'nik',
  name: 'name',
  sex: 'sex',
  birthDate: 'birth_date',
  relationship: 'relationship',
};

/** The column a domain error's `field` (e.g. `members[2].birthDate`, `kkNumber`) points to. */
export function columnOfField(field: string | undefined): CsvColumn | '' {
  if (field === undefined) return '';
  const last = field.split('.').pop() ?? '';
  if (MEMBER_FIELD_COLUMNS[last]) return MEMBER_FIELD_COLUMNS[last];
  const direct: Readonly<Record<string, CsvColumn>> = {
    kkNumber: 'kk_number',
    address: 'address',
    rt: 'rt',
    rw: 'rw',
    villageCode: 'village_code',
    members: 'relationship',
  };
  return direct[last] ?? '';
}

function check(errors: ImportRowError[], row: number, column: CsvColumn, work: () => void): void {
  try {
    work();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    errors.push({ row, column, code: error.code, message: error.message });
  }
}

/**
 * Checks one row on its own with the domain's parsers, so that the importer reports what the decider would
 * refuse, per column. Messages are the domain's plain sentences: they never repeat the value.
 */
export function parseCsvRow(
  record: Readonly<Record<string, string | undefined>>,
  row: number,
  defaultVillage: string | undefined,
): { row?: CsvRow; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const text = (column: CsvColumn) => (record[column] ?? '').trim();
  let kkNumber = '';
  check(errors, row, 'kk_number', () => (kkNumber = parseHouseholdKk(text('kk_number'))));
  const sex = parseSex(text('sex'));
  if (sex === undefined) {
    errors.push({ row, column: 'sex', code: 'INVALID_SEX', message: 'The sex is L or P (or M or F).' });
  }
  const relationship = parseRelationship(text('relationship'));
  if (relationship === undefined) {
    errors.push({
      row,
      column: 'relationship',
      code: 'INVALID_RELATIONSHIP',
      message: 'The relationship is a term of the KK (KEPALA_KELUARGA, ISTRI, SUAMI, ANAK, ...) or a domain code.',
    });
  }
  const member = {
    memberId: 'm',
    nik: text('nik'),
    name: text('name'),
    sex: sex ?? 'M',
    birthDate: text('birth_date'),
    relationship: relationship ?? 'OTHER',
  };
  try {
    parseMember(member, 'member');
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    errors.push({
      row,
      column: columnOfField(String(error.details?.['field'] ?? '')),
      code: error.code,
      message: error.message,
    });
  }
  let address = '';
  check(errors, row, 'address', () => (address = parseAddress(text('address'))));
  let rt = '';
  let rw = '';
  check(errors, row, 'rt', () => (rt = parseRtRw(text('rt'), 'rt')));
  check(errors, row, 'rw', () => (rw = parseRtRw(text('rw'), 'rw')));
  let villageCode = '';
  const villageText = text('village_code') || defaultVillage || '';
  check(errors, row, 'village_code', () => {
    const region = parseRegionCode(villageText);
    if (region.level !== 'village') {
      throw new DomainError('invalid', 'INVALID_VILLAGE_CODE', 'The village code has 10 digits.');
    }
    villageCode = region.code;
  });
  if (villageCode !== '' && defaultVillage !== undefined && villageCode !== defaultVillage) {
    errors.push({
      row,
      column: 'village_code',
      code: 'OTHER_VILLAGE',
      message: 'The row belongs to another village than the one being imported.',
    });
  }
  if (errors.length > 0 || sex === undefined || relationship === undefined) return { errors };
  return {
    row: {
      row,
      kkNumber,
      nik: member.nik,
      name: member.name,
      sex,
      birthDate: member.birthDate,
      relationship,
      address,
      rt,
      rw,
      villageCode,
    },
    errors,
  };
}
