/**
 * The application while Redis is unreachable (its own file: Nest's log capture is per process): the API and the
 * projections keep serving, /health says Redis is down, the log says so once with the URL tried, and the identity
 * check happens by itself once Redis answers (the dispatcher reads again from its checkpoint). The Redis here is
 * this test's own redis-server, started late on a free port; the machine's Redis is untouched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import request from 'supertest';
import { eventually, sleep, startApp, type TestApp } from '../support/access-app';
import { enrolHousehold, freePort, operatorToken, proposalView, submitAdd } from '../support/jobs-fixtures';

describe('Redis unreachable', () => {
  let t: TestApp | undefined;
  let redis: ChildProcess | undefined;

  afterAll(async () => {
    await t?.close();
    if (redis && redis.exitCode === null) {
      const exited = new Promise((resolve) => redis!.once('exit', resolve));
      redis.kill('SIGKILL');
      await exited;
    }
  });

  it('the API serves, /health says so, one log line; the check runs once Redis answers', async () => {
    const port = await freePort();
    t = await startApp({ logLevel: 'info', env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    const app = t;
    const token = await operatorToken(app);
    await enrolHousehold(app, '3515140508680012');
    const id = await submitAdd(app, token, '3515140508680012');
    // The proposals projection keeps up without Redis.
    await eventually(
      async () => ((await proposalView(app, token, id)).status === 'WAITING' ? true : undefined),
      15_000,
    );
    const health = await request(app.server).get('/health').expect(503);
    expect(health.body).toMatchObject({
      error: { redis: { status: 'down', message: 'unreachable' } },
      info: { eventStore: { status: 'up' } },
    });
    await sleep(3000); // many failed reconnections and dispatcher retries meanwhile
    const said = app.logs.lines.filter((line) => line.includes('is unreachable'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`Redis at redis://127.0.0.1:${port}`);

    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const flagged = await eventually(async () => {
      const proposal = await proposalView(app, token, id);
      return proposal.openFlags.length > 0 ? proposal : undefined;
    }, 60_000); // reconnect, enqueue, check, append, project: each waits its turn on a loaded CI
    expect(flagged.openFlags.map((flag) => flag.code)).toEqual(['NIK_IN_REGISTRY']);
    await eventually(
      async () => ((await request(app.server).get('/health')).status === 200 ? true : undefined),
      10_000,
    );
    expect(app.logs.lines.some((line) => line.includes('answers again'))).toBe(true);
  }, 150_000);
});
