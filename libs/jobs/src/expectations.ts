import type { JobPayloads, QueueName } from './queues';

/** What a query needs: a connection or a transaction of the read-model database. */
export interface SqlRunner {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** Work that must end with a result, written by the dispatcher in the same transaction as its checkpoint. */
export interface Expectation<Q extends QueueName = QueueName> {
  queue: Q;
  jobId: string;
  /** What the work is about (a proposal id): lets a terminal event close what is still open. */
  subject: string;
  payload: JobPayloads[Q];
}

export type ExpectationOutcome = 'DONE' | 'CLOSED' | 'FAILED';

/**
 * The outbox of background work. A row is written when an event calls for work and closed when the work's result
 * is in the log (or no longer needed); the reconciler re-enqueues rows still open after their due time, so a
 * flushed Redis or a lost job delays a result but never loses it.
 */
export async function setupExpectations(sql: SqlRunner): Promise<void> {
  await sql.query(`CREATE TABLE IF NOT EXISTS job_expectations (
    queue text NOT NULL,
    job_id text NOT NULL,
    subject text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    due_at timestamptz NOT NULL,
    enqueued int NOT NULL DEFAULT 0,
    done_at timestamptz,
    outcome text,
    detail text,
    PRIMARY KEY (queue, job_id))`);
  await sql.query(
    'CREATE INDEX IF NOT EXISTS job_expectations_open ON job_expectations (due_at) WHERE done_at IS NULL',
  );
  await sql.query(
    'CREATE INDEX IF NOT EXISTS job_expectations_subject ON job_expectations (subject) WHERE done_at IS NULL',
  );
}

/** Inserts the expectations not yet known; returns those that are new (a replayed page returns none). */
export async function recordExpectations(
  sql: SqlRunner,
  rows: readonly Expectation[],
  dueInSeconds: number,
): Promise<Expectation[]> {
  if (rows.length === 0) return [];
  const inserted = await sql.query<{ job_id: string }>(
    `INSERT INTO job_expectations (queue, job_id, subject, payload, due_at, enqueued)
     SELECT q, j, s, p, now() + make_interval(secs => $5::float8), 1
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) AS t(q, j, s, p)
     ON CONFLICT (queue, job_id) DO NOTHING
     RETURNING job_id`,
    [
      rows.map((row) => row.queue),
      rows.map((row) => row.jobId),
      rows.map((row) => row.subject),
      rows.map((row) => JSON.stringify(row.payload)),
      dueInSeconds,
    ],
  );
  const fresh = new Set(inserted.map((row) => row.job_id));
  return rows.filter((row) => fresh.has(row.jobId));
}

export async function closeExpectations(
  sql: SqlRunner,
  queue: QueueName,
  jobIds: readonly string[],
  outcome: ExpectationOutcome,
  detail?: string,
): Promise<void> {
  if (jobIds.length === 0) return;
  await sql.query(
    `UPDATE job_expectations SET done_at = now(), outcome = $3, detail = $4
      WHERE queue = $1 AND job_id = ANY($2::text[]) AND done_at IS NULL`,
    [queue, jobIds, outcome, detail ?? null],
  );
}

/** Closes every open expectation about `subjects` (their subject reached a state where the work has no use). */
export async function closeSubjects(sql: SqlRunner, subjects: readonly string[], detail: string): Promise<void> {
  if (subjects.length === 0) return;
  await sql.query(
    `UPDATE job_expectations SET done_at = now(), outcome = 'CLOSED', detail = $2
      WHERE subject = ANY($1::text[]) AND done_at IS NULL`,
    [subjects, detail],
  );
}

/** Open expectations past their due time, oldest first. */
export async function overdueExpectations(sql: SqlRunner, limit: number): Promise<Expectation[]> {
  const rows = await sql.query<{ queue: QueueName; job_id: string; subject: string; payload: unknown }>(
    `SELECT queue, job_id, subject, payload FROM job_expectations
      WHERE done_at IS NULL AND due_at <= now() ORDER BY due_at LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    queue: row.queue,
    jobId: row.job_id,
    subject: row.subject,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as JobPayloads[QueueName],
  }));
}

export async function postponeExpectation(
  sql: SqlRunner,
  queue: QueueName,
  jobId: string,
  seconds: number,
): Promise<void> {
  await sql.query(
    `UPDATE job_expectations SET due_at = now() + make_interval(secs => $3::float8), enqueued = enqueued + 1
      WHERE queue = $1 AND job_id = $2`,
    [queue, jobId, seconds],
  );
}
