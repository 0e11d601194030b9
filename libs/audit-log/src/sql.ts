/** The SQL the audit log needs: a transaction of the event store, its autocommit executor, or any `pg`-like client. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** Runs work in one transaction (the event store's `withTransaction` fits). */
export interface SqlTransactor {
  withTransaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/** `pg` returns bytea as Buffer, PGlite as Uint8Array. */
export function toBuffer(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new TypeError('expected a bytea value');
}

/** `pg` returns bigint as a string, PGlite as a number. */
export function toSafeInteger(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TypeError('expected an integer value');
  return n;
}

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') return new Date(value);
  throw new TypeError('expected a timestamp value');
}

export function toText(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('expected a text value');
  return value;
}
