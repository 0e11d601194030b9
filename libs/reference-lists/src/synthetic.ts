import { REFERENCE_COLUMN, REFERENCE_COLUMNS } from './reference-row';
import type { ReferenceSource } from '@muskel/domain';

/**
 * A synthetic reference list as CSV text lines (header first), for tests and the bench: `niks` as given, each with
 * a reference `<prefix><n>`; a Dukcapil results list gives every row `resultOf(i)`. No real person's data.
 */
export function* syntheticReferenceList(
  source: ReferenceSource,
  niks: Iterable<string>,
  options: { referencePrefix?: string; resultOf?: (i: number) => 'PADAN' | 'TIDAK PADAN' } = {},
): Generator<string> {
  const columns = [...REFERENCE_COLUMNS[source], 'nama'];
  yield `${columns.join(',')}\n`;
  let i = 0;
  for (const nik of niks) {
    const values: Record<string, string> = {
      nik,
      [REFERENCE_COLUMN[source]]: `${options.referencePrefix ?? 'REF-'}${i}`,
      result: options.resultOf?.(i) ?? 'TIDAK PADAN',
      nama: `Sintetis ${i}`,
    };
    yield `${columns.map((column) => values[column] ?? '').join(',')}\n`;
    i++;
  }
}
