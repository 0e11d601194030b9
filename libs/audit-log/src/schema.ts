import { randomBytes } from 'node:crypto';
import { HASH_SIZE } from '@muskel/audit';
import { type SqlRunner, toBuffer, toSafeInteger } from './sql';
import { insertNodes } from './stored-tree';
import { appendLeaves } from './tree-nodes';

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
  // The furthest event (store position) any leaf was made from: pages after it need no look-up of leaves. Added
  // only where missing: ALTER TABLE would lock the tree row's table at every start, against a running integrator.
  await sql.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = 'audit_tree'
                      AND column_name = 'last_position') THEN
      ALTER TABLE audit_tree ADD COLUMN IF NOT EXISTS last_position text;
    END IF;
  END $$`);
  await sql.query(`INSERT INTO audit_tree (id, size, frontier) VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING`, [
    Buffer.alloc(0),
  ]);
  // Every complete subtree of level >= 1 (level 0 is audit_leaves.leaf_hash): about n rows, so about 2n hashes with
  // the leaves. Node (level, idx) covers leaves [idx * 2^level, (idx + 1) * 2^level); see tree-nodes.ts. Written
  // once by the integrator, in the transaction of its leaves; roots and proofs read O(log n) of them.
  await sql.query(`CREATE TABLE IF NOT EXISTS audit_nodes (
    level smallint NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx bigint NOT NULL CHECK (idx >= 0),
    hash bytea NOT NULL CHECK (octet_length(hash) = ${HASH_SIZE}),
    PRIMARY KEY (level, idx))`);
  await backfillNodes(sql);
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

/** Leaf hashes read per query by the one-off backfill. */
const BACKFILL_PAGE = 10_000;

/**
 * A log integrated before audit_nodes existed has leaves but no nodes: compute them once from the stored leaf
 * hashes (O(n), at setup). The tree row is locked, so a concurrent setup waits and then finds the nodes. Nothing
 * is checked here: a leaf hash that does not fit the frontier makes every read that needs it fail its check.
 */
async function backfillNodes(sql: SqlRunner): Promise<void> {
  const [tree] = await sql.query('SELECT size FROM audit_tree WHERE id = 1 FOR UPDATE');
  const size = tree ? toSafeInteger(tree.size) : 0;
  if (size < 2 || (await sql.query('SELECT 1 FROM audit_nodes LIMIT 1')).length > 0) return;
  let state = { size: 0, frontier: [] as Buffer[] };
  while (state.size < size) {
    const rows = await sql.query('SELECT seq, leaf_hash FROM audit_leaves WHERE seq >= $1 AND seq < $2 ORDER BY seq', [
      state.size,
      Math.min(size, state.size + BACKFILL_PAGE),
    ]);
    if (rows.length === 0 || rows.some((row, i) => toSafeInteger(row.seq) !== state.size + i)) {
      throw new Error(`audit log leaves from ${state.size} are not all stored; cannot build the tree nodes`);
    }
    const next = appendLeaves(
      state.size,
      state.frontier,
      rows.map((row) => toBuffer(row.leaf_hash)),
    );
    await insertNodes(sql, next.nodes);
    state = next;
  }
}
