/**
 * Checks a C2SP signed note (c2sp.org/signed-note) against one Ed25519 verifier key in the browser, with
 * crypto.subtle. Browsers without Ed25519 in WebCrypto answer 'unsupported' rather than a false failure.
 * Free of DOM and React (unit-tested with Jest).
 */
import { bytesEqual, fromBase64 } from './merkle';

export type NoteCheck = 'valid' | 'invalid' | 'unsupported';

const SIGNATURE_LINE = /^\u2014 (\S+) (\S+)$/u;

/** `<name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>`: only Ed25519 (type 0x01) keys. */
function parseVerifierKey(vkey: string): { name: string; keyId: Uint8Array; publicKey: Uint8Array } | undefined {
  const [name, id, ...rest] = vkey.trim().split('+');
  const bytes = fromBase64(rest.join('+'));
  if (!name || !id || !/^[0-9a-f]{8}$/.test(id) || bytes?.length !== 33 || bytes[0] !== 0x01) return undefined;
  const keyId = Uint8Array.from(id.match(/../g)!.map((pair) => parseInt(pair, 16)));
  return { name, keyId, publicKey: bytes.subarray(1) };
}

/** Whether the note carries a valid signature by `verifierKey` over its text. */
export async function checkNoteSignature(note: string, verifierKey: string): Promise<NoteCheck> {
  const key = parseVerifierKey(verifierKey);
  const split = note.lastIndexOf('\n\n');
  if (!key || split < 0) return 'invalid';
  const text = new TextEncoder().encode(note.slice(0, split + 1));
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .map((line) => SIGNATURE_LINE.exec(line))
    .filter((match) => match?.[1] === key.name)
    .map((match) => fromBase64(match![2]!))
    .filter((bytes): bytes is Uint8Array => bytes?.length === 68 && bytesEqual(bytes.subarray(0, 4), key.keyId));
  if (signatures.length === 0) return 'invalid';
  let publicKey: CryptoKey;
  try {
    publicKey = await globalThis.crypto.subtle.importKey(
      'raw',
      new Uint8Array(key.publicKey),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
  } catch {
    return 'unsupported';
  }
  for (const signature of signatures) {
    if (
      await globalThis.crypto.subtle.verify({ name: 'Ed25519' }, publicKey, new Uint8Array(signature.subarray(4)), text)
    ) {
      return 'valid';
    }
  }
  return 'invalid';
}
