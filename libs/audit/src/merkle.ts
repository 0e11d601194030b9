/**
 * RFC 6962 / RFC 9162 Merkle tree hashing and proofs (SHA-256).
 * Sizes and indexes are plain numbers limited to safe integers (2^53 - 1 leaves is far beyond any real log).
 */
import * as crypto from 'node:crypto';
import { HASH_SIZE, bytesEqual, sha256 } from './bytes';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH({}) = SHA-256() (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = sha256();

/** Leaf hash, SHA-256(0x00 || data) (RFC 9162 §2.1.1). */
export function leafHash(data: Uint8Array): Buffer {
  return sha256(LEAF_PREFIX, data);
}

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'base64') => string;
/** Node's one-shot `crypto.hash` (20.12+, 21.7+), when there is one. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;
/** Reused input of `nodeHash`: single-threaded and filled and hashed synchronously, so never seen half-written. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);

/** Interior node hash, SHA-256(0x01 || left || right) (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (!oneShot || left.length !== HASH_SIZE || right.length !== HASH_SIZE) return sha256(NODE_PREFIX, left, right);
  // A tree recomputed from its leaves hashes about one node per leaf, and on 65 bytes the Hash object of createHash
  // is most of the cost, as is a 'buffer' output on Node 20: one-shot to base64 and decoded again measured about
  // three times faster than createHash.
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return Buffer.from(oneShot('sha256', nodeInput, 'base64'), 'base64');
}

/** Largest power of two strictly smaller than n (n >= 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes (RFC 9162 §2.1.1). Recursive reference implementation: O(n). */
export function rootFromLeafHashes(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return Buffer.from(EMPTY_ROOT); // a copy: callers may mutate what they get
  if (leaves.length === 1) return Buffer.from(leaves[0] as Uint8Array);
  const k = splitPoint(leaves.length);
  return nodeHash(rootFromLeafHashes(leaves.slice(0, k)), rootFromLeafHashes(leaves.slice(k)));
}

/** PATH(m, D[n]) (RFC 9162 §2.1.3.1): the audit path of leaf `index`, bottom-up. */
export function inclusionProof(index: number, leaves: readonly Uint8Array[]): Buffer[] {
  assertIndex(index, leaves.length);
  return path(index, leaves);
}

function path(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = splitPoint(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), rootFromLeafHashes(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), rootFromLeafHashes(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) (RFC 9162 §2.1.4.1): proves the first `size1` leaves are a prefix of all `leaves`. */
export function consistencyProof(size1: number, leaves: readonly Uint8Array[]): Buffer[] {
  assertIndex(size1, leaves.length + 1);
  if (size1 === 0) return []; // a proof from the empty tree is meaningless (verifiers reject it)
  return subproof(size1, leaves, true);
}

function subproof(m: number, leaves: readonly Uint8Array[], whole: boolean): Buffer[] {
  if (m === leaves.length) return whole ? [] : [rootFromLeafHashes(leaves)];
  const k = splitPoint(leaves.length);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), whole), rootFromLeafHashes(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), rootFromLeafHashes(leaves.slice(0, k))];
}

/** Inclusion verification (RFC 9162 §2.1.3.2). Never throws: malformed input is simply not a proof. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  return computed !== undefined && bytesEqual(computed, root);
}

/** The root implied by an inclusion proof, or undefined if the proof is malformed (RFC 9162 §2.1.3.2 steps 1-3). */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer | undefined {
  if (!isSize(size) || !isSize(index) || index >= size || !allHashes([leaf, ...proof])) return undefined;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 ? r : undefined;
}

/**
 * Consistency verification (RFC 9162 §2.1.4.2), with the edge rules of transparency-dev/merkle in its order:
 * size2 < size1 fails; size1 = 0 fails (even 0 -> 0); equal sizes need an empty proof and equal roots.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(size1) || !isSize(size2) || size2 < size1 || size1 === 0) return false;
  // Equal sizes compare the roots as given (the golden vectors accept non-32-byte roots here).
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (proof.length === 0 || !allHashes([root1, root2, ...proof])) return false;
  const roots = rootsFromConsistencyProof(size1, size2, root1, proof);
  return roots !== undefined && bytesEqual(roots.first, root1) && bytesEqual(roots.second, root2);
}

/** RFC 9162 §2.1.4.2 steps 2-6 for 0 < size1 < size2: both roots implied by the proof, or undefined. */
function rootsFromConsistencyProof(
  size1: number,
  size2: number,
  root1: Uint8Array,
  proof: readonly Uint8Array[],
): { first: Buffer; second: Buffer } | undefined {
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) [fn, sn] = [half(fn), half(sn)];
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 ? { first: fr, second: sr } : undefined;
}

/** Non-negative safe integer: tree sizes and indexes beyond 2^53 - 1 would lose precision as numbers. */
export function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function assertIndex(index: number, bound: number): void {
  if (!isSize(index) || index >= bound) throw new RangeError(`index ${index} out of range [0, ${bound})`);
}

function allHashes(hashes: readonly Uint8Array[]): boolean {
  return hashes.every((h) => h.length === HASH_SIZE);
}

// Division instead of >> because bit operators truncate to 32 bits.
function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}
