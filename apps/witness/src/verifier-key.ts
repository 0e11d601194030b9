import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  NoteError,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  decodeBase64,
  formatVerifierKey,
  parseSignerKey,
} from '@muskel/audit';

/** PKCS#8 DER prefix of an Ed25519 private key: the 32-byte seed follows (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The verifier key of a cosignature/v1 signer key string. libs/audit keeps the seed-to-public step internal and
 * libs/audit-log's verifierKeyOf accepts only the log's Ed25519 (0x01) keys, hence these few lines.
 */
export function verifierKeyOf(signerKey: string): string {
  const signer = parseSignerKey(signerKey); // validates name, key ID and length
  const bytes = decodeBase64(signerKey.split('+').slice(4).join('+'));
  if (bytes?.[0] !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    throw new NoteError('the witness key must be a cosignature/v1 (type 0x04) key');
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return formatVerifierKey(signer.name, SIGNATURE_TYPE_COSIGNATURE_V1, spki.subarray(spki.length - 32));
}
