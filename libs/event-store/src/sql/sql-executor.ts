/** The little the SQL event store needs from a driver: PostgreSQL through `pg`, or PGlite. */
export interface SqlQueryable {
  /** `name` asks the driver to keep the statement prepared on its connection (hot statements only). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `copy` (a `COPY ... FROM STDIN` statement) with `chunks` (UTF-8 bytes) as its text-format input, one after
   * the other: the server parses it far more cheaply than INSERT ... SELECT over a JSON parameter.
   */
  copyFrom?(copy: string, chunks: readonly Uint8Array[]): Promise<void>;
}

export interface SqlExecutor extends SqlQueryable {
  /** Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (q: SqlQueryable) => Promise<T>): Promise<T>;
  /** Calls `onNotify` whenever another session signals an append; resolves once listening. */
  listen(channel: string, onNotify: () => void, onError: (error: unknown) => void): Promise<() => Promise<void>>;
  /** Tells other sessions that something was appended (best effort; a wake-up, never data). */
  notify(channel: string): Promise<void>;
  close(): Promise<void>;
}

/** Database error fields shared by `pg` and PGlite. */
export interface DatabaseErrorLike {
  code?: string;
  constraint?: string;
  message: string;
}

export function isDatabaseError(error: unknown): error is DatabaseErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

export const UNIQUE_VIOLATION = '23505';
export const SERIALIZATION_FAILURE = '40001';

/**
 * Runs read-model DDL (CREATE TABLE IF NOT EXISTS ...) in a transaction under one advisory lock shared by every
 * such setup: PostgreSQL's IF NOT EXISTS is not safe against a concurrent CREATE of the same name (two providers
 * starting at once, or two processes, fail with a unique violation on pg_class).
 */
export async function withSchemaLock<T>(executor: SqlExecutor, work: (q: SqlQueryable) => Promise<T>): Promise<T> {
  return executor.transaction(async (q) => {
    await q.query(SCHEMA_LOCK_SQL);
    return work(q);
  });
}

/** Takes the lock of `withSchemaLock` in a transaction the caller already holds. */
export const SCHEMA_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('muskel-read-model-schema'))";
