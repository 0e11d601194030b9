/**
 * POST /meetings/:id/signed-minutes over HTTP: the digest of the scanned, signed berita acara is recorded on a
 * concluded meeting (201), a retry with the same digest changes nothing (200), another digest is refused (409), as
 * are a meeting not yet concluded (409) and a malformed digest (400); the meeting read and the public check show it.
 */
import request from 'supertest';
import { bearer, expectProblem, openSession, seedUser, startApp, type TestApp } from '../support/access-app';
import { WorkflowFixtures } from '../support/workflow-fixtures';

const SUKAMAJU = '3515142001';
const SIGNED = `sha256:${'5e'.repeat(32)}`;

describe('POST /meetings/:id/signed-minutes', () => {
  let t: TestApp;
  let fx: WorkflowFixtures;
  const token = { operator: '', neighbour: '', verifier: '' };

  const as = (who: keyof typeof token) => ({
    get: (path: string) => request(t.server).get(path).set('Authorization', bearer(token[who])),
    post: (path: string, body: object, headers: Record<string, string> = {}) => {
      let call = request(t.server).post(path).set('Authorization', bearer(token[who]));
      for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
      return call.send(body);
    },
  });

  beforeAll(async () => {
    t = await startApp({ logLevel: 'warn' });
    fx = new WorkflowFixtures(t.store);
    const grants = {
      operator: { role: 'VILLAGE_OPERATOR' as const, scope: SUKAMAJU },
      neighbour: { role: 'VILLAGE_OPERATOR' as const, scope: '3515142002' },
      verifier: { role: 'VERIFIER' as const, scope: '3515' },
    };
    for (const [who, grant] of Object.entries(grants) as [keyof typeof token, (typeof grants)['operator']][]) {
      const user = await seedUser(t, { homeRegion: grant.scope, grants: [grant] });
      token[who] = (await openSession(t, user.userId)).accessToken;
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('records the digest once (201), a retry is a no-op (200), another digest is refused (409)', async () => {
    const { meetingId } = await fx.approvedProposal(SUKAMAJU);
    const path = `/meetings/${meetingId}/signed-minutes`;
    const before = await as('operator').get(`/meetings/${meetingId}`).expect(200);
    expect(before.body.signedCopyDigest).toBeUndefined();

    const first = await as('operator')
      .post(path, { signedCopyDigest: SIGNED }, { 'If-Match': before.headers.etag as string, Prefer: 'wait=10' })
      .expect(201);
    // The audit log integrates the new event like any other: it has a leaf index.
    expect(first.body.audit.leaves).toEqual([{ eventId: expect.any(String), leafIndex: expect.any(Number) }]);
    expect(first.headers.etag).toBe(`"${first.body.revision}"`);

    const meeting = await as('operator').get(`/meetings/${meetingId}`).expect(200);
    expect(meeting.body).toMatchObject({ status: 'concluded', signedCopyDigest: SIGNED });
    const recorded = (meeting.body.history as { type: string }[]).filter((e) => e.type === 'SignedMinutesRecorded');
    expect(recorded).toHaveLength(1);

    const repeat = await as('operator').post(path, { signedCopyDigest: SIGNED }).expect(200);
    expect(repeat.body).toMatchObject({ revision: first.body.revision, audit: { leaves: [] } });

    expectProblem(
      await as('operator').post(path, { signedCopyDigest: `sha256:${'0'.repeat(64)}` }),
      409,
      'SIGNED_COPY_ALREADY_RECORDED',
    );

    const check = await request(t.server).get(`/public/meetings/${meetingId}/minutes`).expect(200);
    expect(check.body).toMatchObject({ status: 'CONCLUDED', signedCopyDigest: SIGNED });
  });

  it('a meeting not yet concluded: 409 MEETING_NOT_CONCLUDED; a cancelled one: 409 MEETING_CANCELLED', async () => {
    const { meetingId } = await fx.decidedMeeting(SUKAMAJU);
    expectProblem(
      await as('operator').post(`/meetings/${meetingId}/signed-minutes`, { signedCopyDigest: SIGNED }),
      409,
      'MEETING_NOT_CONCLUDED',
    );
    const check = await request(t.server).get(`/public/meetings/${meetingId}/minutes`).expect(200);
    expect(check.body.signedCopyDigest).toBeNull();

    const scheduled = await fx.scheduledMeeting(SUKAMAJU);
    await as('operator').post(`/meetings/${scheduled}/cancel`, { reason: 'Banjir' }).expect(200);
    expectProblem(
      await as('operator').post(`/meetings/${scheduled}/signed-minutes`, { signedCopyDigest: SIGNED }),
      409,
      'MEETING_CANCELLED',
    );
  });

  it('a malformed digest: 400 VALIDATION_FAILED naming the field; a stale If-Match: 412', async () => {
    const { meetingId } = await fx.approvedProposal(SUKAMAJU);
    const path = `/meetings/${meetingId}/signed-minutes`;
    const problem = expectProblem(
      await as('operator').post(path, { signedCopyDigest: `sha256:${'AB'.repeat(32)}` }),
      400,
      'VALIDATION_FAILED',
    );
    expect(JSON.stringify(problem)).toContain('signedCopyDigest');
    expectProblem(
      await as('operator').post(path, { signedCopyDigest: SIGNED }, { 'If-Match': '"1"' }),
      412,
      'PRECONDITION_FAILED',
    );
  });

  it('only an operator of the village: another village 404, a verifier 403, no token 401', async () => {
    const { meetingId } = await fx.approvedProposal(SUKAMAJU);
    const path = `/meetings/${meetingId}/signed-minutes`;
    expectProblem(await as('neighbour').post(path, { signedCopyDigest: SIGNED }), 404, 'NOT_FOUND');
    expect((await as('verifier').post(path, { signedCopyDigest: SIGNED })).status).toBe(403);
    expect((await request(t.server).post(path).send({ signedCopyDigest: SIGNED })).status).toBe(401);
    const meeting = await as('operator').get(`/meetings/${meetingId}`).expect(200);
    expect(meeting.body.signedCopyDigest).toBeUndefined();
  });
});
