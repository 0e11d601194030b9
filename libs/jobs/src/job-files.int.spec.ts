/**
 * Job files in the database, on PGlite and on PostgreSQL (where API and worker processes share them): stored once
 * per id with the SHA-256 of the content, read back byte for byte, listed per batch and kind, newest first.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Pool } from 'pg';
import { createPgliteEventStore, type SqlEventStore, type SqlQueryable } from '@muskel/event-store';
import { JobFiles, setupJobFilesTable } from './job-files';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Backend {
  name: string;
  open(): Promise<{ sql: SqlQueryable; close(): Promise<void> }>;
}

const pglite: Backend = {
  name: 'PGlite',
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-job-files-'));
    const store: SqlEventStore = await createPgliteEventStore({ dataDir: dir });
    await store.init();
    return {
      sql: store.executor,
      async close() {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  async open() {
    const name = `muskel_jobfiles_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`).finally(() => admin.end());
    const url = new URL(SERVER_URL);
    url.pathname = `/${name}`;
    const pool = new Pool({ connectionString: url.toString(), max: 4 });
    const sql: SqlQueryable = {
      query: async <R>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as R[],
      exec: async (text: string) => {
        await pool.query(text);
      },
    };
    return {
      sql,
      async close() {
        await pool.end();
        const client = new Client({ connectionString: SERVER_URL });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    };
  },
};

describe.each([pglite, postgres])('job files on $name', (backend) => {
  let db: { sql: SqlQueryable; close(): Promise<void> };

  beforeAll(async () => {
    db = await backend.open();
    // Twice at once, as two processes starting together would.
    await Promise.all([setupJobFilesTable(db.sql), setupJobFilesTable(db.sql)]);
  });
  afterAll(() => db.close());

  it('stores a file with its digest and reads back the same bytes', async () => {
    const files = new JobFiles(db.sql);
    const content = Buffer.concat([randomBytes(200_000), Buffer.from([0, 255, 0])]);
    const info = await files.put({
      id: randomUUID(),
      kind: 'siks-export',
      batchId: '3515-203001',
      fileName: 'bnba.csv',
      mediaType: 'text/csv; charset=utf-8',
      content,
      createdBy: 'user-1',
      jobId: 'siks-exports-x',
    });
    expect(info).toMatchObject({
      kind: 'siks-export',
      batchId: '3515-203001',
      fileName: 'bnba.csv',
      size: content.length,
      createdBy: 'user-1',
      jobId: 'siks-exports-x',
      digest: `sha256:${createHash('sha256').update(content).digest('hex')}`,
    });
    const read = await files.get(info.id);
    expect(Buffer.isBuffer(read?.content)).toBe(true);
    expect(read?.content.equals(content)).toBe(true);
    expect(await files.get(randomUUID())).toBeUndefined();
  });

  it('keeps the first file under an id: a job that runs again does not change a digest handed out', async () => {
    const files = new JobFiles(db.sql);
    const id = randomUUID();
    const base = { id, kind: 'pusdatin-results' as const, batchId: '3515-203002', fileName: 'a.csv' };
    const first = await files.put({ ...base, mediaType: 'text/csv', content: Buffer.from('one'), createdBy: 'u' });
    const second = await files.put({ ...base, mediaType: 'text/csv', content: Buffer.from('two'), createdBy: 'u' });
    expect(second).toEqual(first);
    expect((await files.get(id))?.content.toString()).toBe('one');
  });

  it("lists a batch's files of one kind, newest first", async () => {
    const files = new JobFiles(db.sql);
    const batchId = '3515-203003';
    const put = (kind: 'siks-export' | 'pusdatin-results', at: string, name: string) =>
      files.put({
        id: randomUUID(),
        kind,
        batchId,
        fileName: name,
        mediaType: 'text/csv',
        content: Buffer.from(name),
        createdBy: 'u',
        createdAt: new Date(at),
      });
    await put('siks-export', '2030-01-01T00:00:00Z', 'old.csv');
    await put('siks-export', '2030-01-02T00:00:00Z', 'new.csv');
    await put('pusdatin-results', '2030-01-03T00:00:00Z', 'results.csv');
    const listed = await files.list(batchId, 'siks-export');
    expect(listed.map((f) => f.fileName)).toEqual(['new.csv', 'old.csv']);
    expect(listed[0]).not.toHaveProperty('content');
    expect(await files.list('3515-209912', 'siks-export')).toEqual([]);
  });
});
