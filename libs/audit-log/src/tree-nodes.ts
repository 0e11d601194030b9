/**
 * Pure arithmetic of the stored Merkle tree: which complete-subtree hashes a root or an RFC 9162 proof needs, and
 * how to fold them. A node is addressed as (level, idx): the perfect subtree over leaves [idx * 2^level,
 * (idx + 1) * 2^level). Level 0 is a leaf hash. This is the (level, n) addressing of Go's sumdb/tlog
 * (`StoredHashIndex(level, n)` flattens the same pair into one integer); a composite key is kept instead because
 * it reads plainly in SQL and a lookup needs no index arithmetic. Written by hand because the proof recursion of
 * RFC 9162 §2.1.3/§2.1.4 must be mirrored exactly: each proof entry is the MTH of one subrange, and every subrange
 * the recursion visits starts at a multiple of a power of two at least its length, so its MTH is the right fold
 * of at most log2(n) stored perfect subtrees.
 */
import { EMPTY_ROOT, nodeHash } from '@muskel/audit';

export interface NodeRef {
  level: number;
  idx: number;
}

/** A range of leaves [lo, hi) whose MTH is one value of a root or a proof. */
export type LeafRange = readonly [lo: number, hi: number];

const POW2 = Array.from({ length: 54 }, (_, i) => 2 ** i);

/** Largest power of two strictly smaller than n (n >= 2), the split point k of RFC 9162 §2.1.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The perfect subtrees that make up [lo, hi), left to right (largest first); lo must be aligned (see above). */
export function rangeNodes(lo: number, hi: number): NodeRef[] {
  const nodes: NodeRef[] = [];
  let at = lo;
  for (let level = 53; level >= 0 && at < hi; level--) {
    const width = POW2[level]!;
    if (hi - at >= width) {
      nodes.push({ level, idx: (at - (at % width)) / width });
      at += width;
    }
  }
  return nodes;
}

/** The ranges whose MTHs form PATH(m, D[n]) (RFC 9162 §2.1.3.1), bottom-up. */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  const out: LeafRange[] = [];
  let lo = 0;
  let hi = n;
  // Iterative top-down walk; the proof lists the siblings bottom-up, hence the reverse.
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m - lo < k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      lo += k;
    }
  }
  return out.reverse();
}

/** The ranges whose MTHs form PROOF(m, D[n]) (RFC 9162 §2.1.4.1), 0 < m <= n; empty when m = n. */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  const out: LeafRange[] = [];
  let lo = 0;
  let hi = n;
  let rel = m;
  let whole = true;
  for (;;) {
    if (rel === hi - lo) {
      if (!whole) out.push([lo, hi]);
      break;
    }
    const k = splitPoint(hi - lo);
    if (rel <= k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      rel -= k;
      lo += k;
      whole = false;
    }
  }
  return out.reverse();
}

export function nodeKey(ref: NodeRef): string {
  return `${ref.level}:${ref.idx}`;
}

/** MTH of [lo, hi) from its stored perfect subtrees; `hashOf` throws when one is missing. */
export function rangeHash(range: LeafRange, hashOf: (ref: NodeRef) => Buffer): Buffer {
  const [lo, hi] = range;
  if (hi <= lo) return Buffer.from(EMPTY_ROOT);
  const hashes = rangeNodes(lo, hi).map(hashOf);
  return hashes.slice(0, -1).reduceRight((right, left) => nodeHash(left, right), hashes.at(-1)!);
}

/**
 * Appends leaf hashes to a frontier (the compact range, largest subtree first) and returns every perfect subtree
 * of level >= 1 completed on the way: exactly the merges CompactRange.append does, with their addresses.
 */
export function appendLeaves(
  size: number,
  frontier: Buffer[],
  leaves: readonly Buffer[],
): { size: number; frontier: Buffer[]; nodes: Array<{ level: number; idx: number; hash: Buffer }> } {
  const stack = [...frontier];
  const nodes: Array<{ level: number; idx: number; hash: Buffer }> = [];
  let n = size;
  for (const leaf of leaves) {
    let merged = leaf;
    let level = 0;
    // One merge per trailing one bit of the old size; the merged node covers the leaves ending at n.
    for (let bits = n; bits % 2 === 1; bits = (bits - 1) / 2) {
      merged = nodeHash(stack.pop()!, merged);
      level += 1;
      nodes.push({ level, idx: (n + 1) / POW2[level]! - 1, hash: merged });
    }
    stack.push(merged);
    n += 1;
  }
  return { size: n, frontier: stack, nodes };
}
