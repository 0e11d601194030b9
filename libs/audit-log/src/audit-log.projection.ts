import type { Projection } from '@muskel/application';
import { leafHash } from '@muskel/audit';
import type { RecordedEvent, StoreTransaction } from '@muskel/event-store';
import { auditRecord, recordText } from './record';
import { setupAuditLogTables } from './schema';
import { type SqlRunner, toBuffer, toText } from './sql';
import { loadTree, saveTree } from './tree-state';

export const AUDIT_LOG_PROJECTION = 'audit-log';

/** Rows per INSERT: 4 parameters each, far below PostgreSQL's 65,535. */
const INSERT_CHUNK = 1000;

/**
 * The integrator: every event of the store, in global order, becomes the next leaf (seq 0, 1, 2, ... without gaps,
 * since seq is the tree size, not a SEQUENCE). Leaves and the frontier are written in the runner's transaction,
 * together with its checkpoint, so a crash loses both or neither.
 */
export class AuditLogProjection implements Projection {
  readonly name = AUDIT_LOG_PROJECTION;

  async setup(tx: StoreTransaction): Promise<void> {
    await setupAuditLogTables(tx);
  }

  async apply(event: RecordedEvent, tx: StoreTransaction): Promise<void> {
    await this.applyBatch([event], tx);
  }

  async applyBatch(events: RecordedEvent[], tx: StoreTransaction): Promise<void> {
    await integrate(tx, events);
  }

  /** An append-only log is never rebuilt: its leaves are already signed into checkpoints others hold. */
  reset(): Promise<void> {
    return Promise.reject(
      new Error('the audit log is append-only and cannot be reset or rebuilt; its checkpoints are already published'),
    );
  }
}

/** Appends the events not yet in the log as leaves; returns how many were new. Idempotent per event id. */
export async function integrate(sql: SqlRunner, events: readonly RecordedEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  // The tree row first, locked: a second integrator (or a checkpointer) waits instead of forking the sequence.
  const tree = await loadTree(sql, true);
  const [keyRow] = await sql.query('SELECT key FROM audit_pseudonym_key WHERE id = 1');
  if (!keyRow) throw new Error('audit log pseudonym key is missing (run AuditLogProjection.setup first)');
  const key = toBuffer(keyRow.key);
  const known = await sql.query('SELECT event_id FROM audit_leaves WHERE event_id = ANY($1::text[])', [
    events.map((e) => e.id),
  ]);
  const seen = new Set(known.map((row) => toText(row.event_id)));
  const rows: unknown[][] = [];
  for (const event of events) {
    if (seen.has(event.id)) continue; // a replay: already a leaf
    seen.add(event.id);
    const seq = tree.size;
    const text = recordText(auditRecord(event, seq, key));
    const hash = leafHash(Buffer.from(text, 'utf8'));
    tree.append(hash);
    rows.push([seq, event.id, hash, text]);
  }
  if (rows.length === 0) return 0;
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK);
    const values = chunk.map((_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`).join(', ');
    await sql.query(`INSERT INTO audit_leaves (seq, event_id, leaf_hash, record) VALUES ${values}`, chunk.flat());
  }
  await saveTree(sql, tree);
  return rows.length;
}
