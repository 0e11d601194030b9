/**
 * Roots and proofs from the stored complete-subtree hashes in O(log n) rows, one query each. Level 0 is the leaf
 * hash in audit_leaves (not copied again); levels >= 1 are in audit_nodes. Every answer is checked against the
 * frontier (the current tree root, the one that gets signed) before it is returned: a missing or changed node row
 * raises AuditLogIntegrityError instead of producing a proof nobody can verify.
 */
import { EMPTY_ROOT, HASH_SIZE, verifyConsistency, verifyInclusion } from '@muskel/audit';
import { AuditLogIntegrityError } from './errors';
import { type SqlRunner, toBuffer, toSafeInteger } from './sql';
import {
  type LeafRange,
  type NodeRef,
  consistencyRanges,
  inclusionRanges,
  nodeKey,
  rangeHash,
  rangeNodes,
} from './tree-nodes';

const READ_NODES_SQL = `
  SELECT 0::smallint AS level, seq AS idx, leaf_hash AS hash FROM audit_leaves WHERE seq = ANY($1::bigint[])
  UNION ALL
  SELECT n.level, n.idx, n.hash
    FROM audit_nodes n JOIN unnest($2::smallint[], $3::bigint[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx`;

/** The stored hashes of `refs` (deduplicated), in one query; throws if any is missing or malformed. */
export async function readNodes(sql: SqlRunner, refs: readonly NodeRef[]): Promise<(ref: NodeRef) => Buffer> {
  const wanted = new Map(refs.map((ref) => [nodeKey(ref), ref]));
  const leaves: number[] = [];
  const levels: number[] = [];
  const idxs: number[] = [];
  for (const ref of wanted.values()) {
    if (ref.level === 0) leaves.push(ref.idx);
    else {
      levels.push(ref.level);
      idxs.push(ref.idx);
    }
  }
  const found = new Map<string, Buffer>();
  if (wanted.size > 0) {
    for (const row of await sql.query(READ_NODES_SQL, [leaves, levels, idxs])) {
      const hash = toBuffer(row.hash);
      if (hash.length !== HASH_SIZE) throw new AuditLogIntegrityError('a stored tree hash is not 32 bytes');
      found.set(nodeKey({ level: toSafeInteger(row.level), idx: toSafeInteger(row.idx) }), hash);
    }
  }
  for (const [key, ref] of wanted) {
    if (!found.has(key)) {
      throw new AuditLogIntegrityError(`the stored tree hash at level ${ref.level}, index ${ref.idx} is missing`);
    }
  }
  return (ref) => {
    const hash = found.get(nodeKey(ref));
    if (!hash) throw new Error(`tree hash ${nodeKey(ref)} was not read`); // a bug in the plan, not in the data
    return hash;
  };
}

function refsOf(ranges: readonly LeafRange[]): NodeRef[] {
  return ranges.flatMap(([lo, hi]) => rangeNodes(lo, hi));
}

/**
 * What every read needs to anchor itself to the frontier: the nodes of MTH(size) and of the consistency proof
 * from `size` to the current tree. Verified in `anchoredRoot`.
 */
function anchorRefs(size: number, current: number): NodeRef[] {
  if (size === 0 || size === current) return [];
  return [...rangeNodes(0, size), ...refsOf(consistencyRanges(size, current))];
}

/** MTH(size), computed from stored nodes and proven consistent with the current root. */
function anchoredRoot(size: number, current: number, currentRoot: Buffer, hashOf: (ref: NodeRef) => Buffer): Buffer {
  if (size === 0) return Buffer.from(EMPTY_ROOT);
  if (size === current) return currentRoot;
  const root = rangeHash([0, size], hashOf);
  const proof = consistencyRanges(size, current).map((range) => rangeHash(range, hashOf));
  if (!verifyConsistency(size, current, root, currentRoot, proof)) {
    throw new AuditLogIntegrityError(
      `the stored tree hashes of size ${size} are not consistent with the current tree of size ${current}`,
    );
  }
  return root;
}

/** The tree as the frontier says it is: every read below is checked against it. */
export interface TreeHead {
  size: number;
  root: Buffer;
}

export async function storedRoot(sql: SqlRunner, head: TreeHead, size: number): Promise<Buffer> {
  if (size === head.size) return Buffer.from(head.root);
  const hashOf = await readNodes(sql, anchorRefs(size, head.size));
  return anchoredRoot(size, head.size, head.root, hashOf);
}

export async function storedInclusionProof(
  sql: SqlRunner,
  head: TreeHead,
  seq: number,
  size: number,
): Promise<Buffer[]> {
  const ranges = inclusionRanges(seq, size);
  const leaf: NodeRef = { level: 0, idx: seq };
  const hashOf = await readNodes(sql, [leaf, ...refsOf(ranges), ...anchorRefs(size, head.size)]);
  const root = anchoredRoot(size, head.size, head.root, hashOf);
  const proof = ranges.map((range) => rangeHash(range, hashOf));
  if (!verifyInclusion(seq, size, hashOf(leaf), proof, root)) {
    throw new AuditLogIntegrityError(`the stored tree hashes give no valid inclusion proof of leaf ${seq} in ${size}`);
  }
  return proof;
}

export async function storedConsistencyProof(
  sql: SqlRunner,
  head: TreeHead,
  size1: number,
  size2: number,
): Promise<Buffer[]> {
  if (size1 === 0 || size1 === size2) return []; // RFC 9162: nothing to prove (verifiers reject size1 = 0 anyway)
  const ranges = consistencyRanges(size1, size2);
  const hashOf = await readNodes(sql, [...rangeNodes(0, size1), ...refsOf(ranges), ...anchorRefs(size2, head.size)]);
  const root2 = anchoredRoot(size2, head.size, head.root, hashOf);
  const root1 = rangeHash([0, size1], hashOf);
  const proof = ranges.map((range) => rangeHash(range, hashOf));
  if (!verifyConsistency(size1, size2, root1, root2, proof)) {
    throw new AuditLogIntegrityError(
      `the stored tree hashes give no valid consistency proof from ${size1} to ${size2}`,
    );
  }
  return proof;
}

/** The compact range (frontier, largest subtree first) of the first `size` leaves, from stored nodes. */
export async function storedFrontier(sql: SqlRunner, size: number): Promise<Buffer[]> {
  const refs = rangeNodes(0, size);
  const hashOf = await readNodes(sql, refs);
  return refs.map(hashOf);
}

/** SQL for the set-based write of nodes: one statement, the hashes as one bytea (32 bytes each, in order). */
export const INSERT_NODES_SQL = `
  INSERT INTO audit_nodes (level, idx, hash)
  SELECT l, x, substring($3::bytea FROM (i::int - 1) * ${HASH_SIZE} + 1 FOR ${HASH_SIZE})
    FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS t(l, x, i)`;

export async function insertNodes(
  sql: SqlRunner,
  nodes: ReadonlyArray<{ level: number; idx: number; hash: Buffer }>,
): Promise<void> {
  if (nodes.length === 0) return;
  await sql.query(INSERT_NODES_SQL, nodesParams(nodes));
}

/** $1..$3 of INSERT_NODES_SQL. */
export function nodesParams(nodes: ReadonlyArray<{ level: number; idx: number; hash: Buffer }>): unknown[] {
  return [nodes.map((n) => n.level), nodes.map((n) => n.idx), Buffer.concat(nodes.map((n) => n.hash))];
}
