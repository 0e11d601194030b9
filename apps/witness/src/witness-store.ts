/**
 * The witness's own storage: per log origin the size and root it last cosigned, and its generated key. PostgreSQL
 * or embedded PGlite, opened through libs/event-store's factories (the project's one way to reach both, including
 * PGlite's durable commits); the event tables themselves are not created or used.
 */
import { generateKeyPairSync } from 'node:crypto';
import { EMPTY_ROOT, SIGNATURE_TYPE_COSIGNATURE_V1, formatSignerKey } from '@muskel/audit';
import {
  PgliteEventStore,
  type SqlEventStore,
  createPgliteEventStore,
  createPostgresEventStore,
} from '@muskel/event-store';

export interface WitnessedState {
  size: number;
  root: Buffer;
}

export interface WitnessStoreOptions {
  /** PostgreSQL; else the embedded PGlite in `dataDir` (in memory when that is absent too: tests). */
  databaseUrl?: string;
  dataDir?: string;
}

export class WitnessStore {
  private constructor(private readonly store: SqlEventStore) {}

  static async open(options: WitnessStoreOptions): Promise<WitnessStore> {
    const store = options.databaseUrl
      ? await createPostgresEventStore({ connectionString: options.databaseUrl, poolSize: 4 })
      : await createPgliteEventStore({ dataDir: options.dataDir });
    const witnessStore = new WitnessStore(store);
    try {
      await witnessStore.setup();
    } catch (error) {
      await store.close();
      throw error;
    }
    return witnessStore;
  }

  get kind(): string {
    return this.store.kind;
  }

  private async setup(): Promise<void> {
    await this.store.executor.transaction(async (q) => {
      // Two witness processes starting on one database create the tables once.
      await q.query("SELECT pg_advisory_xact_lock(hashtext('muskel-witness-schema'))");
      await q.query(`CREATE TABLE IF NOT EXISTS witness_logs (
        origin text PRIMARY KEY,
        size bigint NOT NULL CHECK (size >= 0),
        root bytea NOT NULL CHECK (octet_length(root) = 32),
        updated_at timestamptz NOT NULL DEFAULT now())`);
      await q.query(`CREATE TABLE IF NOT EXISTS witness_signer_key (
        id smallint PRIMARY KEY CHECK (id = 1),
        signer_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`);
    });
    await this.durable();
  }

  /** The configured key, else the one generated on first start (the first writer wins a race). */
  async signerKey(name: string): Promise<string> {
    const { privateKey } = generateKeyPairSync('ed25519');
    await this.store.executor.query(
      'INSERT INTO witness_signer_key (id, signer_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING',
      [formatSignerKey(name, SIGNATURE_TYPE_COSIGNATURE_V1, privateKey)],
    );
    await this.durable();
    const [row] = await this.store.executor.query<{ signer_key: string }>(
      'SELECT signer_key FROM witness_signer_key WHERE id = 1',
    );
    if (!row) throw new Error('the witness key could not be stored');
    return row.signer_key;
  }

  /** What the witness holds for `origin`: size 0 and the empty root when it never cosigned for it. */
  async state(origin: string): Promise<WitnessedState> {
    const [row] = await this.store.executor.query<{ size: unknown; root: unknown }>(
      'SELECT size, root FROM witness_logs WHERE origin = $1',
      [origin],
    );
    if (!row) return { size: 0, root: Buffer.from(EMPTY_ROOT) };
    return { size: Number(row.size), root: Buffer.from(row.root as Uint8Array) };
  }

  /**
   * Moves `origin` from `from` to `to` only if it still holds `from`, in one statement (c2sp.org/tlog-witness:
   * the check and the update must be atomic, or a slower request for a smaller size could roll the state back).
   * PostgreSQL re-checks the WHERE clause on the row a concurrent update left, so of two racing requests from the
   * same state exactly one wins. Durable before it returns.
   */
  async compareAndSwap(origin: string, from: WitnessedState, to: WitnessedState): Promise<boolean> {
    const rows =
      from.size === 0 && from.root.equals(EMPTY_ROOT)
        ? // Nothing stored yet is the same as (0, empty root): either the row is new or it still holds that.
          await this.store.executor.query(
            `INSERT INTO witness_logs (origin, size, root) VALUES ($1, $2, $3)
             ON CONFLICT (origin) DO UPDATE SET size = EXCLUDED.size, root = EXCLUDED.root, updated_at = now()
               WHERE witness_logs.size = 0 AND witness_logs.root = $4
             RETURNING origin`,
            [origin, to.size, to.root, EMPTY_ROOT],
          )
        : await this.store.executor.query(
            `UPDATE witness_logs SET size = $2, root = $3, updated_at = now()
             WHERE origin = $1 AND size = $4 AND root = $5 RETURNING origin`,
            [origin, to.size, to.root, from.size, from.root],
          );
    if (rows.length === 0) return false;
    await this.durable();
    return true;
  }

  /** PGlite acknowledges commits before they reach the disk; its WAL is flushed here before anyone is answered. */
  private async durable(): Promise<void> {
    if (this.store instanceof PgliteEventStore) await this.store.flusher?.flush();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
