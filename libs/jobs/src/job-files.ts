import { createHash } from 'node:crypto';
import type { SqlQueryable } from '@muskel/event-store';

/** What a job file is: an export a job wrote, or an upload a job reads. */
export const JOB_FILE_KINDS = ['siks-export', 'pusdatin-results'] as const;
export type JobFileKind = (typeof JOB_FILE_KINDS)[number];

/** A stored file without its content. */
export interface JobFileInfo {
  id: string;
  kind: JobFileKind;
  batchId: string | null;
  fileName: string;
  mediaType: string;
  /** `sha256:` and 64 lowercase hex digits of the content. */
  digest: string;
  size: number;
  createdAt: string;
  /** A user id, or `system`. */
  createdBy: string;
  /** The job that wrote it, when a job did. */
  jobId: string | null;
}

export interface JobFile extends JobFileInfo {
  content: Buffer;
}

export interface NewJobFile {
  /** Chosen by the caller from the file's cause, so a job that runs twice stores once. */
  id: string;
  kind: JobFileKind;
  batchId?: string;
  fileName: string;
  mediaType: string;
  content: Buffer;
  createdBy: string;
  jobId?: string;
  createdAt?: Date;
}

export function sha256Digest(content: Buffer | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

interface Row extends Record<string, unknown> {
  id: string;
  kind: JobFileKind;
  batch_id: string | null;
  file_name: string;
  media_type: string;
  digest: string;
  size: number | string;
  created_at: Date | string;
  created_by: string;
  job_id: string | null;
  content?: Uint8Array;
}

const INFO_COLUMNS = 'id, kind, batch_id, file_name, media_type, digest, size, created_at, created_by, job_id';

function infoOf(row: Row): JobFileInfo {
  return {
    id: row.id,
    kind: row.kind,
    batchId: row.batch_id,
    fileName: row.file_name,
    mediaType: row.media_type,
    digest: row.digest,
    size: Number(row.size),
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    jobId: row.job_id,
  };
}

/**
 * Creates the table of job files. The contents stay in the database (PostgreSQL or PGlite, shared by every process),
 * never in Redis: an export holds personal data, and a job's payload names the file by id only. Files here are at
 * most tens of MB, so one bytea per file is simpler than chunks.
 */
export async function setupJobFilesTable(sql: SqlQueryable): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await sql.query(`CREATE TABLE IF NOT EXISTS job_files (
        id text PRIMARY KEY,
        kind text NOT NULL,
        batch_id text,
        file_name text NOT NULL,
        media_type text NOT NULL,
        digest text NOT NULL,
        size bigint NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        job_id text,
        content bytea NOT NULL)`);
      await sql.query('CREATE INDEX IF NOT EXISTS job_files_batch ON job_files (batch_id, kind, created_at)');
      return;
    } catch (error) {
      // Two processes creating the table at once: IF NOT EXISTS is not race-free in PostgreSQL; the loser retries.
      const code = (error as { code?: string }).code;
      if (attempt > 2 || (code !== '23505' && code !== '42P07')) throw error;
    }
  }
}

/** The files jobs read and write (exports to SIKS-NG, Pusdatin's result files), in the database. */
export class JobFiles {
  constructor(private readonly sql: SqlQueryable) {}

  /** Stores the file unless a file with this id exists; returns what is stored under the id (the first one). */
  async put(file: NewJobFile): Promise<JobFileInfo> {
    await this.sql.query(
      `INSERT INTO job_files (id, kind, batch_id, file_name, media_type, digest, size, created_at, created_by, job_id,
         content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
      [
        file.id,
        file.kind,
        file.batchId ?? null,
        file.fileName,
        file.mediaType,
        sha256Digest(file.content),
        file.content.length,
        (file.createdAt ?? new Date()).toISOString(),
        file.createdBy,
        file.jobId ?? null,
        file.content,
      ],
    );
    const stored = await this.info(file.id);
    if (!stored) throw new Error(`job file ${file.id} was not stored`);
    return stored;
  }

  async info(id: string): Promise<JobFileInfo | undefined> {
    const [row] = await this.sql.query<Row>(`SELECT ${INFO_COLUMNS} FROM job_files WHERE id = $1`, [id]);
    return row ? infoOf(row) : undefined;
  }

  async get(id: string): Promise<JobFile | undefined> {
    const [row] = await this.sql.query<Row>(`SELECT ${INFO_COLUMNS}, content FROM job_files WHERE id = $1`, [id]);
    if (!row?.content) return undefined;
    // pg gives a Buffer, PGlite a Uint8Array.
    return { ...infoOf(row), content: Buffer.from(row.content) };
  }

  /** The batch's files of this kind, newest first. */
  async list(batchId: string, kind: JobFileKind): Promise<JobFileInfo[]> {
    const rows = await this.sql.query<Row>(
      `SELECT ${INFO_COLUMNS} FROM job_files WHERE batch_id = $1 AND kind = $2 ORDER BY created_at DESC, id`,
      [batchId, kind],
    );
    return rows.map(infoOf);
  }
}
