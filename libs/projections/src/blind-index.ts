import * as crypto from 'node:crypto';
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

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'latin1' | 'hex') => string;
/** Node's one-shot `crypto.hash` (20.12+, 21.7+), when there is one. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;
const BLOCK = 64;

export class BlindIndex {
  /** K ⊕ ipad followed by room for one block of message, and K ⊕ opad followed by room for the inner hash. */
  private readonly inner = Buffer.alloc(2 * BLOCK);
  private readonly outer = Buffer.alloc(BLOCK + 32);

  private constructor(private readonly key: Buffer) {
    // RFC 2104 with a key shorter than a block (32 bytes): the key padded with zeros, XORed with each pad.
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.length ? key[i]! : 0;
      this.inner[i] = k ^ 0x36;
      this.outer[i] = k ^ 0x5c;
    }
  }

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
    const message = `${kind}:${value}`;
    if (oneShot === undefined || this.key.length > BLOCK || Buffer.byteLength(message) > BLOCK) {
      return createHmac('sha256', this.key).update(message).digest('hex');
    }
    // HMAC by its definition over two one-shot hashes with the padded keys prepared once: on a short message the
    // setup of createHmac's object is most of the cost (a registry rebuild computes millions; measured about
    // three times faster). blind-index.unit.spec.ts compares it with createHmac.
    const length = this.inner.write(message, BLOCK, 'utf8');
    const innerHash = oneShot('sha256', this.inner.subarray(0, BLOCK + length), 'latin1');
    this.outer.write(innerHash, BLOCK, 32, 'latin1');
    return oneShot('sha256', this.outer, 'hex');
  }
}

export function normaliseIdentityNumber(value: string): string {
  return value.replace(/[\s.-]/g, '');
}
