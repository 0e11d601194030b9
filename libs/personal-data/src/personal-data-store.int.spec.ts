/**
 * The codec installed in a real SQL event store (embedded PGlite): every append path encrypts, every read path
 * decrypts, the raw view reads what is stored, and a deleted key reads as erased.
 */
import { randomUUID } from 'node:crypto';
import {
  createPgliteEventStore,
  isDecodingTransaction,
  type JsonObject,
  type NewEvent,
  type PgliteEventStore,
  type RecordedEvent,
} from '@muskel/event-store';
import { ERASED } from './erased';
import { enablePersonalData } from './enable-personal-data';
import { HouseholdKeys, resolveKek } from './household-keys';
import { findEnvelopes, type PersonalDataCodec } from './personal-data-codec';

const NIK = '3515140508687701';
const KK = '3515140101097701';
const NAME = 'Uji Sandi Rahasia';

const enrolled = (householdId: string): NewEvent => ({
  id: randomUUID(),
  type: 'HouseholdEnrolled',
  data: {
    householdId,
    villageCode: '3515142001',
    kkNumber: KK,
    members: [{ memberId: 'm1', nik: NIK, name: NAME, sex: 'F', birthDate: '1968-08-05', relationship: 'HEAD' }],
  },
});

async function collect(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('personal data codec in the SQL event store (PGlite)', () => {
  let store: PgliteEventStore;
  let codec: PersonalDataCodec;

  beforeAll(async () => {
    store = await createPgliteEventStore({});
    await store.init();
    codec = await enablePersonalData(store);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  const storedData = async (stream: string): Promise<JsonObject[]> =>
    (
      await store.executor.query<{ data: JsonObject }>(
        'SELECT data FROM es_events WHERE stream_id = $1 ORDER BY stream_revision',
        [stream],
      )
    ).map((row) => row.data);

  it('appendToStream stores ciphertext; readStream, readAll and subscribeToAll return plaintext; raw() the stored', async () => {
    const id = randomUUID();
    const stream = `household-${id}`;
    const event = enrolled(id);
    await store.appendToStream(stream, [event], { expected: 'no_stream' });

    const [stored] = await storedData(stream);
    expect(JSON.stringify(stored)).not.toContain(NIK);
    expect(JSON.stringify(stored)).not.toContain(NAME);
    expect(findEnvelopes(stored).length).toBe(4);

    const [read] = await collect(store.readStream(stream));
    expect(read!.data).toEqual(event.data);
    const [rawRead] = await collect(store.raw().readStream(stream));
    expect(rawRead!.data).toEqual(stored);

    const all = await collect(store.readAll({ filter: { categories: ['household'] } }));
    expect(all.find((e) => e.id === event.id)!.data).toEqual(event.data);
    const rawAll = await collect(store.raw().readAll({ filter: { categories: ['household'] } }));
    expect(rawAll.find((e) => e.id === event.id)!.data).toEqual(stored);

    const subscription = store.subscribeToAll({ filter: { categories: ['household'] } });
    for await (const message of subscription) {
      if (message.kind !== 'event' || message.event.id !== event.id) continue;
      expect(message.event.data).toEqual(event.data);
      break;
    }
    await subscription.close();
  });

  it('appends in a transaction (one stream and bulk new streams) are encrypted; the transaction decodes SQL reads', async () => {
    const [one, two, three] = [randomUUID(), randomUUID(), randomUUID()];
    await store.withTransaction(async (tx) => {
      await tx.appendToStream(`household-${one}`, [enrolled(one)], { expected: 'no_stream' });
      await tx.appendToNewStreams!([
        { stream: `household-${two}`, events: [enrolled(two)] },
        { stream: `household-${three}`, events: [enrolled(three)] },
      ]);
      const rows = await tx.query<{ id: string; data: JsonObject }>(
        `SELECT event_id::text AS id, data FROM es_events WHERE stream_id = $1`,
        [`household-${three}`],
      );
      expect(JSON.stringify(rows[0]!.data)).not.toContain(NIK);
      expect(isDecodingTransaction(tx)).toBe(true);
      if (!isDecodingTransaction(tx)) return;
      const [decoded] = await tx.decodeEvents([
        {
          streamName: `household-${three}`,
          revision: 0,
          position: '',
          id: rows[0]!.id,
          type: 'HouseholdEnrolled',
          data: rows[0]!.data,
          metadata: {},
          schemaVersion: 1,
          recordedAt: new Date(0),
        },
      ]);
      expect((decoded!.data['members'] as { nik: string }[])[0]!.nik).toBe(NIK);
    });
    for (const id of [one, two, three]) {
      const text = JSON.stringify(await storedData(`household-${id}`));
      expect(text).not.toContain(NIK);
      expect(text).not.toContain(KK);
      const [read] = await collect(store.readStream(`household-${id}`));
      expect(read!.data['kkNumber']).toBe(KK);
    }
  });

  it('once the key is shredded, reads show the erased marker and new data for the household is dropped', async () => {
    const id = randomUUID();
    await store.appendToStream(`household-${id}`, [enrolled(id)], { expected: 'no_stream' });
    expect(codec.keys).toBeInstanceOf(HouseholdKeys);
    expect(await (codec.keys as HouseholdKeys).shred(store.executor, id)).toBe(true);
    const [read] = await collect(store.readStream(`household-${id}`));
    expect(read!.data).toMatchObject({ kkNumber: ERASED, members: [{ nik: ERASED, name: ERASED, memberId: 'm1' }] });
    const [raw] = await collect(store.raw().readStream(`household-${id}`));
    expect(findEnvelopes(raw!.data).length).toBe(4); // the log itself is unchanged

    await store.appendToStream(
      `household-${id}`,
      [{ ...enrolled(id), type: 'MemberAdded', data: { member: { nik: NIK, name: NAME } } }],
      {
        expected: 0,
      },
    );
    const stored = await storedData(`household-${id}`);
    expect(stored[1]).toEqual({ member: { nik: ERASED, name: ERASED } });
    expect(await store.executor.query('SELECT 1 FROM pd_household_keys WHERE household_id = $1', [id])).toEqual([]);
  });

  it('without a configured KEK, one is generated once and kept', async () => {
    const first = await resolveKek(store.executor, undefined);
    const second = await resolveKek(store.executor, '');
    expect(first.length).toBe(32);
    expect(second.equals(first)).toBe(true);
  });
});
