import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM with a random 96-bit IV (NIST SP 800-38D), node:crypto only: no library adds anything here. */
const ALGORITHM = 'aes-256-gcm';
export const ENVELOPE_ALG = 'A256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * An encrypted field as stored in place of its value. `kid` names the household whose data key encrypted it (our
 * own id, never derived from a NIK or KK number in the clear).
 */
export interface FieldEnvelope {
  $pd: typeof ENVELOPE_ALG;
  kid: string;
  iv: string;
  ct: string;
  tag: string;
}

export function isEnvelope(value: unknown): value is FieldEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate['$pd'] === ENVELOPE_ALG &&
    typeof candidate['kid'] === 'string' &&
    typeof candidate['iv'] === 'string' &&
    typeof candidate['ct'] === 'string' &&
    typeof candidate['tag'] === 'string'
  );
}

/**
 * Binds a ciphertext to its event, its field and its household: copied into another event or field, or relabelled
 * with another household, it no longer decrypts.
 */
export function fieldAad(eventId: string, fieldPath: string, householdId: string): Buffer {
  return Buffer.from(`muskel-pd/v1|${eventId}|${fieldPath}|${householdId}`, 'utf8');
}

/** A value that fails to decrypt under its own key: tampered with, or moved from elsewhere. */
export class PersonalDataIntegrityError extends Error {
  constructor(
    readonly eventId: string,
    readonly fieldPath: string,
  ) {
    // Ids and the field's path only: never the value.
    super(`personal data field ${fieldPath} of event ${eventId} does not decrypt (moved or tampered with)`);
    this.name = 'PersonalDataIntegrityError';
  }
}

export function encryptField(
  key: Buffer,
  value: unknown,
  binding: { eventId: string; fieldPath: string; householdId: string },
): FieldEnvelope {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(fieldAad(binding.eventId, binding.fieldPath, binding.householdId));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    $pd: ENVELOPE_ALG,
    kid: binding.householdId,
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

export function decryptField(
  key: Buffer,
  envelope: FieldEnvelope,
  binding: { eventId: string; fieldPath: string },
): unknown {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(envelope.iv, 'base64'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(fieldAad(binding.eventId, binding.fieldPath, envelope.kid));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as unknown;
  } catch {
    throw new PersonalDataIntegrityError(binding.eventId, binding.fieldPath);
  }
}

/** Wraps a household's data key under the key-encryption key, bound to the household. */
export function wrapKey(kek: Buffer, dataKey: Buffer, householdId: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(`muskel-pd-kek/v1|${householdId}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64');
}

export function unwrapKey(kek: Buffer, wrapped: string, householdId: string): Buffer {
  const bytes = Buffer.from(wrapped, 'base64');
  const iv = bytes.subarray(0, IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const ct = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, kek, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(`muskel-pd-kek/v1|${householdId}`, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    throw new Error(`the data key of household ${householdId} does not unwrap: wrong PERSONAL_DATA_KEK?`);
  }
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}
