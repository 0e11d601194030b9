/**
 * RFC 6962 / RFC 9162 Merkle hashing and inclusion-proof verification in the browser, with crypto.subtle (SHA-256
 * is asynchronous there). Mirrors libs/audit/src/merkle.ts so a visitor checks the server's proofs with code of
 * their own browser. Free of DOM and React: Jest (Node 20, globalThis.crypto) tests it against the golden vectors.
 */

export const HASH_SIZE = 32;

async function sha256(...parts: readonly Uint8Array[]): Promise<Uint8Array> {
  const input = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    input.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
}

/** Leaf hash, SHA-256(0x00 || data) (RFC 9162 §2.1.1). */
export function leafHash(data: Uint8Array): Promise<Uint8Array> {
  return sha256(Uint8Array.of(0x00), data);
}

/** Interior node hash, SHA-256(0x01 || left || right) (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(Uint8Array.of(0x01), left, right);
}

/** Non-negative safe integer: beyond 2^53 - 1 a number loses precision. */
function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

// Division, not >>: bit operators truncate to 32 bits.
const half = (n: number): number => Math.floor(n / 2);

/** The root an inclusion proof implies (RFC 9162 §2.1.3.2), or undefined when the proof is malformed. */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<Uint8Array | undefined> {
  if (!isSize(size) || !isSize(index) || index >= size) return undefined;
  if (![leaf, ...proof].every((hash) => hash.length === HASH_SIZE)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = await nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 ? r : undefined;
}

/** Whether `proof` shows leaf hash `leaf` at `index` in the tree of `size` leaves with root `root`. Never throws. */
export async function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  const computed = await rootFromInclusionProof(index, size, leaf, proof);
  return computed !== undefined && bytesEqual(computed, root);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Standard base64 to bytes; undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** What the server hands out for one event (GET /audit/v1/events/:eventId/bundle). */
export interface ProofBundle {
  eventId: string;
  index: number;
  /** The leaf's exact text (canonical JSON); its UTF-8 bytes are hashed. */
  record: string;
  leafHash: string;
  checkpoint: { note: string; size: number; rootHash: string } | null;
  inclusionProof: string[] | null;
}

export type BundleCheck =
  /** The record hashes to the leaf and the proof leads to the checkpoint's root (and it is the expected root). */
  | { status: 'verified'; index: number; size: number }
  /** Integrated, but no signed checkpoint covers the leaf yet. */
  | { status: 'pending'; index: number }
  | { status: 'failed'; index: number; reason: 'leaf' | 'proof' | 'root' };

/**
 * Checks a proof bundle entirely here: the record's own hash (not the server's `leafHash`), the proof up to the
 * bundle's checkpoint root, and, when given, that this root is the one of the checkpoint the page trusts.
 */
export async function checkBundle(
  bundle: ProofBundle,
  trusted?: { size: number; rootHash: string },
): Promise<BundleCheck> {
  const index = bundle.index;
  const leaf = await leafHash(new TextEncoder().encode(bundle.record));
  const claimed = fromBase64(bundle.leafHash);
  if (!claimed || !bytesEqual(leaf, claimed)) return { status: 'failed', index, reason: 'leaf' };
  if (!bundle.checkpoint || !bundle.inclusionProof) return { status: 'pending', index };
  const root = fromBase64(bundle.checkpoint.rootHash);
  const proof = bundle.inclusionProof.map(fromBase64);
  if (!root || proof.some((p) => p === undefined)) return { status: 'failed', index, reason: 'proof' };
  const ok = await verifyInclusion(index, bundle.checkpoint.size, leaf, proof as Uint8Array[], root);
  if (!ok) return { status: 'failed', index, reason: 'proof' };
  // The root the proof reaches must be the one the signed note states (the note is what signatures cover).
  const stated = parseCheckpointBody(bundle.checkpoint.note);
  if (stated?.size !== bundle.checkpoint.size || stated.rootHash !== bundle.checkpoint.rootHash) {
    return { status: 'failed', index, reason: 'root' };
  }
  if (trusted && trusted.size === bundle.checkpoint.size && trusted.rootHash !== bundle.checkpoint.rootHash) {
    return { status: 'failed', index, reason: 'root' };
  }
  return { status: 'verified', index, size: bundle.checkpoint.size };
}

/** The size and root hash (base64) stated in a checkpoint note's body (c2sp.org/tlog-checkpoint). */
export function parseCheckpointBody(note: string): { origin: string; size: number; rootHash: string } | undefined {
  const [origin, size, rootHash] = note.split('\n');
  if (!origin || !size || !/^\d+$/.test(size) || !rootHash || !fromBase64(rootHash)) return undefined;
  return { origin, size: Number(size), rootHash };
}
