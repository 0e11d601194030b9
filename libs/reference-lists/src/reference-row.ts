import { DomainError, parseNik, type DukcapilResult, type ReferenceSource } from '@muskel/domain';

/**
 * The columns each list must have (lower case; other columns, such as names, are ignored and never stored).
 * Documented in docs/reference-lists.md.
 */
export const REFERENCE_COLUMNS: Readonly<Record<ReferenceSource, readonly string[]>> = {
  BKN: ['nik', 'nip'],
  DUKCAPIL_DEATHS: ['nik', 'certificate_number'],
  BPJS_TK: ['nik', 'participant_number'],
  AHU: ['nik', 'registration_number'],
  DUKCAPIL_RESULTS: ['nik', 'result', 'reference'],
};

/** The column holding each list's own reference of the row (what a flag or a removal cites as evidence). */
export const REFERENCE_COLUMN: Readonly<Record<ReferenceSource, string>> = {
  BKN: 'nip',
  DUKCAPIL_DEATHS: 'certificate_number',
  BPJS_TK: 'participant_number',
  AHU: 'registration_number',
  DUKCAPIL_RESULTS: 'reference',
};

/** One problem in the file: the row as a spreadsheet numbers it (header = row 1), the column and why. */
export interface ReferenceRowError {
  row: number;
  column: string;
  code: string;
  message: string;
}

export interface ReferenceRow {
  nik: string;
  reference: string;
  result: DukcapilResult | null;
}

/** Evidence references hold at most this many characters (EVIDENCE_REFERENCE_MAX_LENGTH in the domain). */
const REFERENCE_MAX = 200;
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;

const RESULTS: Readonly<Record<string, DukcapilResult>> = {
  PADAN: 'PADAN',
  TIDAK_PADAN: 'TIDAK_PADAN',
  TIDAKPADAN: 'TIDAK_PADAN',
};

/** "padan", "Tidak Padan", "TIDAK_PADAN", "tidak-padan" all read as Dukcapil's two results. */
export function parseDukcapilResult(text: string): DukcapilResult | undefined {
  return RESULTS[
    text
      .trim()
      .toUpperCase()
      .replace(/[\s-]+/g, '_')
  ];
}

/** Validates one row; the NIK is checked for structure only (DESIGN §3 rejections; warnings do not matter here). */
export function parseReferenceRow(
  source: ReferenceSource,
  record: Record<string, string | undefined>,
  row: number,
): { row?: ReferenceRow; errors: ReferenceRowError[] } {
  const errors: ReferenceRowError[] = [];
  const nikText = (record['nik'] ?? '').trim();
  let nik = '';
  if (nikText === '') {
    errors.push({ row, column: 'nik', code: 'MISSING_VALUE', message: 'The NIK is empty.' });
  } else {
    try {
      nik = parseNik(nikText).nik;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      errors.push({ row, column: 'nik', code: error.code, message: error.message });
    }
  }
  const column = REFERENCE_COLUMN[source];
  const reference = (record[column] ?? '').trim();
  if (reference === '') {
    errors.push({ row, column, code: 'MISSING_VALUE', message: `The ${column} is empty.` });
  } else if ([...reference].length > REFERENCE_MAX || CONTROL.test(reference)) {
    errors.push({
      row,
      column,
      code: 'INVALID_REFERENCE',
      message: `The ${column} must have at most ${REFERENCE_MAX} characters and no control characters.`,
    });
  }
  let result: DukcapilResult | null = null;
  if (source === 'DUKCAPIL_RESULTS') {
    const parsed = parseDukcapilResult(record['result'] ?? '');
    if (parsed === undefined) {
      errors.push({ row, column: 'result', code: 'INVALID_RESULT', message: 'The result is PADAN or TIDAK PADAN.' });
    } else {
      result = parsed;
    }
  }
  return errors.length > 0 ? { errors } : { row: { nik, reference, result }, errors };
}
