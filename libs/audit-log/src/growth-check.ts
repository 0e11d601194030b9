/**
 * The signer's self-check before a new checkpoint, in O(new leaves + log n): the leaves added since the previous
 * checkpoint are re-hashed from their stored records and folded onto the previous checkpoint's compact range
 * (rebuilt from stored nodes); the result must be the frontier's root, the nodes those leaves completed must be
 * the stored ones, and the consistency proof from the previous checkpoint (from stored nodes) must verify.
 * Leaves already covered by a checkpoint are not re-read: their hashes are fixed by that signed root, and every
 * proof that uses one checks it against the frontier (stored-tree.ts).
 */
import { CompactRange, verifyConsistency } from '@muskel/audit';
import type { StoredCheckpoint } from './audit-log';
import { recordLeafHash } from './audit-log';
import { AuditLogIntegrityError } from './errors';
import { type SqlRunner, toBuffer, toSafeInteger, toText } from './sql';
import { readNodes, storedFrontier } from './stored-tree';
import { appendLeaves, consistencyRanges, nodeKey, rangeHash, rangeNodes } from './tree-nodes';

/** Leaves re-hashed per query: bounds memory when many leaves came in since the last checkpoint. */
const CHECK_PAGE = 10_000;

const NODES_IN_RANGES_SQL = `
  SELECT n.level, n.idx, n.hash
    FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS r(level, lo, hi)
    JOIN audit_nodes n ON n.level = r.level AND n.idx BETWEEN r.lo AND r.hi`;

export async function checkGrowth(
  sql: SqlRunner,
  previous: Pick<StoredCheckpoint, 'size' | 'rootHash'> | undefined,
  size: number,
  root: Buffer,
): Promise<void> {
  const from = previous?.size ?? 0;
  let state = { size: from, frontier: await storedFrontier(sql, from) };
  if (previous && !CompactRange.fromFrontier(from, state.frontier).root().equals(previous.rootHash)) {
    throw new AuditLogIntegrityError(
      `refusing to sign: the stored tree hashes do not give the root of the checkpoint of size ${from}`,
    );
  }
  while (state.size < size) {
    const end = Math.min(size, state.size + CHECK_PAGE);
    const rows = await sql.query(
      'SELECT seq, leaf_hash, record FROM audit_leaves WHERE seq >= $1 AND seq < $2 ORDER BY seq',
      [state.size, end],
    );
    const hashes: Buffer[] = [];
    for (const [i, row] of rows.entries()) {
      const seq = toSafeInteger(row.seq);
      const record = toText(row.record);
      const hash = recordLeafHash(record);
      if (seq !== state.size + i || !hash.equals(toBuffer(row.leaf_hash)) || recordSeq(record) !== seq) {
        throw new AuditLogIntegrityError(
          `refusing to sign: the stored leaf ${state.size + i} does not match its record`,
        );
      }
      hashes.push(hash);
    }
    if (rows.length !== end - state.size) {
      throw new AuditLogIntegrityError(`refusing to sign: leaves ${state.size}..${end - 1} are not all stored`);
    }
    const next = appendLeaves(state.size, state.frontier, hashes);
    await checkCompletedNodes(sql, state.size, end, next.nodes);
    state = next;
  }
  if (!CompactRange.fromFrontier(size, state.frontier).root().equals(root)) {
    throw new AuditLogIntegrityError(
      `refusing to sign: the frontier is not consistent with the checkpoint of size ${from} and the leaves added since`,
    );
  }
  if (previous && from > 0 && from < size) {
    const hashOf = await readNodes(
      sql,
      consistencyRanges(from, size).flatMap(([lo, hi]) => rangeNodes(lo, hi)),
    );
    const proof = consistencyRanges(from, size).map((range) => rangeHash(range, hashOf));
    if (!verifyConsistency(from, size, previous.rootHash, root, proof)) {
      throw new AuditLogIntegrityError(
        `refusing to sign: the tree of size ${size} is not consistent with the checkpoint of size ${from}`,
      );
    }
  }
}

/** The nodes completed by leaves [from, to) must be stored, each with the hash just recomputed. */
async function checkCompletedNodes(
  sql: SqlRunner,
  from: number,
  to: number,
  computed: ReadonlyArray<{ level: number; idx: number; hash: Buffer }>,
): Promise<void> {
  // Per level, the completed nodes are a run of indexes: those whose last leaf lies in [from, to).
  const levels: number[] = [];
  const los: number[] = [];
  const his: number[] = [];
  for (let level = 1, width = 2; width <= to; level++, width *= 2) {
    const lo = Math.ceil((from + 1) / width) - 1;
    const hi = Math.floor(to / width) - 1;
    if (hi >= lo) {
      levels.push(level);
      los.push(lo);
      his.push(hi);
    }
  }
  const stored = new Map<string, Buffer>();
  if (levels.length > 0) {
    for (const row of await sql.query(NODES_IN_RANGES_SQL, [levels, los, his])) {
      stored.set(nodeKey({ level: toSafeInteger(row.level), idx: toSafeInteger(row.idx) }), toBuffer(row.hash));
    }
  }
  if (stored.size !== computed.length || computed.some((n) => !stored.get(nodeKey(n))?.equals(n.hash))) {
    throw new AuditLogIntegrityError(
      `refusing to sign: the stored tree hashes over leaves ${from}..${to - 1} do not match the leaves`,
    );
  }
}

function recordSeq(record: string): unknown {
  try {
    return (JSON.parse(record) as { seq?: unknown }).seq;
  } catch {
    return undefined;
  }
}
