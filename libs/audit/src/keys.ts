/**
 * Signed-note keys: Ed25519 (type 0x01, c2sp.org/signed-note) and cosignature/v1 (type 0x04,
 * c2sp.org/tlog-cosignature), and their text forms:
 *   verifier key  <name>+<key ID, 8 hex>+base64(type || 32-byte public key)
 *   signer key    PRIVATE+KEY+<name>+<key ID, 8 hex>+base64(type || 32-byte seed)   (golang.org/x/mod/sumdb/note)
 */
import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { decodeBase64 } from './bytes';
import { type Clock, SIGNATURE_TYPE_COSIGNATURE_V1, cosignatureSigner, cosignatureVerifier } from './cosignature';
import {
  ED25519_KEY_SIZE,
  ed25519Sign,
  ed25519Verify,
  noteKeyId,
  privateKeyFromSeed,
  publicKeyFromRaw,
  rawPublicKey,
  rawSeed,
} from './ed25519';
import { NoteError, type NoteSigner, type NoteVerifier, isValidKeyName } from './note';

export const SIGNATURE_TYPE_ED25519 = 0x01;

export type SignatureType = typeof SIGNATURE_TYPE_ED25519 | typeof SIGNATURE_TYPE_COSIGNATURE_V1;

const SIGNER_PREFIX = 'PRIVATE+KEY+';

/** Plain Ed25519 note signer: signs the note text itself. */
export function ed25519Signer(name: string, privateKey: KeyObject): NoteSigner {
  const keyId = noteKeyId(name, SIGNATURE_TYPE_ED25519, rawPublicKey(privateKey));
  return { name, keyId, sign: (text) => ed25519Sign(privateKey, text) };
}

export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  const key = publicKeyFromRaw(publicKey);
  const keyId = noteKeyId(name, SIGNATURE_TYPE_ED25519, publicKey);
  return { name, keyId, verify: (text, signature) => ed25519Verify(key, text, signature) };
}

/** Verifier key string for a public key (c2sp.org/signed-note, Verifier keys). */
export function formatVerifierKey(name: string, type: SignatureType, publicKey: Uint8Array): string {
  return formatKey(name, type, publicKey, noteKeyId(name, type, publicKey));
}

export function formatSignerKey(name: string, type: SignatureType, privateKey: KeyObject): string {
  const keyId = noteKeyId(name, type, rawPublicKey(privateKey));
  return SIGNER_PREFIX + formatKey(name, type, rawSeed(privateKey), keyId);
}

/** A fresh Ed25519 key pair as signer and verifier key strings. */
export function generateKeyPair(
  name: string,
  type: SignatureType = SIGNATURE_TYPE_ED25519,
): { signerKey: string; verifierKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signerKey: formatSignerKey(name, type, privateKey),
    verifierKey: formatVerifierKey(name, type, rawPublicKey(publicKey)),
  };
}

/** Parses a verifier key string; throws NoteError unless name, key ID, type and key length all check out. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const { name, type, key } = parseKey(vkey);
  return type === SIGNATURE_TYPE_ED25519 ? ed25519Verifier(name, key) : cosignatureVerifier(name, key);
}

/** Parses a signer key string; `clock` is used only by cosignature (type 0x04) signers. */
export function parseSignerKey(skey: string, clock?: Clock): NoteSigner {
  if (!skey.startsWith(SIGNER_PREFIX)) throw new NoteError('signer key must start with PRIVATE+KEY+');
  const { name, type, key } = parseKey(skey.slice(SIGNER_PREFIX.length), true);
  const privateKey = privateKeyFromSeed(key);
  return type === SIGNATURE_TYPE_ED25519 ? ed25519Signer(name, privateKey) : cosignatureSigner(name, privateKey, clock);
}

function formatKey(name: string, type: SignatureType, key: Uint8Array, keyId: number): string {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const id = keyId.toString(16).padStart(8, '0');
  return `${name}+${id}+${Buffer.concat([Uint8Array.of(type), key]).toString('base64')}`;
}

function parseKey(text: string, isSeed = false): { name: string; type: SignatureType; key: Buffer } {
  // Only the first two '+' separate fields: the base64 key may itself contain '+' (as Go's chop does).
  const [name, id, ...keyParts] = text.split('+');
  const encoded = keyParts.length === 0 ? undefined : keyParts.join('+');
  const bytes = encoded === undefined ? undefined : decodeBase64(encoded);
  if (name === undefined || !isValidKeyName(name) || id === undefined || !/^[0-9a-f]{8}$/.test(id)) {
    throw new NoteError('key must be <name>+<8 hex digits>+<base64>');
  }
  if (bytes?.length !== 1 + ED25519_KEY_SIZE) throw new NoteError('key must hold a type byte and 32 bytes');
  const type = bytes[0];
  if (type !== SIGNATURE_TYPE_ED25519 && type !== SIGNATURE_TYPE_COSIGNATURE_V1)
    throw new NoteError(`unsupported key type ${type}`);
  const key = bytes.subarray(1);
  const publicKey = isSeed ? rawPublicKey(privateKeyFromSeed(key)) : key;
  if (noteKeyId(name, type, publicKey) !== parseInt(id, 16)) throw new NoteError('key ID does not match the key');
  return { name, type, key };
}
