import { scopePrefixes, type Params } from '../support';

/**
 * SQL condition restricting `column` (a region code) to the reader's scopes; `FALSE` when no scope applies and
 * undefined for NATIONAL.
 */
export function scopeCondition(column: string, scopes: readonly string[], params: Params): string | undefined {
  const prefixes = scopePrefixes(scopes);
  if (prefixes === null) return undefined;
  if (prefixes.length === 0) return 'FALSE';
  return `${column} LIKE ANY(${params.add(prefixes.map((prefix) => `${prefix}%`))}::text[])`;
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Row bookkeeping the views add to their documents. */
export interface RowMeta {
  revision: number;
  lastPosition: string;
  updatedAt: string;
}

export function rowMeta(row: { revision: string | number; last_position: string; updated_at: Date | string }): RowMeta {
  return {
    revision: Number(row.revision),
    lastPosition: row.last_position,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/**
 * `YYYY-MM-DD` means the whole day (UTC): as a lower bound its start, as an upper bound the start of the next day.
 * A full timestamp is taken as it is.
 */
export function dayBound(value: string, end: boolean): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(date.getTime())) throw new Error('INVALID_DATE');
    if (end) date.setUTCDate(date.getUTCDate() + 1);
    return date.toISOString();
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error('INVALID_DATE');
  return date.toISOString();
}
