import { randomBytes, randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent, SqlQueryable } from '@muskel/event-store';
import { ERASED } from './erased';
import { PersonalDataIntegrityError, isEnvelope, unwrapKey, wrapKey } from './field-crypto';
import type { KeyLookup, KeyRing } from './household-keys';
import { PersonalDataCodec, findEnvelopes, householdIdForAddProposal } from './personal-data-codec';

/** Keys in a map; `erased` households refuse new keys, like the table's tombstones. */
class MemoryKeyRing implements KeyRing {
  readonly keys = new Map<string, Buffer>();
  readonly erased = new Set<string>();
  forWriting(_q: SqlQueryable, householdId: string): Promise<KeyLookup> {
    if (this.erased.has(householdId)) return Promise.resolve({ erased: true });
    if (!this.keys.has(householdId)) this.keys.set(householdId, randomBytes(32));
    return Promise.resolve({ key: this.keys.get(householdId)! });
  }
  load(_q: SqlQueryable, ids: readonly string[]): Promise<Map<string, Buffer>> {
    return Promise.resolve(new Map(ids.filter((id) => this.keys.has(id)).map((id) => [id, this.keys.get(id)!])));
  }
  shred(id: string): void {
    this.keys.delete(id);
    this.erased.add(id);
  }
}

/** The codec queries nothing itself (its keys come from the key ring above). */
const q: SqlQueryable = {
  query: () => Promise.reject(new Error('the codec queried the database')),
  exec: () => Promise.reject(new Error('the codec queried the database')),
};

/** The stream as stored so far: what the codec reads for a field visit's notes (a proposal's latest content). */
function storedSoFar(...contents: Record<string, unknown>[]): () => Promise<RecordedEvent[]> {
  return () =>
    Promise.resolve(
      contents.map((data, revision) => ({
        streamName: 'proposal-x',
        revision,
        position: '',
        id: randomUUID(),
        type: revision === 0 ? 'ProposalSubmitted' : 'ProposalAmended',
        data: data as RecordedEvent['data'],
        metadata: {},
        schemaVersion: 1,
        recordedAt: new Date(0),
      })),
    );
}

const HOUSEHOLD = randomUUID();
const OTHER = randomUUID();
const NIK = '3515140101800001';
const KK = '3515140101800009';

const enrolled = (): NewEvent => ({
  id: randomUUID(),
  type: 'HouseholdEnrolled',
  data: {
    householdId: HOUSEHOLD,
    source: 'BASELINE_IMPORT',
    importId: 'imp-1',
    villageCode: '3515142001',
    address: 'Jl. Mawar 1',
    rt: '001',
    rw: '002',
    kkNumber: KK,
    members: [
      { memberId: 'm1', nik: NIK, name: 'Siti Contoh', sex: 'F', birthDate: '1980-01-01', relationship: 'HEAD' },
    ],
  },
});

const recorded = (stream: string, event: NewEvent): RecordedEvent => ({
  streamName: stream,
  revision: 0,
  position: 'p',
  id: event.id!,
  type: event.type,
  data: event.data,
  metadata: {},
  schemaVersion: 1,
  recordedAt: new Date(0),
});

