/**
 * GET /jobs/:id: a job's state, progress, result and failure, found from its id alone (the queue is its prefix);
 * 404 for an unknown id; who may ask; an `api`-role process (no worker) still answers; 503 while Redis is down.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { QUEUES, jobIdFor } from '@muskel/jobs';
import { JobClient } from '../../../apps/api/src/jobs/job-status/job-client';
import {
  bearer,
  eventually,
  expectProblem,
  openSession,
  seedUser,
  startApp,
  type TestApp,
} from '../support/access-app';
import { freePort } from '../support/jobs-fixtures';
import { isolatedJobsEnv, removeRedisKeys } from '../support/redis-keys';

interface JobView {
  jobId: string;
  queue: string;
  state: string;
  progress: unknown;
  result: unknown;
  attempts: number;
  maxAttempts: number;
  failedReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

async function tokenOf(app: TestApp, role: 'VERIFIER' | 'AUDITOR' | 'VILLAGE_OPERATOR', scope: string) {
  const { userId } = await seedUser(app, { homeRegion: scope, grants: [{ role, scope }] });
  return (await openSession(app, userId)).accessToken;
}

describe('GET /jobs/:id', () => {
  let t: TestApp | undefined;
  let prefix: string | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
    if (prefix) await removeRedisKeys(prefix);
    prefix = undefined;
  });

  it('shows a failed job with its reason and attempts; unknown ids are 404; operators may not ask', async () => {
    t = await startApp({ logLevel: 'warn' });
    const app = t;
    const verifier = await tokenOf(app, 'VERIFIER', '3515');
    // A job that can never succeed: its batch does not exist (the worker fails it without retries).
    const jobId = jobIdFor(QUEUES.siksExports, '3515-209901', '0');
    await app.app
      .get(JobClient)
      .enqueue(QUEUES.siksExports, { batchId: '3515-209901', revision: 0, requestedBy: randomUUID() }, jobId);
    const failed = await eventually(async () => {
      const response = await request(app.server).get(`/jobs/${jobId}`).set('Authorization', bearer(verifier));
      const body = response.body as JobView;
      return response.status === 200 && body.state === 'failed' ? body : undefined;
    }, 60_000);
    expect(failed).toMatchObject({
      jobId,
      queue: 'siks-exports',
      attempts: 1,
      maxAttempts: 6,
      failedReason: 'BATCH_NOT_FOUND: no batch has this id',
      result: null,
      createdAt: expect.any(String),
      finishedAt: expect.any(String),
    });

    const auditor = await tokenOf(app, 'AUDITOR', '3515');
    await request(app.server).get(`/jobs/${jobId}`).set('Authorization', bearer(auditor)).expect(200);
    const operator = await tokenOf(app, 'VILLAGE_OPERATOR', '3515142001');
    expectProblem(
      await request(app.server).get(`/jobs/${jobId}`).set('Authorization', bearer(operator)),
      403,
      'MISSING_PERMISSION',
    );
    expectProblem(await request(app.server).get(`/jobs/${jobId}`), 401, 'AUTHENTICATION_REQUIRED');

    for (const unknown of [
      jobIdFor(QUEUES.siksExports, 'never'),
      'siks-exports-nope',
      'nothing',
      `x-${randomUUID()}`,
    ]) {
      expectProblem(
        await request(app.server).get(`/jobs/${unknown}`).set('Authorization', bearer(verifier)),
        404,
        'NOT_FOUND',
      );
    }
  }, 120_000);

  it('in the api role (no worker) a job waits, and its state and progress show', async () => {
    const env = isolatedJobsEnv();
    prefix = env.JOBS_PREFIX;
    t = await startApp({ logLevel: 'warn', env: { ...env, MUSKEL_ROLE: 'api' } });
    const app = t;
    const verifier = await tokenOf(app, 'VERIFIER', '3515');
    const jobId = jobIdFor(QUEUES.pusdatinResults, '3515-209902', 'sha256:x');
    const client = app.app.get(JobClient);
    await client.enqueue(
      QUEUES.pusdatinResults,
      { batchId: '3515-209902', fileId: randomUUID(), requestedBy: 'u' },
      jobId,
    );
    const found = await client.find(jobId);
    await found!.job.updateProgress({ rows: 10, recorded: 4, total: 8 });
    const view = (await request(app.server).get(`/jobs/${jobId}`).set('Authorization', bearer(verifier)).expect(200))
      .body as JobView;
    expect(view).toMatchObject({
      jobId,
      queue: 'pusdatin-results',
      state: 'waiting',
      progress: { rows: 10, recorded: 4, total: 8 },
      attempts: 0,
      startedAt: null,
      failedReason: null,
    });
  }, 120_000);

  it('answers 503 while Redis is unreachable', async () => {
    const port = await freePort();
    t = await startApp({ logLevel: 'fatal', env: { MUSKEL_ROLE: 'api', REDIS_URL: `redis://127.0.0.1:${port}` } });
    const app = t;
    const verifier = await tokenOf(app, 'VERIFIER', '3515');
    const response = await request(app.server)
      .get(`/jobs/${jobIdFor(QUEUES.siksExports, '3515-209903', '1')}`)
      .set('Authorization', bearer(verifier));
    expectProblem(response, 503, 'JOBS_UNAVAILABLE');
  }, 120_000);
});
