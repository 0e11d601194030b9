/**
 * JOBS_CONCURRENCY and JOBS_RATE_LIMIT_PER_SECOND reach every work queue as BullMQ global limits (kept in Redis, so
 * they hold across all worker processes), set by the worker once Redis answers.
 */
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { LIMITED_QUEUES } from '../../../apps/api/src/jobs/jobs.module';
import { eventually, startApp, type TestApp } from '../support/access-app';

describe('job limits from the configuration', () => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const queueOf = (app: TestApp, name: string) => app.app.get<Queue>(getQueueToken(name), { strict: false });

  it('sets the global concurrency and rate limit of every work queue', async () => {
    t = await startApp({ logLevel: 'warn', env: { JOBS_CONCURRENCY: '3', JOBS_RATE_LIMIT_PER_SECOND: '7' } });
    expect(LIMITED_QUEUES).toEqual(['identity-checks', 'reference-matching', 'siks-exports', 'pusdatin-results']);
    for (const name of LIMITED_QUEUES) {
      const queue = queueOf(t, name);
      const limits = await eventually(async () => {
        const [concurrency, rate] = await Promise.all([queue.getGlobalConcurrency(), queue.getGlobalRateLimit()]);
        return concurrency !== null && rate !== null ? { concurrency, rate } : undefined;
      }, 30_000);
      expect({ name, ...limits }).toEqual({ name, concurrency: 3, rate: { max: 7, duration: 1000 } });
    }
  });

  it('without a rate limit configured, no work queue has one', async () => {
    t = await startApp({ logLevel: 'warn', env: { JOBS_CONCURRENCY: '2' } });
    for (const name of LIMITED_QUEUES) {
      const queue = queueOf(t, name);
      await eventually(async () => ((await queue.getGlobalConcurrency()) === 2 ? true : undefined), 30_000);
      expect({ name, rate: await queue.getGlobalRateLimit() }).toEqual({ name, rate: null });
    }
  });
});
