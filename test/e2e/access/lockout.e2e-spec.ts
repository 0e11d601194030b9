/**
 * Guessing passwords: failures are counted per username (known or not), with a back-off after 5 failures and a
 * lockout after 9, during which attempts are refused without checking the password; and, separately, a limit of
 * 20 sign-in attempts a minute per client address. Each scenario talks from its own loopback address
 * (127.0.0.0/8), so the per-address limit of one does not interfere with another.
 */
import request from 'supertest';
import { AuthRepository, DEFAULT_LOGIN_POLICY } from '@muskel/auth';
import { expectProblem, fromAddress, seedUser, sleep, startApp, type TestApp } from '../support/access-app';

const PASSWORD = 'jembatan suramadu malam hari';
const WRONG = 'bukan kata sandi yang benar';
const LOCKOUT_MS = 1500;

describe('per-username back-off and lockout (backoffAfter 5, lockAfter 9, lockout 1.5 s)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({
      auth: { loginPolicy: { backoffAfter: 5, backoffBaseMs: 1, lockAfter: 9, lockoutMs: LOCKOUT_MS } },
    });
    for (const username of ['eko.verifier', 'fajar.verifier']) {
      await seedUser(t, {
        username,
        homeRegion: '3515',
        grants: [{ role: 'VERIFIER', scope: '3515' }],
        password: PASSWORD,
      });
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  const attempt = (agent: ReturnType<typeof fromAddress>, username: string, password: string) =>
    request(t.server).post('/auth/login').agent(agent).send({ username, password });
  const throttleOf = (username: string) => t.app.get(AuthRepository).throttleOf(username);

  /**
   * `count` wrong passwords in a row, each answered 401 INVALID_CREDENTIALS; an attempt that falls inside a
   * back-off (429 LOGIN_LOCKED, not counted) is repeated after the wait, as a patient guesser would.
   */
  async function failRepeatedly(agent: ReturnType<typeof fromAddress>, username: string, count: number) {
    const answers: request.Response[] = [];
    let backedOff = 0;
    while (answers.length < count) {
      const response = await attempt(agent, username, WRONG);
      if (response.status === 429) {
        expectProblem(response, 429, 'LOGIN_LOCKED');
        backedOff++;
        await sleep(20);
        continue;
      }
      expectProblem(response, 401, 'INVALID_CREDENTIALS');
      answers.push(response);
    }
    expect(backedOff).toBeLessThan(5);
    return answers;
  }

  const withoutRequestId = (response: request.Response) => {
    const { requestId: _requestId, ...rest } = response.body as Record<string, unknown>;
    return rest;
  };

  let lockedAnswer: request.Response;
  let firstFailure: request.Response;

  it('9 wrong passwords lock the username: the 10th attempt, with the right password, gets 429 LOGIN_LOCKED', async () => {
    const agent = fromAddress('127.0.0.21');
    const failures = await failRepeatedly(agent, 'eko.verifier', 9);
    firstFailure = failures[0]!;
    expect(await throttleOf('eko.verifier')).toEqual({
      failures: 9,
      lockedForMs: expect.any(Number) as number,
    });

    // The right password is refused: it was not even checked.
    lockedAnswer = await attempt(agent, 'eko.verifier', PASSWORD);
    const body = expectProblem(lockedAnswer, 429, 'LOGIN_LOCKED');
    const retryAfter = Number(lockedAnswer.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(LOCKOUT_MS / 1000));
    expect(body.detail).toBe(`Too many failed sign-ins for this username; try again in ${retryAfter} seconds.`);
    expect(lockedAnswer.text).not.toMatch(/accessToken|refreshToken/);

    // Attempts while locked are not counted (the lock does not grow) and do not reach the password check.
    expectProblem(await attempt(agent, 'eko.verifier', WRONG), 429, 'LOGIN_LOCKED');
    expect((await throttleOf('eko.verifier')).failures).toBe(9);

    // Another username is not affected.
    await attempt(agent, 'fajar.verifier', PASSWORD).expect(200);
  });

  it('after the lockout the right password works and resets the count', async () => {
    const agent = fromAddress('127.0.0.22');
    await sleep((await throttleOf('eko.verifier')).lockedForMs + 50);
    const signedIn = await attempt(agent, 'eko.verifier', PASSWORD).expect(200);
    expect(signedIn.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
    expect(await throttleOf('eko.verifier')).toEqual({ failures: 0, lockedForMs: 0 });

    // Counting starts again from zero: a wrong password is a plain 401, and the right one still works.
    expectProblem(await attempt(agent, 'eko.verifier', WRONG), 401, 'INVALID_CREDENTIALS');
    expect((await throttleOf('eko.verifier')).failures).toBe(1);
    await attempt(agent, 'eko.verifier', PASSWORD).expect(200);
  });

  it('an unknown username locks the same way, so a lockout reveals nothing about who has an account', async () => {
    const agent = fromAddress('127.0.0.23');
    const failures = await failRepeatedly(agent, 'hantu.tidak.ada', 9);
    expect(withoutRequestId(failures[0]!)).toEqual(withoutRequestId(firstFailure));

    const locked = await attempt(agent, 'hantu.tidak.ada', PASSWORD);
    expectProblem(locked, 429, 'LOGIN_LOCKED');
    expect(locked.headers['retry-after']).toEqual(expect.stringMatching(/^[12]$/));
    // The same answer as for the real user (the seconds left aside).
    const shape = (response: request.Response) => ({
      ...withoutRequestId(response),
      detail: (response.body as { detail: string }).detail.replace(/\d+ seconds/, 'N seconds'),
    });
    expect(shape(locked)).toEqual(shape(lockedAnswer));
  });
});

