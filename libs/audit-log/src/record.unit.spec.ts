import { randomBytes } from 'node:crypto';
import { isCanonicalJson } from '@muskel/audit';
import type { RecordedEvent } from '@muskel/event-store';
import { actorPseudonym, auditRecord, eventDigest, recordText } from './record';

const event = (metadata: RecordedEvent['metadata']): RecordedEvent => ({
  streamName: 'member-7f1c0b7e-3c55-4f7e-9f55-0a4c7b3e1d2a',
  revision: 4,
  position: '1',
  id: 'b7c9e8a2-4a8e-4a57-8d6a-1e1f6d0f3b21',
  type: 'MemberAdded',
  data: { nik: '3201010101900001', name: 'Budi Santoso', birthDate: '1990-01-01' },
  metadata,
  schemaVersion: 1,
  recordedAt: new Date('2026-11-22T03:04:05.456Z'),
});

describe('audit record', () => {
  const key = randomBytes(32);

  it('holds the event reference, a keyed actor pseudonym and a digest, in canonical JSON', () => {
    const recorded = event({
      actor: { userId: '3201010101900002', role: 'operator', scope: 'village:3201012001' },
      occurredAt: '2026-11-22T03:04:05.123Z',
    });
    const text = recordText(auditRecord(recorded, 7, key));
    expect(isCanonicalJson(Buffer.from(text))).toBe(true);
    expect(JSON.parse(text)).toEqual({
      v: 1,
      seq: 7,
      eventId: recorded.id,
      type: 'MemberAdded',
      stream: recorded.streamName,
      revision: 4,
      actor: actorPseudonym(key, '3201010101900002'),
      role: 'operator',
      occurredAt: '2026-11-22T03:04:05.123Z',
      recordedAt: '2026-11-22T03:04:05.456Z',
      digest: eventDigest(recorded),
    });
    for (const personal of ['3201010101900001', '3201010101900002', 'Budi', '1990-01-01', 'village']) {
      expect(text).not.toContain(personal);
    }
  });

  it('gives different pseudonyms under different keys, and null fields for an event without actor', () => {
    expect(actorPseudonym(key, 'u1')).toHaveLength(22);
    expect(actorPseudonym(key, 'u1')).not.toBe(actorPseudonym(randomBytes(32), 'u1'));
    const record = auditRecord(event({}), 0, key);
    expect(record).toMatchObject({ actor: null, role: null, occurredAt: null });
  });

  it('digests data and metadata independently of key order', () => {
    const a = event({ b: 1, a: 2 });
    const b = { ...a, metadata: { a: 2, b: 1 } };
    expect(eventDigest(a)).toBe(eventDigest(b));
    expect(eventDigest(a)).not.toBe(eventDigest({ ...a, data: { ...a.data, name: 'X' } }));
  });
});
