import { PGlite } from '@electric-sql/pglite';
import type { SqlExecutor, SqlQueryable } from './sql-executor';

/**
 * PGlite: PostgreSQL compiled to WebAssembly, in this process, one connection. Each query runs on the Node thread
 * and queries queue behind each other, so callers keep them small (bounded pages) to avoid stalling appends.
 */
export class PgliteExecutor implements SqlExecutor {
  private constructor(readonly db: PGlite) {}

  static async open(options: { dataDir?: string; loadDataDir?: Blob }): Promise<PgliteExecutor> {
    const db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
    return new PgliteExecutor(db);
  }

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
    const result = await this.db.query<R>(sql, params);
    return result.rows;
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async copyFrom(copy: string, chunks: readonly Uint8Array[]): Promise<void> {
    await this.db.query(pgliteCopy(copy), [], { blob: new Blob(chunks as Uint8Array[]) });
  }

  async transaction<T>(work: (q: SqlQueryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      work({
        query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows,
        exec: async (sql: string) => {
          await tx.exec(sql);
        },
        copyFrom: async (copy: string, chunks: readonly Uint8Array[]) => {
          await tx.query(pgliteCopy(copy), [], { blob: new Blob(chunks as Uint8Array[]) });
        },
      }),
    );
  }

  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    const unlisten = await this.db.listen(channel, () => onNotify());
    return async () => {
      await unlisten();
    };
  }

  async notify(channel: string): Promise<void> {
    await this.db.query(`NOTIFY ${channel}`);
  }

  async dumpDataDir(): Promise<Blob> {
    return this.db.dumpDataDir('none');
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** PGlite reads COPY input from the blob passed with the query, named `/dev/blob`, instead of STDIN. */
function pgliteCopy(copy: string): string {
  return copy.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'");
}
