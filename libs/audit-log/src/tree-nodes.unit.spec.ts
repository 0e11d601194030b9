import { createHash } from 'node:crypto';
import { CompactRange, consistencyProof, inclusionProof, leafHash, rootFromLeafHashes } from '@muskel/audit';
import {
  type NodeRef,
  appendLeaves,
  consistencyRanges,
  inclusionRanges,
  nodeKey,
  rangeHash,
  rangeNodes,
} from './tree-nodes';

const MAX = 130;
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(createHash('sha256').update(`leaf ${i}`).digest()));

/** Proofs compared as one string: jest's deep equality walks a Buffer byte by byte, far too slowly here. */
const hex = (hashes: readonly Buffer[]): string => hashes.map((h) => h.toString('hex')).join(',');

/** The node store as the integrator writes it: leaves at level 0, appendLeaves' nodes above, in uneven pages. */
function buildStore(): Map<string, Buffer> {
  const store = new Map<string, Buffer>(leaves.map((hash, idx) => [nodeKey({ level: 0, idx }), hash]));
  let state = { size: 0, frontier: [] as Buffer[] };
  for (let page = 1; state.size < MAX; page = (page % 7) + 1) {
    const next = appendLeaves(state.size, state.frontier, leaves.slice(state.size, state.size + page));
    for (const node of next.nodes) {
      expect(store.has(nodeKey(node))).toBe(false); // each node is written once
      store.set(nodeKey(node), node.hash);
    }
    state = next;
    const range = CompactRange.empty();
    for (const leaf of leaves.slice(0, state.size)) range.append(leaf);
    expect(state.frontier).toEqual(range.frontier());
  }
  return store;
}

describe('tree nodes', () => {
  const store = buildStore();
  const hashOf = (ref: NodeRef): Buffer => {
    const hash = store.get(nodeKey(ref));
    if (!hash) throw new Error(`missing ${nodeKey(ref)}`);
    return hash;
  };

  it('stores exactly the complete subtrees, each with its MTH', () => {
    let count = 0;
    for (let level = 1; 2 ** level <= MAX; level++) {
      for (let idx = 0; (idx + 1) * 2 ** level <= MAX; idx++) {
        count += 1;
        const span = leaves.slice(idx * 2 ** level, (idx + 1) * 2 ** level);
        expect(hashOf({ level, idx }).equals(rootFromLeafHashes(span))).toBe(true);
      }
    }
    expect(store.size).toBe(MAX + count);
  });

  // Every pair up to 80 here (pure, quick); stored-tree.int.spec.ts goes to 130 through the database.
  it('gives every root, inclusion proof and consistency proof of libs/audit, up to n = 80', () => {
    for (let n = 0; n <= 80; n++) {
      const prefix = leaves.slice(0, n);
      expect(rangeHash([0, n], hashOf).equals(rootFromLeafHashes(prefix))).toBe(true);
      // O(log n) reads: at most one node per level per proof entry's range, bounded well below n.
      expect(rangeNodes(0, n).length).toBeLessThanOrEqual(8);
      for (let i = 0; i < n; i++) {
        expect(hex(inclusionRanges(i, n).map((r) => rangeHash(r, hashOf)))).toBe(hex(inclusionProof(i, prefix)));
      }
      for (let m = 1; m <= n; m++) {
        expect(hex(consistencyRanges(m, n).map((r) => rangeHash(r, hashOf)))).toBe(hex(consistencyProof(m, prefix)));
      }
    }
  });

  it('reads O(log n) nodes for a proof in a large tree', () => {
    const n = 1_000_003;
    const refs = [...inclusionRanges(777_777, n), ...consistencyRanges(500_001, n)].flatMap(([lo, hi]) =>
      rangeNodes(lo, hi),
    );
    expect(refs.length).toBeLessThanOrEqual(4 * Math.ceil(Math.log2(n)));
  });
});
