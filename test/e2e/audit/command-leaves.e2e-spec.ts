/**
 * Command answers name where their events sit in the audit log (`audit.leaves`): with `Prefer: wait=N` the answer
 * waits for the integrator and carries each event's leaf index, the same index its proof bundle gives; without it
 * the answer comes at once with whatever is known.
 */
import request from 'supertest';
import { bearer, openSession, seedUser, startApp, type TestApp } from '../support/access-app';

const VILLAGE = '3515142001';

interface Answer {
  proposalId?: string;
  revision: number;
  position: string;
  eventIds?: unknown;
  audit: { leaves: { eventId: string; leafIndex: number | null }[] };
}

describe('leaf indexes in command answers', () => {
  let t: TestApp;
  let operator: string;

  beforeAll(async () => {
    t = await startApp({ logLevel: 'warn' });
    const { userId } = await seedUser(t, {
      homeRegion: VILLAGE,
      grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
    });
    operator = (await openSession(t, userId)).accessToken;
  });

  afterAll(async () => {
    await t?.close();
  });

  const proposal = (kk: string) => ({
    kind: 'ADD',
    villageCode: VILLAGE,
    channel: 'RT_RW',
    household: {
      address: 'Jl. Daun 3',
      rt: '002',
      rw: '004',
      kkNumber: kk,
      members: [
        { nik: '3515145504900006', name: 'Sinta Dewi', sex: 'F', birthDate: '1990-04-15', relationship: 'HEAD' },
      ],
    },
  });

  const storedEventId = async (stream: string, revision: number) => {
    const [row] = await t.db.query<{ event_id: string }>(
      'SELECT event_id::text FROM es_events WHERE stream_id = $1 AND stream_revision = $2',
      [stream, revision],
    );
    return row!.event_id;
  };

  it('Prefer: wait=5 answers with the leaf index, the same one the proof bundle gives', async () => {
    const submitted = await request(t.server)
      .post('/proposals')
      .set('Authorization', bearer(operator))
      .set('Prefer', 'wait=5')
      .send(proposal('3515140101100005'))
      .expect(201);
    const body = submitted.body as Answer;
    expect(submitted.headers['preference-applied']).toBe('wait=5');
    expect(body.eventIds).toBeUndefined();
    expect(body.audit.leaves).toHaveLength(1);
    const [leaf] = body.audit.leaves;
    expect(leaf!.eventId).toBe(await storedEventId(`proposal-${body.proposalId!}`, 0));
    expect(typeof leaf!.leafIndex).toBe('number');
    const bundle = (await request(t.server).get(`/audit/v1/events/${leaf!.eventId}/bundle`).expect(200)).body as {
      index: number;
    };
    expect(bundle.index).toBe(leaf!.leafIndex);

    const withdrawn = await request(t.server)
      .post(`/proposals/${body.proposalId!}/withdraw`)
      .set('Authorization', bearer(operator))
      .set('Prefer', 'wait=5')
      .send({ reason: 'Diajukan ganda' })
      .expect(200);
    // The worker's identity check may have written to the stream meanwhile: the withdrawal is its latest event.
    const answer = withdrawn.body as Answer;
    const later = answer.audit.leaves;
    expect(later).toHaveLength(1);
    expect(later[0]!.eventId).toBe(await storedEventId(`proposal-${body.proposalId!}`, answer.revision));
    expect(later[0]!.leafIndex).toBeGreaterThan(leaf!.leafIndex!);
  });

  it('an idempotent replay answers with the same events and leaves', async () => {
    const send = () =>
      request(t.server)
        .post('/proposals')
        .set('Authorization', bearer(operator))
        .set('Idempotency-Key', 'leaf-index-replay-0001')
        .set('Prefer', 'wait=5')
        .send(proposal('3515140101100013'))
        .expect(201);
    const first = (await send()).body as Answer;
    const again = await send();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.body as Answer).audit).toEqual(first.audit);
    expect(first.audit.leaves[0]!.leafIndex).not.toBeNull();
  });

  it('without Prefer the answer comes at once: each event listed, its index a number or null', async () => {
    const response = await request(t.server)
      .post('/proposals')
      .set('Authorization', bearer(operator))
      .set('Prefer', 'wait=soon')
      .send(proposal('3515140101100021'))
      .expect(201);
    expect(response.headers['preference-applied']).toBeUndefined();
    const { leaves } = (response.body as Answer).audit;
    expect(leaves).toHaveLength(1);
    expect(leaves[0]!.leafIndex === null || typeof leaves[0]!.leafIndex === 'number').toBe(true);
  });
});
