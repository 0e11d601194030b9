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
});
