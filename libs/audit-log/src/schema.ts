import { randomBytes } from 'node:crypto';
import { HASH_SIZE } from '@muskel/audit';
import type { SqlRunner } from './sql';

export const PSEUDONYM_KEY_SIZE = 32;

/**
 * The audit log's tables (idempotent). Leaves and checkpoints are append-only; the tree row holds the compact
 * range (frontier) so the current root never needs the leaves; the pseudonym key lives in a table of its own so
 * it can be guarded (or destroyed) apart from the log.
 */
export async function setupAuditLogTables(sql: SqlRunner): Promise<void> {
  await sql.query(`CREATE TABLE IF NOT EXISTS audit_leaves (
    seq bigint PRIMARY KEY CHECK (seq >= 0),
    event_id text NOT NULL UNIQUE,
    leaf_hash bytea NOT NULL CHECK (octet_length(leaf_hash) = ${HASH_SIZE}),
    record text NOT NULL)`);
  // One row: the tree size and its frontier, the subtree roots (largest first) concatenated, 32 bytes each.
  await sql.query(`CREATE TABLE IF NOT EXISTS audit_tree (
    id smallint PRIMARY KEY CHECK (id = 1),
    size bigint NOT NULL CHECK (size >= 0),
    frontier bytea NOT NULL)`);
  await sql.query(`INSERT INTO audit_tree (id, size, frontier) VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING`, [
    Buffer.alloc(0),
  ]);
  await sql.query(`CREATE TABLE IF NOT EXISTS audit_pseudonym_key (
    id smallint PRIMARY KEY CHECK (id = 1),
    key bytea NOT NULL CHECK (octet_length(key) = ${PSEUDONYM_KEY_SIZE}))`);
  await sql.query(`INSERT INTO audit_pseudonym_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [
    randomBytes(PSEUDONYM_KEY_SIZE),
  ]);
  await sql.query(`CREATE TABLE IF NOT EXISTS audit_checkpoints (
    id bigserial PRIMARY KEY,
    size bigint NOT NULL CHECK (size >= 0),
    root bytea NOT NULL CHECK (octet_length(root) = ${HASH_SIZE}),
    note text NOT NULL,
    signed_at timestamptz NOT NULL DEFAULT now())`);
  // The embedded default signer key, used only when none is configured.
  await sql.query(`CREATE TABLE IF NOT EXISTS audit_signer_key (
    id smallint PRIMARY KEY CHECK (id = 1),
    signer_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())`);
}