describe('PersonalDataCodec', () => {
  let keys: MemoryKeyRing;
  let codec: PersonalDataCodec;
  beforeEach(() => {
    keys = new MemoryKeyRing();
    codec = new PersonalDataCodec(keys);
  });

  it('encrypts NIK, KK number, names and birth dates, and decrypts them back (round trip)', async () => {
    const event = enrolled();
    const [stored] = await codec.encode(q, `household-${HOUSEHOLD}`, [event], storedSoFar());
    const text = JSON.stringify(stored!.data);
    for (const secret of [NIK, KK, 'Siti Contoh', '1980-01-01']) expect(text).not.toContain(secret);
    // What the workflow needs stays readable: ids, village, relationship.
    expect(text).toContain('3515142001');
    expect(text).toContain('"relationship":"HEAD"');
    expect(isEnvelope(stored!.data['kkNumber'])).toBe(true);
    expect(findEnvelopes(stored!.data).map((e) => e.path.join('.'))).toEqual([
      'kkNumber',
      'members.0.nik',
      'members.0.name',
      'members.0.birthDate',
    ]);
    const [decoded] = await codec.decode(q, [recorded(`household-${HOUSEHOLD}`, stored!)]);
    expect(decoded!.data).toEqual(event.data);
  });

  it('gives each event an id before encrypting (the AAD binds it) and keeps given ids', async () => {
    const { id: _id, ...withoutId } = enrolled();
    const [stored] = await codec.encode(q, `household-${HOUSEHOLD}`, [withoutId], storedSoFar());
    expect(stored!.id).toMatch(/^[0-9a-f-]{36}$/);
    const given = enrolled();
    expect((await codec.encode(q, `household-${HOUSEHOLD}`, [given], storedSoFar()))[0]!.id).toBe(given.id);
  });

  it('a ciphertext copied into another event fails to decrypt', async () => {
    const [stored] = await codec.encode(q, `household-${HOUSEHOLD}`, [enrolled()], storedSoFar());
    const moved = { ...recorded(`household-${HOUSEHOLD}`, stored!), id: randomUUID() };
    await expect(codec.decode(q, [moved])).rejects.toBeInstanceOf(PersonalDataIntegrityError);
  });

  it('a ciphertext moved to another field of the same event fails to decrypt', async () => {
    const [stored] = await codec.encode(q, `household-${HOUSEHOLD}`, [enrolled()], storedSoFar());
    const data = structuredClone(stored!.data) as { kkNumber: unknown; members: { nik: unknown }[] };
    data.kkNumber = data.members[0]!.nik; // the NIK's ciphertext presented as the KK number
    const event = { ...recorded(`household-${HOUSEHOLD}`, stored!), data: data as never };
    await expect(codec.decode(q, [event])).rejects.toThrow(/kkNumber/);
  });

  it('a ciphertext relabelled with another household fails even under that household`s key', async () => {
    const [stored] = await codec.encode(q, `household-${HOUSEHOLD}`, [enrolled()], storedSoFar());
    keys.keys.set(OTHER, keys.keys.get(HOUSEHOLD)!); // even with the right key bytes
    const data = structuredClone(stored!.data) as { kkNumber: { kid: string } };
    data.kkNumber.kid = OTHER;
    const event = { ...recorded(`household-${HOUSEHOLD}`, stored!), data: data as never };
    await expect(codec.decode(q, [event])).rejects.toBeInstanceOf(PersonalDataIntegrityError);
  });

  it('after the key is deleted, reads show the erased marker and everything else unchanged', async () => {
    const [stored] = await codec.encode(q, `household-${HOUSEHOLD}`, [enrolled()], storedSoFar());
    keys.shred(HOUSEHOLD);
    const [decoded] = await codec.decode(q, [recorded(`household-${HOUSEHOLD}`, stored!)]);
    expect(decoded!.data).toMatchObject({
      kkNumber: ERASED,
      villageCode: '3515142001',
      members: [{ memberId: 'm1', nik: ERASED, name: ERASED, birthDate: ERASED, sex: 'F', relationship: 'HEAD' }],
    });
  });

  it('an erased household takes no new personal data: the values are dropped, not stored', async () => {
    keys.shred(HOUSEHOLD);
    const [stored] = await codec.encode(q, `household-${HOUSEHOLD}`, [enrolled()], storedSoFar());
    expect(findEnvelopes(stored!.data)).toEqual([]);
    expect(JSON.stringify(stored!.data)).not.toContain(NIK);
    expect(stored!.data['kkNumber']).toBe(ERASED);
  });

  it('an ADD proposal is encrypted under the household it will enrol; a CORRECT under the one it names', async () => {
    const proposalId = randomUUID();
    const add: NewEvent = {
      id: randomUUID(),
      type: 'ProposalSubmitted',
      data: {
        proposalId,
        kind: 'ADD',
        household: {
          address: 'x',
          rt: '1',
          rw: '2',
          kkNumber: KK,
          members: [{ nik: NIK, name: 'Budi Contoh', sex: 'M', birthDate: '1990-02-03', relationship: 'HEAD' }],
        },
      },
    };
    const [stored] = await codec.encode(q, `proposal-${proposalId}`, [add], storedSoFar());
    expect(findEnvelopes(stored!.data).map((e) => e.envelope.kid)).toEqual(
      Array(4).fill(householdIdForAddProposal(proposalId)),
    );
    const correct: NewEvent = {
      id: randomUUID(),
      type: 'ProposalSubmitted',
      data: { proposalId, kind: 'CORRECT', householdId: HOUSEHOLD, changes: { kkNumber: KK, rt: '3' } },
    };
    const [corrected] = await codec.encode(q, `proposal-${proposalId}`, [correct], storedSoFar());
    expect(findEnvelopes(corrected!.data).map((e) => [e.path.join('.'), e.envelope.kid])).toEqual([
      ['changes.kkNumber', HOUSEHOLD],
    ]);
    expect((corrected!.data['changes'] as Record<string, unknown>)['rt']).toBe('3');
  });

  it("a field visit's notes take the household of the proposal's stored content", async () => {
    const proposalId = randomUUID();
    const visit: NewEvent = {
      id: randomUUID(),
      type: 'FieldVisitRecorded',
      data: { visitedAt: '2026-11-02', outcome: 'CONFIRMED', notes: 'Bertemu Siti Contoh', visitedBy: 'u1' },
    };
    const [stored] = await codec.encode(
      q,
      `proposal-${proposalId}`,
      [visit],
      storedSoFar({ householdId: 'an-earlier-household' }, { householdId: HOUSEHOLD }),
    );
    expect((stored!.data['notes'] as { kid: string }).kid).toBe(HOUSEHOLD);
  });

  it('refuses to store personal data whose household it cannot tell (fails closed)', async () => {
    const visit: NewEvent = { id: randomUUID(), type: 'MemberAdded', data: { member: { nik: NIK } } };
    await expect(codec.encode(q, 'elsewhere-1', [visit], storedSoFar())).rejects.toThrow(/cannot tell/);
  });

  it('leaves events without personal fields untouched', async () => {
    const event: NewEvent = { id: randomUUID(), type: 'ProposalVerified', data: { verifiedBy: 'u' } };
    expect(await codec.encode(q, 'proposal-x', [event], storedSoFar())).toEqual([event]);
  });
});

describe('key wrapping', () => {
  it('unwraps under the same KEK and household only', () => {
    const kek = randomBytes(32);
    const key = randomBytes(32);
    const wrapped = wrapKey(kek, key, HOUSEHOLD);
    expect(unwrapKey(kek, wrapped, HOUSEHOLD).equals(key)).toBe(true);
    expect(() => unwrapKey(kek, wrapped, OTHER)).toThrow(/does not unwrap/);
    expect(() => unwrapKey(randomBytes(32), wrapped, HOUSEHOLD)).toThrow(/does not unwrap/);
  });
});
