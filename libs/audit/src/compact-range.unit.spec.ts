import { CompactRange } from './compact-range';
import { EMPTY_ROOT, leafHash, rootFromLeafHashes } from './merkle';

const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

describe('CompactRange', () => {
  it('equals the reference MTH after every append, sizes 0..300', () => {
    const range = CompactRange.empty();
    for (let n = 0; n <= 300; n++) {
      expect(range.size).toBe(n);
      expect(range.root()).toEqual(rootFromLeafHashes(leaves.slice(0, n)));
      // One stored hash per set bit of the size: O(log n) memory.
      expect(range.frontier()).toHaveLength(n.toString(2).replace(/0/g, '').length);
      if (n < 300) range.append(leaves[n] as Buffer);
    }
  });

  it('the empty range has the empty root', () => {
    expect(CompactRange.empty().root()).toEqual(EMPTY_ROOT);
  });

  it('can be saved and restored mid-stream', () => {
    const range = CompactRange.empty();
    leaves.slice(0, 77).forEach((l) => range.append(l));
    const restored = CompactRange.fromFrontier(range.size, range.frontier());
    leaves.slice(77, 200).forEach((l) => restored.append(l));
    expect(restored.root()).toEqual(rootFromLeafHashes(leaves.slice(0, 200)));
  });

  it('frontier() returns copies, so callers cannot corrupt the state', () => {
    const range = CompactRange.empty();
    range.append(leaves[0] as Buffer);
    (range.frontier()[0] as Buffer).fill(0);
    expect(range.root()).toEqual(leaves[0]);
  });

  it('rejects inconsistent saved state and non-hash leaves', () => {
    expect(() => CompactRange.fromFrontier(3, [leaves[0] as Buffer])).toThrow(RangeError);
    expect(() => CompactRange.fromFrontier(-1, [])).toThrow(RangeError);
    expect(() => CompactRange.fromFrontier(1, [Buffer.alloc(31)])).toThrow(RangeError);
    expect(() => CompactRange.empty().append(Buffer.alloc(33))).toThrow(RangeError);
  });

  it('appending aligned perfect subtrees equals appending their leaves one by one', () => {
    const all = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`subtree ${i}`)));
    for (const start of [0, 1, 3, 8, 77, 128]) {
      for (const end of [start, start + 1, start + 5, start + 64, start + 131, 300]) {
        if (end > 300 || end < start) continue;
        const byLeaf = CompactRange.empty();
        const bySubtree = CompactRange.empty();
        all.slice(0, start).forEach((l) => {
          byLeaf.append(l);
          bySubtree.append(l);
        });
        all.slice(start, end).forEach((l) => byLeaf.append(l));
        // The aligned decomposition of [start, end): each step the largest power of two that fits and is aligned.
        for (let at = start; at < end;) {
          let size = 1;
          while (at % (size * 2) === 0 && at + size * 2 <= end) size *= 2;
          bySubtree.appendSubtree(rootFromLeafHashes(all.slice(at, at + size)), size);
          at += size;
        }
        expect(bySubtree.size).toBe(end);
        expect(bySubtree.root().equals(byLeaf.root())).toBe(true);
      }
    }
  });

  it('refuses a subtree that is not perfect, not aligned or not a hash', () => {
    const range = CompactRange.empty();
    range.append(leafHash(Buffer.from('a')));
    const root = leafHash(Buffer.from('b'));
    expect(() => range.appendSubtree(root, 2)).toThrow(/not aligned/);
    expect(() => range.appendSubtree(root, 3)).toThrow(/not a perfect one/);
    expect(() => range.appendSubtree(Buffer.alloc(31), 1)).toThrow(RangeError);
    range.appendSubtree(root, 1);
    expect(range.size).toBe(2);
  });
});
