/** Raw Ed25519 keys (RFC 8032 encodings) <-> node:crypto KeyObjects, and the signed-note key ID. */
import { type KeyObject, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { sha256 } from './bytes';

export const ED25519_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

// Fixed DER prefixes of an Ed25519 PKCS#8 private key and SPKI public key (RFC 8410); the raw key follows.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== ED25519_KEY_SIZE) throw new RangeError('Ed25519 private key seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== ED25519_KEY_SIZE) throw new RangeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The 32-byte RFC 8032 public key of a public key, or of the public half of a private key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return lastKeyBytes(publicKey, publicKey.export({ format: 'der', type: 'spki' }));
}

/** The 32-byte seed of a private key (what signer key strings store). */
export function rawSeed(privateKey: KeyObject): Buffer {
  return lastKeyBytes(privateKey, privateKey.export({ format: 'der', type: 'pkcs8' }));
}

function lastKeyBytes(key: KeyObject, der: Buffer): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 key');
  return der.subarray(der.length - ED25519_KEY_SIZE);
}

export function ed25519Sign(privateKey: KeyObject, message: Uint8Array): Buffer {
  return sign(null, message, privateKey);
}

export function ed25519Verify(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  return signature.length === ED25519_SIGNATURE_SIZE && verify(null, message, publicKey, signature);
}

/** key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian (c2sp.org/signed-note, Signatures). */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  return sha256(Buffer.from(`${name}\n`, 'utf8'), Uint8Array.of(type), publicKey).readUInt32BE(0);
}
