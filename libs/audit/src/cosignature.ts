/**
 * Ed25519 witness cosignatures, cosignature/v1 (c2sp.org/tlog-cosignature): a note signature of type 0x04
 * whose bytes are u64 big-endian timestamp || Ed25519 signature over
 * "cosignature/v1\ntime <timestamp>\n" || checkpoint note text.
 */
import type { KeyObject } from 'node:crypto';
import {
  ED25519_SIGNATURE_SIZE,
  ed25519Sign,
  ed25519Verify,
  noteKeyId,
  publicKeyFromRaw,
  rawPublicKey,
} from './ed25519';
import type { NoteSigner, NoteVerifier } from './note';

export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

/** POSIX seconds; a parameter so callers and tests control time. */
export type Clock = () => number;

export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

/** The exact bytes a cosigner signs (c2sp.org/tlog-cosignature, Ed25519 signed message). */
export function cosignatureMessage(timestamp: number, checkpointText: string | Uint8Array): Buffer {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`invalid timestamp ${timestamp}`);
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${timestamp}\n`, 'utf8'), Buffer.from(checkpointText)]);
}

/** The timestamp inside a cosignature's bytes (without key ID), or undefined if out of range. */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== 8 + ED25519_SIGNATURE_SIZE) return undefined;
  const timestamp = Buffer.from(signature).readBigUInt64BE(0);
  // The spec caps it at 2^63 - 1 and lets verifiers refuse future times; past 2^53 - 1 is both.
  return timestamp <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(timestamp) : undefined;
}

export function cosignatureSigner(name: string, privateKey: KeyObject, clock: Clock = systemClock): NoteSigner {
  const keyId = noteKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, rawPublicKey(privateKey));
  return {
    name,
    keyId,
    sign(text) {
      const timestamp = clock();
      const message = cosignatureMessage(timestamp, text); // validates the timestamp first
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(BigInt(timestamp));
      return Buffer.concat([stamp, ed25519Sign(privateKey, message)]);
    },
  };
}

export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  const key = publicKeyFromRaw(publicKey);
  return {
    name,
    keyId: noteKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey),
    verify(text, signature) {
      const timestamp = cosignatureTimestamp(signature);
      if (timestamp === undefined) return false;
      return ed25519Verify(key, cosignatureMessage(timestamp, text), signature.subarray(8));
    },
  };
}
