import { CompactRange, HASH_SIZE } from '@muskel/audit';
import { type SqlRunner, toBuffer, toSafeInteger } from './sql';

/** Reads the tree row; `forUpdate` serialises integrators and checkpointers on it for the transaction. */
export async function loadTree(sql: SqlRunner, forUpdate = false): Promise<CompactRange> {
  const [row] = await sql.query(`SELECT size, frontier FROM audit_tree WHERE id = 1${forUpdate ? ' FOR UPDATE' : ''}`);
  if (!row) throw new Error('audit log tables are not set up (run AuditLogProjection.setup first)');
  return treeFromRow(row);
}

/** The compact range of an audit_tree row (`size`, `frontier`). */
export function treeFromRow(row: Record<string, unknown>): CompactRange {
  const size = toSafeInteger(row.size);
  const bytes = toBuffer(row.frontier);
  const hashes: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += HASH_SIZE) hashes.push(bytes.subarray(at, at + HASH_SIZE));
  return CompactRange.fromFrontier(size, hashes);
}

export async function saveTree(sql: SqlRunner, tree: CompactRange): Promise<void> {
  await sql.query('UPDATE audit_tree SET size = $1, frontier = $2 WHERE id = 1', [
    tree.size,
    Buffer.concat(tree.frontier()),
  ]);
}
