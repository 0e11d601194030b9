import { createHash, createHmac } from 'node:crypto';
import { canonicalize } from '@muskel/audit';
import type { RecordedEvent } from '@muskel/event-store';

/**
 * One leaf of the audit log: what happened, to which stream, by whom (a pseudonym) and when, and a digest of the
 * stored event. No personal data: the event's data and metadata are only hashed.
 */
export interface AuditRecord {
  v: 1;
  seq: number;
  eventId: string;
  type: string;
  stream: string;
  revision: number;
  /**
   * HMAC-SHA256 of the actor's userId under the pseudonym key, first 16 bytes in base64url (22 chars); null when the
   * event has no actor. Base64url, not hex: no leaf may hold a run of 16 decimal digits, which is what a NIK looks
   * like, and hex produces such runs by chance.
   */
  actor: string | null;
  role: string | null;
  occurredAt: string | null;
  recordedAt: string;
  /** `sha256:<base64url>` of the RFC 8785 canonical JSON of `{ data, metadata }` of the stored event (43 chars). */
  digest: string;
}

export const PSEUDONYM_LENGTH = 22;

/** The actor's pseudonym: keyed, so a low-entropy userId cannot be recovered by hashing guesses. */
export function actorPseudonym(key: Uint8Array, userId: string): string {
  return createHmac('sha256', key).update(userId, 'utf8').digest().subarray(0, 16).toString('base64url');
}

export function eventDigest(event: Pick<RecordedEvent, 'data' | 'metadata'>): string {
  const canonical = canonicalize({ data: event.data, metadata: event.metadata });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('base64url')}`;
}

export function auditRecord(event: RecordedEvent, seq: number, pseudonymKey: Uint8Array): AuditRecord {
  const actor = event.metadata.actor;
  const actorFields = typeof actor === 'object' && actor !== null && !Array.isArray(actor) ? actor : {};
  const userId = actorFields.userId;
  const role = actorFields.role;
  const occurredAt = event.metadata.occurredAt;
  return {
    v: 1,
    seq,
    eventId: event.id,
    type: event.type,
    stream: event.streamName,
    revision: event.revision,
    actor: typeof userId === 'string' && userId !== '' ? actorPseudonym(pseudonymKey, userId) : null,
    role: typeof role === 'string' ? role : null,
    occurredAt: typeof occurredAt === 'string' ? occurredAt : null,
    recordedAt: event.recordedAt.toISOString(),
    digest: eventDigest(event),
  };
}

/** The leaf's exact bytes: RFC 8785 canonical JSON. Stored as text; verifiers hash its UTF-8 bytes. */
export function recordText(record: AuditRecord): string {
  return canonicalize({ ...record });
}
