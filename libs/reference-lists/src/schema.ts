/** A connection or a transaction of the read-model database. */
export interface SqlRunner {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

/**
 * The rows of the reference lists, by keyed NIK index only (HMAC under the blind-index key, never the NIK), with
 * the source's own non-personal reference (NIP, certificate or participant number) and, for Dukcapil results, the
 * result. Not a projection: the rows are not in the log (one import is one event with the file's digest and
 * counts); `completed_at` marks an import whose event is written, the only rows lookups trust.
 */
export async function setupReferenceTables(sql: SqlRunner): Promise<void> {
  await sql.query(`CREATE TABLE IF NOT EXISTS reference_imports (
    import_id text PRIMARY KEY,
    source text NOT NULL,
    file_digest text NOT NULL,
    file_name text NOT NULL,
    started_at timestamptz NOT NULL,
    completed_at timestamptz)`);
  await sql.query(`CREATE TABLE IF NOT EXISTS reference_entries (
    import_id text NOT NULL,
    row_number integer NOT NULL,
    source text NOT NULL,
    nik_hmac text NOT NULL,
    reference text NOT NULL,
    result text)`);
  // No primary key: rows are only ever read by NIK index or by import, and an interrupted import is rewritten.
  await sql.query('CREATE INDEX IF NOT EXISTS reference_entries_import ON reference_entries (import_id)');
  await sql.query('CREATE INDEX IF NOT EXISTS reference_entries_nik ON reference_entries (nik_hmac)');
}
