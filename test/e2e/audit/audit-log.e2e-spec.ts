/**
 * The audit log through the whole application: the worker integrates every event as a leaf without personal data,
 * an administrator signs a checkpoint, and anyone can check, with nothing but the published verifier key, that a
 * proposal's event is in the signed tree and that a later checkpoint extends an earlier one.
 */
import request from 'supertest';
import { waitForProjection } from '@muskel/application';
import { leafHash, openCheckpoint, parseVerifierKey, verifyConsistency, verifyInclusion } from '@muskel/audit';
import { AUDIT_LOG_PROJECTION } from '@muskel/audit-log';
import { bearer, expectProblem, openSession, seedUser, startApp, type TestApp } from '../support/access-app';

const VILLAGE = '3515142001';
const NIK = '3515145504900006';

describe('audit log over HTTP', () => {
  let t: TestApp;
  let operator: string;
  let admin: string;
  let auditor: string;

  beforeAll(async () => {
    t = await startApp({ logLevel: 'warn' });
    const grant = async (role: 'VILLAGE_OPERATOR' | 'ADMIN' | 'AUDITOR', scope: string) =>
      (await openSession(t, (await seedUser(t, { homeRegion: scope, grants: [{ role, scope }] })).userId)).accessToken;
    operator = await grant('VILLAGE_OPERATOR', VILLAGE);
    admin = await grant('ADMIN', 'NATIONAL');
    auditor = await grant('AUDITOR', 'NATIONAL');
  });

  afterAll(async () => {
    await t?.close();
  });

  const submit = async () => {
    const response = await request(t.server)
      .post('/proposals')
      .set('Authorization', bearer(operator))
      .send({
        kind: 'ADD',
        villageCode: VILLAGE,
        channel: 'RT_RW',
        household: {
          address: 'Jl. Audit 1',
          rt: '001',
          rw: '001',
          kkNumber: '3515140101100005',
          members: [{ nik: NIK, name: 'Sri Wahyuni', sex: 'F', birthDate: '1990-04-15', relationship: 'HEAD' }],
        },
      })
      .expect(201);
    await waitForProjection(t.store, AUDIT_LOG_PROJECTION, response.body.position as string, 10_000);
    const [event] = await t.db.query<{ event_id: string }>(
      'SELECT event_id::text FROM es_events WHERE stream_id = $1 AND stream_revision = 0',
      [`proposal-${response.body.proposalId as string}`],
    );
    // A detail page's history names each event by id: what an auditor asks the proof bundle for.
    const detail = await request(t.server)
      .get(`/proposals/${response.body.proposalId as string}`)
      .set('Authorization', bearer(operator))
      .expect(200);
    expect((detail.body as { history: { eventId: string }[] }).history[0]!.eventId).toBe(event!.event_id);
    return event!.event_id;
  };

  it('no checkpoint before the first signature: 404 NO_CHECKPOINT', async () => {
    expectProblem(await request(t.server).get('/audit/v1/checkpoint'), 404, 'NO_CHECKPOINT');
  });

  it("a proposal's event is in the signed tree, checked with the published verifier key only", async () => {
    const eventId = await submit();
    const signed = await request(t.server)
      .post('/audit/v1/checkpoints')
      .set('Authorization', bearer(admin))
      .expect(201);
    const { verifierKey } = (await request(t.server).get('/audit/v1/verifier-key').expect(200)).body as {
      verifierKey: string;
    };
    const latest = (await request(t.server).get('/audit/v1/checkpoint').expect(200)).body as { note: string };
    expect(latest.note).toBe(signed.body.note);
    const { checkpoint } = openCheckpoint(latest.note, [parseVerifierKey(verifierKey)]);

    const bundle = (await request(t.server).get(`/audit/v1/events/${eventId}/bundle`).expect(200)).body as {
      index: number;
      record: string;
      leafHash: string;
      inclusionProof: string[];
      checkpoint: { size: number };
    };
    const leaf = leafHash(Buffer.from(bundle.record, 'utf8'));
    expect(leaf.toString('base64')).toBe(bundle.leafHash);
    const proof = bundle.inclusionProof.map((p) => Buffer.from(p, 'base64'));
    expect(verifyInclusion(bundle.index, checkpoint.size, leaf, proof, checkpoint.rootHash)).toBe(true);
    // The leaf names the event, not the person: no NIK, no name.
    expect(bundle.record).toContain(eventId);
    expect(bundle.record).not.toContain(NIK);
    expect(bundle.record).not.toContain('Sri Wahyuni');

    // The same proof from the public proof route.
    const inclusion = (
      await request(t.server)
        .get(`/audit/v1/proofs/inclusion?index=${bundle.index}&size=${checkpoint.size}`)
        .expect(200)
    ).body as { proof: string[] };
    expect(inclusion.proof).toEqual(bundle.inclusionProof);
  });

  it('a later checkpoint is proven to extend the earlier one', async () => {
    const first = (await request(t.server).get('/audit/v1/checkpoint').expect(200)).body as {
      size: number;
      rootHash: string;
    };
    await submit();
    const second = (
      await request(t.server).post('/audit/v1/checkpoints').set('Authorization', bearer(admin)).expect(201)
    ).body as { size: number; rootHash: string };
    expect(second.size).toBeGreaterThan(first.size);
    const { proof } = (
      await request(t.server).get(`/audit/v1/proofs/consistency?from=${first.size}&to=${second.size}`).expect(200)
    ).body as { proof: string[] };
    expect(
      verifyConsistency(
        first.size,
        second.size,
        Buffer.from(first.rootHash, 'base64'),
        Buffer.from(second.rootHash, 'base64'),
        proof.map((p) => Buffer.from(p, 'base64')),
      ),
    ).toBe(true);
    const history = (await request(t.server).get('/audit/v1/checkpoints').expect(200)).body as { items: unknown[] };
    expect(history.items.length).toBeGreaterThanOrEqual(2);
  });

  it('auditors list leaves; a proof beyond the log is 422 OUT_OF_RANGE; anonymous callers cannot sign', async () => {
    const leaves = (
      await request(t.server).get('/audit/v1/leaves?from=0&count=5').set('Authorization', bearer(auditor)).expect(200)
    ).body as { items: { seq: number; record: string }[] };
    expect(leaves.items.map((l) => l.seq)).toEqual([0, 1, 2, 3, 4]);
    for (const leaf of leaves.items) expect(leaf.record).not.toMatch(/Sri Wahyuni|3515145504900006/);
    expectProblem(
      await request(t.server).get('/audit/v1/proofs/inclusion?index=100000&size=100001'),
      422,
      'OUT_OF_RANGE',
    );
    expectProblem(await request(t.server).post('/audit/v1/checkpoints'), 401, 'AUTHENTICATION_REQUIRED');
  });
});
