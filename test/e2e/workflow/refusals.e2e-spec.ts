/**
 * What the workflow refuses, over HTTP: another village or regency (403 for a request naming it, 404 for a
 * resource there), an illegal transition (409), a stale If-Match (412), two decisions at once on one proposal
 * (exactly one wins), a quorum not met (422), and retries with an Idempotency-Key (the first answer again).
 */
import request from 'supertest';
import {
  bearer,
  eventually,
  expectProblem,
  openSession,
  seedUser,
  startApp,
  type TestApp,
} from '../support/access-app';
import { QUORUM, WorkflowFixtures } from '../support/workflow-fixtures';

const SUKAMAJU = '3515142001';
const BOGOR_VILLAGE = '3201012001';

describe('workflow refusals', () => {
  let t: TestApp;
  let fx: WorkflowFixtures;
  const token = { operator: '', verifier: '', otherVerifier: '' };

  const as = (who: keyof typeof token) => ({
    get: (path: string) => request(t.server).get(path).set('Authorization', bearer(token[who])),
    post: (path: string, body: object = {}, headers: Record<string, string> = {}) => {
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
      verifier: { role: 'VERIFIER' as const, scope: '3515' },
      otherVerifier: { role: 'VERIFIER' as const, scope: '3201' },
    };
    for (const [who, grant] of Object.entries(grants) as [keyof typeof token, (typeof grants)['operator']][]) {
      const user = await seedUser(t, { homeRegion: grant.scope, grants: [grant] });
      token[who] = (await openSession(t, user.userId)).accessToken;
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('another village or regency', () => {
    it('a proposal for a village outside the operator scope: 403 OUTSIDE_SCOPE', async () => {
      const response = await as('operator').post('/proposals', {
        kind: 'RELOCATE',
        villageCode: BOGOR_VILLAGE,
        channel: 'RT_RW',
        householdId: '6f1f9a8e-1111-4222-8333-444455556666',
        targetVillageCode: SUKAMAJU,
      });
      expectProblem(response, 403, 'OUTSIDE_SCOPE');
    });

    it("a verifier of another regency cannot see or verify Sukamaju's proposal: 404, as if it did not exist", async () => {
      const proposalId = await fx.visitedProposal(SUKAMAJU);
      expectProblem(await as('otherVerifier').get(`/proposals/${proposalId}`), 404, 'NOT_FOUND');
      expectProblem(await as('otherVerifier').post(`/proposals/${proposalId}/verify`), 404, 'NOT_FOUND');
      await as('verifier').post(`/proposals/${proposalId}/verify`).expect(200);
    });

    it('a batch of another regency: 404; opening one there: 403', async () => {
      const { batchId } = await fx.batch(SUKAMAJU, 'OPEN');
      expectProblem(await as('otherVerifier').get(`/batches/${batchId}`), 404, 'NOT_FOUND');
      const period = fx.freshPeriod();
      expectProblem(
        await as('otherVerifier').post('/batches', { regencyCode: '3515', period, cutoffDate: `${period}-20` }),
        403,
        'OUTSIDE_SCOPE',
      );
    });

    it('a meeting may not table a proposal of another village: 422 PROPOSAL_OF_ANOTHER_VILLAGE', async () => {
      const meetingId = await fx.scheduledMeeting(SUKAMAJU);
      const elsewhere = await fx.waitingProposal('3515142002');
      expectProblem(
        await as('operator').post(`/meetings/${meetingId}/agenda`, { proposalId: elsewhere }),
        422,
        'PROPOSAL_OF_ANOTHER_VILLAGE',
      );
    });
  });

  describe('illegal transitions: 409', () => {
    it('verifying a proposal no meeting has approved', async () => {
      const proposalId = await fx.waitingProposal(SUKAMAJU);
      expectProblem(await as('verifier').post(`/proposals/${proposalId}/verify`), 409, 'NOT_APPROVED');
    });

    it('verifying a withdrawn proposal', async () => {
      const { proposalId } = await fx.approvedProposal(SUKAMAJU);
      await as('operator').post(`/proposals/${proposalId}/withdraw`, { reason: 'Sudah mampu' }).expect(200);
      expectProblem(await as('verifier').post(`/proposals/${proposalId}/verify`), 409, 'PROPOSAL_CLOSED');
    });

    it('a decision after the meeting concluded', async () => {
      const { meetingId, proposalId } = await fx.decidedMeeting(SUKAMAJU);
      await as('operator')
        .post(`/meetings/${meetingId}/conclude`, {
          minutesDigest: `sha256:${'3'.repeat(64)}`,
          signatories: [QUORUM[0]],
        })
        .expect(200);
      const response = await as('operator').post(`/meetings/${meetingId}/decisions`, {
        proposalId,
        decision: 'REJECTED',
        reason: 'Berubah pikiran',
      });
      expect(response.status).toBe(409);
    });

    it('including the same proposal in a second batch', async () => {
      const { proposalId } = await fx.batch(SUKAMAJU, 'CLOSED');
      const { batchId } = await fx.batch(SUKAMAJU, 'OPEN');
      const response = await as('verifier').post(`/batches/${batchId}/proposals`, { proposalId });
      expectProblem(response, 409, 'PROPOSAL_NOT_VERIFIED');
    });

    it('submitting a batch that was not endorsed', async () => {
      const { batchId } = await fx.batch(SUKAMAJU, 'CLOSED');
      const response = await as('verifier').post(`/batches/${batchId}/submit`, {
        submittedAt: new Date().toISOString(),
        exportDigest: `sha256:${'4'.repeat(64)}`,
      });
      expect(response.status).toBe(409);
    });
  });

  describe('versions', () => {
    it('a stale If-Match is 412 PRECONDITION_FAILED and writes nothing; the current ETag works', async () => {
      const proposalId = await fx.waitingProposal(SUKAMAJU);
      const detail = await as('operator').get(`/proposals/${proposalId}`).expect(200);
      const etag = detail.headers.etag as string;
      await as('verifier')
        .post(`/proposals/${proposalId}/flags`, {
          code: 'WAGE_MATCH',
          severity: 'WARNING',
          source: 'BPJS',
          evidence: 'r',
        })
        .expect(201);
      const stale = await as('operator').post(
        `/proposals/${proposalId}/withdraw`,
        { reason: 'x' },
        { 'If-Match': etag },
      );
      expectProblem(stale, 412, 'PRECONDITION_FAILED');
      const fresh = (await as('operator').get(`/proposals/${proposalId}`).expect(200)).headers.etag as string;
      const ok = await as('operator').post(`/proposals/${proposalId}/withdraw`, { reason: 'x' }, { 'If-Match': fresh });
      expect(ok.status).toBe(200);
      expect(ok.headers.etag).toBe(`"${Number(JSON.parse(fresh)) + 1}"`);
    });

    it('two decisions at once on one proposal: exactly one wins, the other is a conflict', async () => {
      const { meetingId, proposalId } = await fx.openMeeting(SUKAMAJU);
      const decide = (decision: string) =>
        as('operator').post(`/meetings/${meetingId}/decisions`, { proposalId, decision, reason: 'Suara terbanyak' });
      const answers = await Promise.all([decide('APPROVED'), decide('REJECTED'), decide('DEFERRED')]);
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(2);
      const meeting = (await as('operator').get(`/meetings/${meetingId}`).expect(200)).body as {
        history: { type: string }[];
      };
      expect(meeting.history.filter((e) => e.type === 'DecisionRecorded')).toHaveLength(1);
    });
  });

  describe('a cancelled meeting', () => {
    it('releases its agenda: the proposal waits again and goes on the next meeting', async () => {
      const meetingId = await fx.scheduledMeeting(SUKAMAJU);
      const proposalId = await fx.waitingProposal(SUKAMAJU);
      await as('operator').post(`/meetings/${meetingId}/agenda`, { proposalId }).expect(201);
      await as('operator').post(`/meetings/${meetingId}/cancel`, { reason: 'Banjir di balai desa' }).expect(200);
      const status = async () =>
        ((await as('operator').get(`/proposals/${proposalId}`).expect(200)).body as { status: string }).status;
      await eventually(async () => ((await status()) === 'WAITING' ? true : undefined), 10_000);
      const next = await fx.scheduledMeeting(SUKAMAJU);
      await as('operator').post(`/meetings/${next}/agenda`, { proposalId }).expect(201);
      expect(await status()).toBe('TABLED');
    });
  });

  describe('facts recorded at once that do not collide', () => {
    it('decisions on two different agenda items recorded at the same moment both stand', async () => {
      const meetingId = await fx.scheduledMeeting(SUKAMAJU);
      const operator = { userId: 'x', role: 'VILLAGE_OPERATOR' as const, scope: SUKAMAJU };
      const first = await fx.waitingProposal(SUKAMAJU);
      const second = await fx.waitingProposal(SUKAMAJU);
      await fx.addToAgenda(meetingId, first, operator);
      await fx.addToAgenda(meetingId, second, operator);
      await as('operator')
        .post(`/meetings/${meetingId}/open`, { openedAt: '2026-11-25T09:05:00+07:00', attendees: QUORUM })
        .expect(200);
      const answers = await Promise.all(
        [first, second].map((proposalId) =>
          as('operator').post(`/meetings/${meetingId}/decisions`, {
            proposalId,
            decision: 'APPROVED',
            reason: 'Layak',
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201]);
    });

    it('a verifier filling a batch with several proposals at once gets them all in', async () => {
      const { batchId } = await fx.batch(SUKAMAJU, 'OPEN');
      const proposals = await Promise.all([1, 2, 3].map(() => fx.verifiedProposal(SUKAMAJU)));
      const answers = await Promise.all(
        proposals.map((proposalId) => as('verifier').post(`/batches/${batchId}/proposals`, { proposalId })),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    });
  });

  describe('rules', () => {
    it('a meeting without quorum does not open: 422 QUORUM_NOT_MET naming what is missing', async () => {
      const meetingId = await fx.scheduledMeeting(SUKAMAJU);
      const operator = { userId: 'x', role: 'VILLAGE_OPERATOR' as const, scope: SUKAMAJU };
      await fx.addToAgenda(meetingId, await fx.waitingProposal(SUKAMAJU), operator);
      const response = await as('operator').post(`/meetings/${meetingId}/open`, {
        openedAt: '2026-11-25T09:05:00+07:00',
        attendees: QUORUM.slice(1, 4), // three people, and not the chair
      });
      const body = expectProblem(response, 422, 'QUORUM_NOT_MET');
      expect(String(body.detail)).toMatch(/5/);
    });

    it("a regency's own quorum policy applies when it has one", async () => {
      const admin = await seedUser(t, { homeRegion: '3515', grants: [{ role: 'ADMIN', scope: '3515' }] });
      const adminToken = (await openSession(t, admin.userId)).accessToken;
      await request(t.server)
        .post('/regencies/3515/quorum-policy')
        .set('Authorization', bearer(adminToken))
        .send({ minimumAttendees: 3, requiredRoles: ['PSM'], chairMustAttend: true })
        .expect(200);
      const meetingId = await fx.scheduledMeeting(SUKAMAJU);
      await fx.addToAgenda(meetingId, await fx.waitingProposal(SUKAMAJU), {
        userId: 'x',
        role: 'VILLAGE_OPERATOR',
        scope: SUKAMAJU,
      });
      const noPsm = await as('operator').post(`/meetings/${meetingId}/open`, {
        openedAt: '2026-11-25T09:05:00+07:00',
        attendees: QUORUM,
      });
      expectProblem(noPsm, 422, 'QUORUM_NOT_MET');
      await as('operator')
        .post(`/meetings/${meetingId}/open`, {
          openedAt: '2026-11-25T09:05:00+07:00',
          attendees: [QUORUM[0], QUORUM[1], { name: 'Bu PSM', role: 'PSM' }],
        })
        .expect(200);
      // Back to the default for the other tests.
      await request(t.server)
        .post('/regencies/3515/quorum-policy')
        .set('Authorization', bearer(adminToken))
        .send({ minimumAttendees: 5, requiredRoles: [], chairMustAttend: true })
        .expect(200);
    });

    it('an ADD without a structurally valid NIK: 400 names the field; a REMOVE of an inactive household: 409', async () => {
      const bad = await as('operator').post('/proposals', {
        kind: 'ADD',
        villageCode: SUKAMAJU,
        channel: 'RT_RW',
        household: {
          address: 'Jl. X',
          rt: '1',
          rw: '1',
          kkNumber: '3515140101090001',
          members: [{ nik: '12345', name: 'X', sex: 'M', birthDate: '1990-01-01', relationship: 'HEAD' }],
        },
      });
      const body = expectProblem(bad, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(body.errors)).toContain('household.members[0].nik');
      const impossible = await as('operator').post('/proposals', {
        kind: 'ADD',
        villageCode: SUKAMAJU,
        channel: 'RT_RW',
        household: {
          address: 'Jl. X',
          rt: '1',
          rw: '1',
          kkNumber: '3515140101090001',
          members: [{ nik: '3515143213900001', name: 'X', sex: 'M', birthDate: '1990-01-01', relationship: 'HEAD' }],
        },
      });
      expect(impossible.status).toBe(422);

      const closed = await fx.household(SUKAMAJU, { inactive: true });
      const remove = await as('operator').post('/proposals', {
        kind: 'REMOVE',
        villageCode: SUKAMAJU,
        channel: 'RT_RW',
        householdId: closed,
        removal: { reason: 'DECEASED', evidence: [{ kind: 'DEATH_CERTIFICATE', digest: `sha256:${'7'.repeat(64)}` }] },
      });
      expectProblem(remove, 409, 'HOUSEHOLD_NOT_ACTIVE');
    });
  });

  describe('Idempotency-Key on creating POSTs', () => {
    const body = {
      villageCode: SUKAMAJU,
      kind: 'MUSDES',
      scheduledAt: '2026-12-01T09:00:00+07:00',
      venue: 'Balai Desa',
      chair: 'Kepala Desa',
    };

    it('a retry returns the first answer and creates nothing new', async () => {
      const first = await as('operator').post('/meetings', body, { 'Idempotency-Key': 'retry-key-0001' }).expect(201);
      const second = await as('operator').post('/meetings', body, { 'Idempotency-Key': 'retry-key-0001' }).expect(201);
      // The same answer; only the audit leaves may have been integrated meanwhile (same events, indexes now known).
      const { audit: firstAudit, ...firstRest } = first.body as { audit: { leaves: { eventId: string }[] } };
      const { audit: secondAudit, ...secondRest } = second.body as { audit: { leaves: { eventId: string }[] } };
      expect(secondRest).toEqual(firstRest);
      expect(secondAudit.leaves.map((leaf) => leaf.eventId)).toEqual(firstAudit.leaves.map((leaf) => leaf.eventId));
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.headers.location).toBe(first.headers.location);
      const third = await as('operator').post('/meetings', body).expect(201);
      expect(third.body.meetingId).not.toBe(first.body.meetingId);
    });

    it('the same key with another body is refused: 422 IDEMPOTENCY_KEY_REUSED', async () => {
      await as('operator').post('/meetings', body, { 'Idempotency-Key': 'retry-key-0002' }).expect(201);
      const other = await as('operator').post(
        '/meetings',
        { ...body, venue: 'Masjid' },
        { 'Idempotency-Key': 'retry-key-0002' },
      );
      expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    });

    it('concurrent retries with one key create one meeting', async () => {
      const answers = await Promise.all(
        [1, 2, 3].map(() => as('operator').post('/meetings', body, { 'Idempotency-Key': 'retry-key-0003' })),
      );
      const created = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.meetingId as string));
      expect(created.size).toBe(1);
      expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    });

    it('a retry after a crash that lost the first answer finds what the first attempt created', async () => {
      const first = await as('operator').post('/meetings', body, { 'Idempotency-Key': 'retry-key-0005' }).expect(201);
      // As if the process died between the append and recording the answer, a while ago.
      await t.db.query(
        "UPDATE idempotency_keys SET response = NULL, started_at = now() - interval '1 hour' WHERE route = 'POST /meetings'",
      );
      const retry = await as('operator').post('/meetings', body, { 'Idempotency-Key': 'retry-key-0005' }).expect(201);
      expect(retry.body).toMatchObject({ meetingId: first.body.meetingId, revision: 0 });
      expect(retry.headers['idempotent-replayed']).toBe('true');
    });

    it('a refused request frees its key for a corrected retry', async () => {
      const refused = await as('operator').post(
        '/meetings',
        { ...body, scheduledAt: '2026-02-30T09:00:00+07:00' },
        { 'Idempotency-Key': 'retry-key-0004' },
      );
      expect(refused.status).toBeGreaterThanOrEqual(400);
      await as('operator').post('/meetings', body, { 'Idempotency-Key': 'retry-key-0004' }).expect(201);
    });
  });
});
