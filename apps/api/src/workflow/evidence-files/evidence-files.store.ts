import { type SqlQueryable } from '@muskel/event-store';

/** The media types an evidence file may have: scans and photos. */
export const EVIDENCE_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number];

/** A stored evidence file without its bytes. */
export interface EvidenceFileInfo {
  fileId: string;
  /** `sha256:` and 64 lowercase hex digits: what a proposal's evidence item carries. */
  digest: string;
  mediaType: string;
  size: number;
  kind: string;
  villageCode: string;
  uploadedBy: string;
  uploadedAt: string;
}

export interface EvidenceFile extends EvidenceFileInfo {
  bytes: Buffer;
}

export interface NewEvidenceFile {
  id: string;
  digest: string;
  mediaType: string;
  kind: string;
  villageCode: string;
  uploadedBy: string;
  uploadedAt: string;
  bytes: Buffer;
}

interface Row extends Record<string, unknown> {
  id: string;
  digest: string;
  media_type: string;
  size: number | string;
  kind: string;
  village_code: string;
  uploaded_by: string;
  uploaded_at: Date | string;
  bytes?: Uint8Array;
}

const INFO_COLUMNS = 'id, digest, media_type, size, kind, village_code, uploaded_by, uploaded_at';

function infoOf(row: Row): EvidenceFileInfo {
  return {
    fileId: row.id,
    digest: row.digest,
    mediaType: row.media_type,
    size: Number(row.size),
    kind: row.kind,
    villageCode: row.village_code,
    uploadedBy: row.uploaded_by,
    uploadedAt: new Date(row.uploaded_at).toISOString(),
  };
}

/**
 * Creates the table of evidence files (run under withSchemaLock). The bytes stay in the database every process
 * shares, like job files: a scan of a death certificate is personal data and never goes to Redis or local disk.
 * One file per (village, digest): the same scan uploaded twice is the same file.
 */
export async function setupEvidenceFilesTable(sql: SqlQueryable): Promise<void> {
  await sql.query(`CREATE TABLE IF NOT EXISTS evidence_files (
    id text PRIMARY KEY,
    digest text NOT NULL,
    media_type text NOT NULL,
    size bigint NOT NULL,
    kind text NOT NULL,
    village_code text NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL,
    bytes bytea NOT NULL)`);
  await sql.query(
    'CREATE UNIQUE INDEX IF NOT EXISTS evidence_files_village_digest ON evidence_files (village_code, digest)',
  );
  await sql.query('CREATE INDEX IF NOT EXISTS evidence_files_digest ON evidence_files (digest)');
}

/** Evidence files of proposals (scans, photos), in the database. */
export class EvidenceFiles {
  constructor(private readonly sql: SqlQueryable) {}

  /** Stores the file unless the village already has these bytes; returns the stored one (the first upload). */
  async put(file: NewEvidenceFile): Promise<EvidenceFileInfo> {
    await this.sql.query(
      `INSERT INTO evidence_files (id, digest, media_type, size, kind, village_code, uploaded_by, uploaded_at, bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        file.id,
        file.digest,
        file.mediaType,
        file.bytes.length,
        file.kind,
        file.villageCode,
        file.uploadedBy,
        file.uploadedAt,
        file.bytes,
      ],
    );
    const [row] = await this.sql.query<Row>(
      `SELECT ${INFO_COLUMNS} FROM evidence_files WHERE village_code = $1 AND digest = $2`,
      [file.villageCode, file.digest],
    );
    if (!row) throw new Error(`evidence file ${file.id} was not stored`);
    return infoOf(row);
  }

  async info(id: string): Promise<EvidenceFileInfo | undefined> {
    const [row] = await this.sql.query<Row>(`SELECT ${INFO_COLUMNS} FROM evidence_files WHERE id = $1`, [id]);
    return row ? infoOf(row) : undefined;
  }

  async get(id: string): Promise<EvidenceFile | undefined> {
    const [row] = await this.sql.query<Row>(`SELECT ${INFO_COLUMNS}, bytes FROM evidence_files WHERE id = $1`, [id]);
    if (!row?.bytes) return undefined;
    // pg gives a Buffer, PGlite a Uint8Array.
    return { ...infoOf(row), bytes: Buffer.from(row.bytes) };
  }

  /** Every village's file with these bytes (the caller filters to its scopes), oldest first. */
  async findByDigest(digest: string): Promise<EvidenceFileInfo[]> {
    const rows = await this.sql.query<Row>(
      `SELECT ${INFO_COLUMNS} FROM evidence_files WHERE digest = $1 ORDER BY uploaded_at, id`,
      [digest],
    );
    return rows.map(infoOf);
  }
}
