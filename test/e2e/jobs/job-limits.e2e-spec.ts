/**
 * JOBS_CONCURRENCY and JOBS_RATE_LIMIT_PER_SECOND reach every queue as BullMQ global limits (kept in Redis, so they
 * hold across all worker processes), set by the worker once Redis answers.
 */
import { BullJobSink, QUEUES } from '@muskel/jobs';
import { eventually, startApp, type TestApp } from '../support/access-app';

describe('job limits from the configuration', () => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('sets the global concurrency and rate limit of every queue', async () => {
    t = await startApp({ logLevel: 'warn', env: { JOBS_CONCURRENCY: '3', JOBS_RATE_LIMIT_PER_SECOND: '7' } });
    const sink = t.app.get(BullJobSink);
    for (const name of Object.values(QUEUES)) {
      const queue = sink.queue(name);
      const limits = await eventually(async () => {
        const [concurrency, rate] = await Promise.all([queue.getGlobalConcurrency(), queue.getGlobalRateLimit()]);
        return concurrency !== null && rate !== null ? { concurrency, rate } : undefined;
      }, 30_000);
      expect({ name, ...limits }).toEqual({ name, concurrency: 3, rate: { max: 7, duration: 1000 } });
    }
  });

  it('without a rate limit configured, no queue has one', async () => {
    t = await startApp({ logLevel: 'warn', env: { JOBS_CONCURRENCY: '2' } });
    const sink = t.app.get(BullJobSink);
    for (const name of Object.values(QUEUES)) {
      const queue = sink.queue(name);
      await eventually(async () => ((await queue.getGlobalConcurrency()) === 2 ? true : undefined), 30_000);
      expect(await queue.getGlobalRateLimit()).toBeNull();
    }
  });
});
