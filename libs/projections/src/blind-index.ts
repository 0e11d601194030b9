import { createHmac, randomBytes } from 'node:crypto';
import type { SqlRunner } from './support';

/**
 * Keyed blind index for NIK and KK numbers: HMAC-SHA256 under a secret kept in its own table, so that the index
 * columns never hold the plain number and a copy of the read models without the key reveals nothing searchable.
 * The key is generated at first setup and never leaves the database through this library (no export, no log).
 */
const KEY_TABLE = 'projection_blind_index_keys';
const KEY_NAME = 'identity-v1';

export async function ensureBlindIndexKey(tx: SqlRunner): Promise<void> {
  await tx.query(`CREATE TABLE IF NOT EXISTS ${KEY_TABLE} (name text PRIMARY KEY, secret text NOT NULL)`);
  // Concurrent setups race harmlessly: the first insert wins and everyone reads that one.
  await tx.query(`INSERT INTO ${KEY_TABLE} (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    KEY_NAME,
    randomBytes(32).toString('base64'),
  ]);
}

export class BlindIndex {
  private constructor(private readonly key: Buffer) {}

  static async load(db: SqlRunner): Promise<BlindIndex> {
    const rows = await db.query<{ secret: string }>(`SELECT secret FROM ${KEY_TABLE} WHERE name = $1`, [KEY_NAME]);
    const secret = rows[0]?.secret;
    if (!secret) throw new Error('blind index key missing: run the projections setup first');
    return new BlindIndex(Buffer.from(secret, 'base64'));
  }

  /** HMAC of a NIK (digits only, so `35.15...` and spaces match the plain 16 digits). */
  nik(nik: string): string {
    return this.mac('nik', normaliseIdentityNumber(nik));
  }

  kk(kkNumber: string): string {
    return this.mac('kk', normaliseIdentityNumber(kkNumber));
  }

  private mac(kind: string, value: string): string {
    // Domain separation: the same 16 digits as a NIK and as a KK number give different index values.
    return createHmac('sha256', this.key).update(`${kind}:${value}`).digest('hex');
  }
}

export function normaliseIdentityNumber(value: string): string {
  return value.replace(/[\s.-]/g, '');
}
