/**
 * Compact range (Merkle frontier) for an append-only log: the roots of the perfect subtrees that make up
 * the first `size` leaves, largest first - one per set bit of `size`. This is the RFC 9162 §2.1.2 stack:
 * an integrator can append leaves and get MTH of size n in O(log n) time and memory without holding leaves.
 */
import { HASH_SIZE } from './bytes';
import { EMPTY_ROOT, isSize, nodeHash } from './merkle';

export class CompactRange {
  private constructor(
    private treeSize: number,
    private readonly hashes: Buffer[],
  ) {}

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Restores a frontier saved with `size` and `frontier()`; throws if the two do not fit together. */
  static fromFrontier(size: number, hashes: readonly Uint8Array[]): CompactRange {
    if (!isSize(size)) throw new RangeError(`invalid tree size ${size}`);
    if (hashes.length !== popCount(size)) throw new RangeError(`size ${size} needs ${popCount(size)} hashes`);
    if (hashes.some((h) => h.length !== HASH_SIZE)) throw new RangeError('frontier hashes must be 32 bytes');
    return new CompactRange(
      size,
      hashes.map((h) => Buffer.from(h)),
    );
  }

  get size(): number {
    return this.treeSize;
  }

  /** Subtree roots, largest (leftmost) first; persist these together with `size`. */
  frontier(): Buffer[] {
    return this.hashes.map((h) => Buffer.from(h));
  }

  /** Appends one leaf hash: merges equal-sized subtrees, once per trailing one bit of the old size. */
  append(leaf: Uint8Array): void {
    if (leaf.length !== HASH_SIZE) throw new RangeError('leaf hash must be 32 bytes');
    if (this.treeSize >= Number.MAX_SAFE_INTEGER) throw new RangeError('tree is full');
    let merged: Buffer = Buffer.from(leaf);
    for (let n = this.treeSize; n % 2 === 1; n = Math.floor(n / 2)) {
      merged = nodeHash(this.hashes.pop() as Buffer, merged);
    }
    this.hashes.push(merged);
    this.treeSize += 1;
  }

  /**
   * Appends the root of a perfect subtree of `leaves` leaves (a power of two) at once, as if its leaves were
   * appended one by one; the tree's size must be a multiple of `leaves` (the subtree is aligned). A verifier that
   * hashes ranges of leaves elsewhere (other threads) then merges O(log n) nodes here instead of about one per leaf.
   */
  appendSubtree(root: Uint8Array, leaves: number): void {
    if (root.length !== HASH_SIZE) throw new RangeError('subtree root must be 32 bytes');
    if (!Number.isSafeInteger(leaves) || leaves < 1 || (leaves & (leaves - 1)) !== 0 || leaves > 2 ** 30) {
      throw new RangeError(`a subtree of ${leaves} leaves is not a perfect one`);
    }
    if (this.treeSize % leaves !== 0) throw new RangeError(`size ${this.treeSize} is not aligned to ${leaves} leaves`);
    if (this.treeSize > Number.MAX_SAFE_INTEGER - leaves) throw new RangeError('tree is full');
    let merged: Buffer = Buffer.from(root);
    // The stack's smallest subtrees are on top: one merge per trailing one bit above the subtree's level.
    for (let n = this.treeSize / leaves; n % 2 === 1; n = Math.floor(n / 2)) {
      merged = nodeHash(this.hashes.pop() as Buffer, merged);
    }
    this.hashes.push(merged);
    this.treeSize += leaves;
  }

  /** MTH of the first `size` leaves: folds the subtree roots from the right. */
  root(): Buffer {
    const last = this.hashes.at(-1);
    if (last === undefined) return Buffer.from(EMPTY_ROOT);
    return this.hashes.slice(0, -1).reduceRight((right, left) => nodeHash(left, right), last);
  }
}

function popCount(n: number): number {
  let count = 0;
  for (let m = n; m > 0; m = Math.floor(m / 2)) count += m % 2;
  return count;
}