describe('per-address limit on POST /auth/login (20 a minute)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
    await seedUser(t, {
      username: 'gita.verifier',
      homeRegion: '3515',
      grants: [{ role: 'VERIFIER', scope: '3515' }],
      password: PASSWORD,
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the 21st attempt within a minute from one address gets 429 TOO_MANY_REQUESTS, even with the right password', async () => {
    const agent = fromAddress('127.0.0.31');
    // Twenty different usernames: no per-username back-off gets in the way.
    const twenty = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(t.server)
          .post('/auth/login')
          .agent(agent)
          .send({ username: `tamu.${i}`, password: WRONG }),
      ),
    );
    for (const response of twenty) expectProblem(response, 401, 'INVALID_CREDENTIALS');

    const refused = await request(t.server)
      .post('/auth/login')
      .agent(agent)
      .send({ username: 'gita.verifier', password: PASSWORD });
    const body = expectProblem(refused, 429, 'TOO_MANY_REQUESTS');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(body.detail).toBe('Too many requests; try again later.');

    // Another address is still served; the user's own count was never touched.
    await request(t.server)
      .post('/auth/login')
      .agent(fromAddress('127.0.0.32'))
      .send({ username: 'gita.verifier', password: PASSWORD })
      .expect(200);
    expect(await t.app.get(AuthRepository).throttleOf('gita.verifier')).toEqual({ failures: 0, lockedForMs: 0 });
  });
});

describe('parallel guesses cannot slip past the lockout (default thresholds)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The default thresholds with a back-off longer than the test: on a loaded machine the nineteen requests can
    // take more than the default first wait (1 s) to arrive, and a late one would then rightly be checked.
    t = await startApp({ auth: { loginPolicy: { ...DEFAULT_LOGIN_POLICY, backoffBaseMs: 10 * 60_000 } } });
    await seedUser(t, {
      username: 'hana.verifier',
      homeRegion: '3515',
      grants: [{ role: 'VERIFIER', scope: '3515' }],
      password: PASSWORD,
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('checks at most five of nineteen simultaneous attempts; the rest are refused unchecked', async () => {
    const agent = fromAddress('127.0.0.77');
    // 18 wrong passwords and the right one, all at once: each attempt is counted before its password is checked,
    // so once five are counted the back-off refuses the others without checking, the right one included.
    const passwords = [...Array.from({ length: 18 }, () => WRONG), PASSWORD];
    const responses = await Promise.all(
      passwords.map((password) =>
        request(t.server).post('/auth/login').agent(agent).send({ username: 'hana.verifier', password }),
      ),
    );
    const checked = responses.filter((r) => r.status === 401 || r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(checked.length + refused.length).toBe(19);
    for (const r of refused) expectProblem(r, 429, 'LOGIN_LOCKED');
  });
});
