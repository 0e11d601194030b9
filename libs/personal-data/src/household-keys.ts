import { randomBytes } from 'node:crypto';
import type { SqlQueryable } from '@muskel/event-store';
import { newDataKey, unwrapKey, wrapKey } from './field-crypto';

/**
 * Data keys per household, outside the event log: a mutable table whose rows erasure deletes (crypto-shredding).
 * `pd_erased_households` remembers which households were erased, so no new key (and no new personal data) is
 * ever created for them.
 */
export const PERSONAL_DATA_DDL = `
CREATE TABLE IF NOT EXISTS pd_household_keys (
  household_id text PRIMARY KEY,
  wrapped_key  text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS pd_erased_households (
  household_id text PRIMARY KEY,
  erased_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS pd_key_encryption_key (
  id  integer PRIMARY KEY CHECK (id = 1),
  kek text    NOT NULL
);`;

export async function setupPersonalDataTables(q: SqlQueryable): Promise<void> {
  await q.exec(PERSONAL_DATA_DDL);
}

/** Parses a configured key-encryption key: 32 bytes as base64 or 64 hex digits. */
export function parseKek(value: string): Buffer {
  const text = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (bytes.length !== 32) throw new Error('PERSONAL_DATA_KEK must be 32 bytes (base64 or 64 hex digits)');
  return bytes;
}

/**
 * The key-encryption key: the configured one (production: from a secret file or a KMS, never from the database
 * it protects), else one generated on the first start and kept in the database, so the embedded zero-setup
 * default works. Never logged.
 */
export async function resolveKek(q: SqlQueryable, configured: string | undefined): Promise<Buffer> {
  if (configured !== undefined && configured.trim() !== '') return parseKek(configured);
  await q.query('INSERT INTO pd_key_encryption_key (id, kek) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
    randomBytes(32).toString('base64'),
  ]);
  const [row] = await q.query<{ kek: string }>('SELECT kek FROM pd_key_encryption_key WHERE id = 1');
  return parseKek(row!.kek);
}

export type KeyLookup = { key: Buffer } | { erased: true };

/** Where the codec gets data keys (a table in production, a map in unit tests). */
export interface KeyRing {
  forWriting(q: SqlQueryable, householdId: string): Promise<KeyLookup>;
  load(q: SqlQueryable, householdIds: readonly string[]): Promise<Map<string, Buffer>>;
}

export class HouseholdKeys implements KeyRing {
  constructor(private readonly kek: Buffer) {}

  /**
   * The household's data key, created on first use; `{ erased }` for an erased household. An existing key takes one
   * round trip, a new one two: every ADD proposal creates one, and each round trip is a share of a command's time.
   */
  async forWriting(q: SqlQueryable, householdId: string): Promise<KeyLookup> {
    const found = (await this.load(q, [householdId])).get(householdId);
    if (found) return { key: found };
    // One statement: not for an erased household, and of two writers racing the first insert wins. The snapshot
    // reads (`erased`, `earlier`) see rows committed before it began; a racer that committed after that is absent
    // from both and from RETURNING (its row made the insert do nothing), so the key is read once more below.
    const dataKey = newDataKey();
    const [row] = await q.query<{ erased: boolean; inserted: boolean; earlier: string | null }>(
      `WITH erased AS (SELECT 1 FROM pd_erased_households WHERE household_id = $1),
            inserted AS (
              INSERT INTO pd_household_keys (household_id, wrapped_key)
              SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM erased)
              ON CONFLICT (household_id) DO NOTHING
              RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM erased) AS erased, EXISTS (SELECT 1 FROM inserted) AS inserted,
              (SELECT wrapped_key FROM pd_household_keys WHERE household_id = $1) AS earlier`,
      [householdId, wrapKey(this.kek, dataKey, householdId)],
      'pd_create_key',
    );
    if (row?.erased === true) return { erased: true };
    if (row?.inserted === true) return { key: dataKey };
    if (row?.earlier) return { key: unwrapKey(this.kek, row.earlier, householdId) };
    const raced = (await this.load(q, [householdId])).get(householdId);
    if (!raced) throw new Error(`no data key for household ${householdId}`);
    return { key: raced };
  }

  /** The data keys that still exist among `householdIds` (erased ones are absent). */
  async load(q: SqlQueryable, householdIds: readonly string[]): Promise<Map<string, Buffer>> {
    if (householdIds.length === 0) return new Map();
    const rows = await q.query<{ household_id: string; wrapped_key: string }>(
      'SELECT household_id, wrapped_key FROM pd_household_keys WHERE household_id = ANY($1::text[])',
      [[...new Set(householdIds)]],
      // Prepared once per connection: every read and write of personal data asks.
      'pd_load_keys',
    );
    return new Map(rows.map((row) => [row.household_id, unwrapKey(this.kek, row.wrapped_key, row.household_id)]));
  }

  /** Crypto-shredding: the key goes, and the household is remembered as erased. True when a key was deleted. */
  async shred(q: SqlQueryable, householdId: string): Promise<boolean> {
    const deleted = await q.query('DELETE FROM pd_household_keys WHERE household_id = $1 RETURNING 1', [householdId]);
    await q.query('INSERT INTO pd_erased_households (household_id) VALUES ($1) ON CONFLICT DO NOTHING', [householdId]);
    return deleted.length > 0;
  }
}
