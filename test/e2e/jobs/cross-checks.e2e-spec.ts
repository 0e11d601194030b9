/**
 * The acceptance story of the reference lists (issue 6): a civil servant on the registry and a deceased person's
 * pending ADD. After a national administrator imports the BKN and Dukcapil death lists over HTTP, the worker's matching
 * flags the ADD (DECEASED_MATCH) and opens a CROSS_CHECK removal of the civil servant's household, which waits for
 * the village's next meeting. A regency verifier or a province administrator may not import; the same file twice is 409.
 */
import request from 'supertest';
import { crossCheckProposalId } from '@muskel/reference-lists';
import {
  bearer,
  eventually,
  expectProblem,
  openSession,
  seedUser,
  startApp,
  type TestApp,
} from '../support/access-app';
import { JOBS_VILLAGE, enrolHousehold, operatorToken, proposalView, submitAdd } from '../support/jobs-fixtures';

const CIVIL_SERVANT = '3515140508680021';
const DECEASED = '3515144508680022';

async function tokenOf(app: TestApp, role: 'ADMIN' | 'VERIFIER', scope: string): Promise<string> {
  const { userId } = await seedUser(app, { homeRegion: scope, grants: [{ role, scope }] });
  return (await openSession(app, userId)).accessToken;
}

function importList(app: TestApp, token: string, source: string, body: string) {
  return request(app.server)
    .post(`/reference-lists/imports?source=${source}&fileName=${source.toLowerCase()}.csv`)
    .set('Authorization', bearer(token))
    .set('Content-Type', 'text/csv')
    .send(body);
}

describe('cross-agency checks (reference lists, BullMQ)', () => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('flags the deceased ADD and opens a CROSS_CHECK removal of the civil servant household', async () => {
    t = await startApp({ logLevel: 'warn' });
    const app = t;
    const operator = await operatorToken(app);
    const householdId = await enrolHousehold(app, CIVIL_SERVANT);
    await eventually(async () => {
      const [row] = await app.db.query<{ n: string }>('SELECT count(*)::text AS n FROM registry_households');
      return row?.n === '1' ? true : undefined;
    }, 20_000);
    const addId = await submitAdd(app, operator, DECEASED);
    // The ADD's own identity check is recorded (the dispatcher closed its expectation) before the lists arrive, so
    // the flag below comes from the lists' matching job.
    await eventually(async () => {
      const rows = await app.db.query(
        `SELECT 1 FROM job_expectations WHERE queue = 'identity-checks' AND subject = $1 AND outcome = 'DONE'`,
        [addId],
      );
      return rows.length > 0 ? true : undefined;
    }, 45_000);

    const national = await tokenOf(app, 'ADMIN', 'NATIONAL');
    const province = await tokenOf(app, 'ADMIN', '35');
    const regency = await tokenOf(app, 'VERIFIER', '3515');
    const bkn = `nik,nip,nama\n${CIVIL_SERVANT},198001012005011001,Pegawai\n`;
    expect((await importList(app, regency, 'BKN', bkn)).status).toBe(403);
    expectProblem(await importList(app, province, 'BKN', bkn), 403, 'OUTSIDE_SCOPE');
    const report = await importList(app, national, 'BKN', bkn).expect(201);
    expect(report.body).toMatchObject({ source: 'BKN', rows: 1, accepted: 1, rejected: 0, errors: [] });
    expect((report.body as { matchingJobId: string }).matchingJobId).toMatch(/^reference-matching-[0-9a-f-]{36}$/);
    expect(JSON.stringify(report.body)).not.toContain(CIVIL_SERVANT);
    expectProblem(await importList(app, national, 'BKN', bkn), 409, 'DUPLICATE_IMPORT');
    await importList(
      app,
      national,
      'DUKCAPIL_DEATHS',
      `nik,certificate_number\n${DECEASED},AKTA-3515-2026-0001\n`,
    ).expect(201);

    const flagged = await eventually(async () => {
      const proposal = await proposalView(app, operator, addId);
      return proposal.openFlags.some((flag) => flag.code === 'DECEASED_MATCH') ? proposal : undefined;
    }, 45_000);
    expect(flagged.openFlags).toContainEqual({
      code: 'DECEASED_MATCH',
      severity: 'BLOCKING',
      source: 'DUKCAPIL_DEATHS',
      evidence: 'anggota 1: DUKCAPIL_DEATHS AKTA-3515-2026-0001',
    });

    const removalId = crossCheckProposalId('BKN', householdId);
    const removal = await eventually(async () => {
      const response = await request(app.server).get(`/proposals/${removalId}`).set('Authorization', bearer(operator));
      return response.status === 200 ? (response.body as Record<string, unknown>) : undefined;
    }, 45_000);
    // The matching job, followed through GET /jobs/:id: done, with its counts and its last progress (numbers only).
    const job = await eventually(async () => {
      const response = await request(app.server)
        .get(`/jobs/${(report.body as { matchingJobId: string }).matchingJobId}`)
        .set('Authorization', bearer(national));
      const body = response.body as { state?: string };
      return response.status === 200 && body.state === 'completed'
        ? (response.body as Record<string, unknown>)
        : undefined;
    }, 45_000);
    expect(job).toMatchObject({
      queue: 'reference-matching',
      progress: { phase: 3, done: 1, total: 1 },
      result: { outcome: 'MATCHED', registryMatches: 1, removalProposalsOpened: 1 },
    });
    // Waiting for deliberation: the village's next meeting takes it on its agenda.
    expect(removal).toMatchObject({
      kind: 'REMOVE',
      channel: 'CROSS_CHECK',
      status: 'WAITING',
      villageCode: JOBS_VILLAGE,
    });
    // The village's next meeting: the secretary schedules it and puts the removal on its agenda.
    const meeting = await request(app.server)
      .post('/meetings')
      .set('Authorization', bearer(operator))
      .send({
        villageCode: JOBS_VILLAGE,
        kind: 'MUSDES',
        scheduledAt: '2026-12-03T09:00:00+07:00',
        venue: 'Balai Desa',
        chair: 'Kepala Desa',
      })
      .expect(201);
    const meetingId = (meeting.body as { meetingId: string }).meetingId;
    await request(app.server)
      .post(`/meetings/${meetingId}/agenda`)
      .set('Authorization', bearer(operator))
      .send({ proposalId: removalId })
      .expect(201);
    const tabled = await eventually(async () => {
      const response = await request(app.server).get(`/proposals/${removalId}`).set('Authorization', bearer(operator));
      const body = response.body as { status?: string };
      return body.status === 'TABLED' ? body : undefined;
    }, 45_000);
    expect(tabled).toMatchObject({ status: 'TABLED', channel: 'CROSS_CHECK' });
  });
});
