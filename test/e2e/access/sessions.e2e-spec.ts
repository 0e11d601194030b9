/**
 * Sessions and tokens through the whole application: sign-in, sign-out, refresh-token rotation and reuse
 * detection, disabling users, revoking grants, API tokens, bad and expired tokens, and the answers that must not
 * reveal whether a user exists.
 */
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import {
  bearer,
  bootstrapAdmin,
  expectProblem,
  seedUser,
  signIn,
  sleep,
  startApp,
  type SeededUser,
  type TestApp,
} from '../support/access-app';

const ADMIN_PASSWORD = 'kopi tubruk di pagi hari';
const PASSWORD = 'sawah hijau di lereng merapi';
const VILLAGE = '3515142001';

interface Tokens {
  userId: string;
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

describe('sessions and tokens', () => {
  let t: TestApp;
  let adminToken: string;
  /** A village operator, signed in and out throughout. */
  let ani: SeededUser;
  let server: () => TestApp['server'];

  const login = async (username: string, password: string): Promise<Tokens> =>
    (await request(server()).post('/auth/login').send({ username, password }).expect(200)).body as Tokens;
  const me = (token: string) => request(server()).get('/me').set('Authorization', bearer(token));
  const asAdmin = (method: 'get' | 'post', path: string) =>
    request(server())[method](path).set('Authorization', bearer(adminToken));

  beforeAll(async () => {
    t = await startApp();
    server = () => t.server;
    await bootstrapAdmin(t, { username: 'admin', password: ADMIN_PASSWORD });
    adminToken = (await signIn(t, 'admin', ADMIN_PASSWORD)).accessToken;
    ani = await seedUser(t, {
      username: 'ani.operator',
      homeRegion: VILLAGE,
      grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
      password: PASSWORD,
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('signing in returns a bearer token that GET /me accepts', async () => {
    const tokens = await login('ani.operator', PASSWORD);
    expect(tokens).toEqual({
      userId: ani.userId,
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.any(String),
    });
    const response = await me(tokens.accessToken).expect(200);
    expect(response.body).toMatchObject({
      userId: ani.userId,
      username: 'ani.operator',
      homeRegion: VILLAGE,
      grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
      via: 'SESSION',
    });
  });

  it('signing out ends the session at once: the same access token gets 401, the refresh token too', async () => {
    const tokens = await login('ani.operator', PASSWORD);
    await me(tokens.accessToken).expect(200);
    await request(server()).post('/auth/logout').set('Authorization', bearer(tokens.accessToken)).expect(204);
    expectProblem(await me(tokens.accessToken), 401, 'SESSION_ENDED');
    expectProblem(
      await request(server()).post('/auth/refresh').send({ refreshToken: tokens.refreshToken }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
  });

  it('refresh rotates; presenting the old refresh token again revokes the whole session', async () => {
    const first = await login('ani.operator', PASSWORD);
    const refreshed = (
      await request(server()).post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)
    ).body as Tokens;
    expect(refreshed.refreshToken).not.toBe(first.refreshToken);
    await me(refreshed.accessToken).expect(200);

    // The old one is refused, and its reuse means it was copied: the session ends for the new tokens as well.
    expectProblem(
      await request(server()).post('/auth/refresh').send({ refreshToken: first.refreshToken }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
    expectProblem(await me(refreshed.accessToken), 401, 'SESSION_ENDED');
    expectProblem(
      await request(server()).post('/auth/refresh').send({ refreshToken: refreshed.refreshToken }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
  });

  it('disabling a user refuses their existing token on the very next request, and their sign-in', async () => {
    const citra = await seedUser(t, {
      username: 'citra.operator',
      homeRegion: VILLAGE,
      grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
      password: PASSWORD,
    });
    const tokens = await login('citra.operator', PASSWORD);
    await me(tokens.accessToken).expect(200);

    await asAdmin('post', `/users/${citra.userId}/disable`).send({ reason: 'left office' }).expect(200);
    expectProblem(await me(tokens.accessToken), 401, 'SESSION_ENDED');
    const refused = expectProblem(
      await request(server()).post('/auth/login').send({ username: 'citra.operator', password: PASSWORD }),
      401,
      'INVALID_CREDENTIALS',
    );
    expect(refused.detail).toBe('The username or password is wrong.');
    expectProblem(
      await request(server()).post('/auth/refresh').send({ refreshToken: tokens.refreshToken }),
      401,
      'REFRESH_TOKEN_INVALID',
    );

    // Enabled again, the user signs in afresh (the old session stays ended).
    await asAdmin('post', `/users/${citra.userId}/enable`).expect(200);
    expectProblem(await me(tokens.accessToken), 401, 'SESSION_ENDED');
    await me((await login('citra.operator', PASSWORD)).accessToken).expect(200);
  });

  it('revoking a grant refuses the next request that needs it (403), while the user stays signed in', async () => {
    const budi = await seedUser(t, {
      username: 'budi.auditor',
      homeRegion: '3515',
      grants: [{ role: 'AUDITOR', scope: '3515' }],
      password: PASSWORD,
    });
    const { accessToken } = await signIn(t, 'budi.auditor', PASSWORD);
    await request(server()).get(`/users/${ani.userId}`).set('Authorization', bearer(accessToken)).expect(200);

    await asAdmin('post', `/users/${budi.userId}/grants/${budi.grantIds[0]}/revoke`)
      .send({ reason: 'audit finished' })
      .expect(200);
    const refused = expectProblem(
      await request(server()).get(`/users/${ani.userId}`).set('Authorization', bearer(accessToken)),
      403,
      'MISSING_PERMISSION',
    );
    expect(refused.detail).toBe('This action needs the role ADMIN or AUDITOR.');
    await me(accessToken).expect(200);
  });

  it('a valid token without the grant gets 403 naming the missing role, and none of the data', async () => {
    const { accessToken } = await signIn(t, 'ani.operator', PASSWORD);
    const target = await seedUser(t, { username: 'rahasia.target', homeRegion: VILLAGE });
    const read = await request(server()).get(`/users/${target.userId}`).set('Authorization', bearer(accessToken));
    expect(expectProblem(read, 403, 'MISSING_PERMISSION').detail).toBe('This action needs the role ADMIN or AUDITOR.');
    const write = await request(server())
      .post(`/users/${target.userId}/disable`)
      .set('Authorization', bearer(accessToken))
      .send({ reason: 'no' });
    expect(expectProblem(write, 403, 'MISSING_PERMISSION').detail).toBe('This action needs the role ADMIN.');
    for (const response of [read, write]) {
      // Neither the user's name nor their region (the path's own id is all the problem's `instance` repeats).
      expect(response.text).not.toContain('rahasia.target');
      expect(response.text).not.toContain('Fixture');
      expect(response.text).not.toContain(VILLAGE);
    }
  });

  it('API token: shown once at creation, works as a bearer token, listed without its secret, revoked at once', async () => {
    // A name with control characters is refused plainly (it once reached PostgreSQL, which refuses NUL: a 500).
    expectProblem(
      await asAdmin('post', `/users/${ani.userId}/api-tokens`).send({ name: 'sync\u0000\u001f' }),
      400,
      'VALIDATION_FAILED',
    );
    const created = await asAdmin('post', `/users/${ani.userId}/api-tokens`).send({ name: 'siks-ng-sync' }).expect(201);
    const { tokenId, token } = created.body as { tokenId: string; token: string };
    expect(token).toMatch(/^mkt_[0-9a-f]{32}_[\w-]{43}$/);
    expect(token.slice(4, 36)).toBe(tokenId.replace(/-/g, ''));
    const secret = token.slice(37);

    const viaToken = await me(token).expect(200);
    expect(viaToken.body).toMatchObject({ userId: ani.userId, username: 'ani.operator', via: 'API_TOKEN' });

    const listed = await asAdmin('get', `/users/${ani.userId}/api-tokens`).expect(200);
    expect(listed.body).toEqual([
      {
        tokenId,
        userId: ani.userId,
        name: 'siks-ng-sync',
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        revokedAt: null,
      },
    ]);
    expect(listed.text).not.toContain(secret);
    // Only a hash is kept: the token cannot be shown again.
    const [row] = await t.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM auth_api_tokens WHERE token_id = $1',
      [tokenId],
    );
    expect(row!.token_hash).not.toContain(secret);

    // A token with the right id and a wrong secret is nobody.
    const forged = `${token.slice(0, 37)}${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    expectProblem(await me(forged), 401, 'TOKEN_INVALID');

    await asAdmin('post', `/users/${ani.userId}/api-tokens/${tokenId}/revoke`).expect(204);
    expectProblem(await me(token), 401, 'TOKEN_INVALID');
    const [revoked] = (await asAdmin('get', `/users/${ani.userId}/api-tokens`).expect(200)).body as {
      revokedAt: string | null;
    }[];
    expect(revoked!.revokedAt).toEqual(expect.any(String));
  });

  describe('tokens that are not valid', () => {
    let valid: Tokens;
    beforeAll(async () => {
      valid = await signIn(t, 'ani.operator', PASSWORD);
    });

    /** The same token with the first character of its signature changed. */
    const tamperSignature = (jwt: string): string => {
      const [header, payload, signature] = jwt.split('.') as [string, string, string];
      return `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    };
    const claimsOf = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sub: string; sid: string };

    const cases: { name: string; header: () => string; code: string }[] = [
      { name: 'not a JWT at all', header: () => 'Bearer not-a-token', code: 'TOKEN_INVALID' },
      {
        name: 'another scheme',
        header: () => `Basic ${Buffer.from('ani.operator:x').toString('base64')}`,
        code: 'TOKEN_INVALID',
      },
      { name: 'two words after Bearer', header: () => `Bearer ${valid.accessToken} extra`, code: 'TOKEN_INVALID' },
      { name: 'a tampered signature', header: () => bearer(tamperSignature(valid.accessToken)), code: 'TOKEN_INVALID' },
      {
        name: 'a tampered payload (another user id) with the original signature',
        header: () => {
          const [header, , signature] = valid.accessToken.split('.');
          const claims = { ...claimsOf(valid.accessToken), sub: '00000000-0000-4000-8000-000000000000' };
          return bearer(`${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`);
        },
        code: 'TOKEN_INVALID',
      },
      {
        name: 'a token signed with another secret',
        header: () => {
          const { sub, sid } = claimsOf(valid.accessToken);
          const other = new JwtService({ secret: 'not-the-service-secret-but-long-enough-1234567890' });
          return bearer(other.sign({ sid, typ: 'access' }, { subject: sub, issuer: 'muskel', expiresIn: 900 }));
        },
        code: 'TOKEN_INVALID',
      },
      {
        name: 'an unsigned token (alg none)',
        header: () => {
          const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
          const now = Math.floor(Date.now() / 1000);
          const payload = { ...claimsOf(valid.accessToken), typ: 'access', iss: 'muskel', iat: now, exp: now + 900 };
          return bearer(`${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`);
        },
        code: 'TOKEN_INVALID',
      },
      {
        name: 'a refresh token used as a bearer token',
        header: () => bearer(valid.refreshToken),
        code: 'TOKEN_INVALID',
      },
      { name: 'an empty Authorization header', header: () => '', code: 'AUTHENTICATION_REQUIRED' },
    ];

    it.each(cases)('$name: 401 $code', async ({ header, code }) => {
      const response = await request(server()).get('/me').set('Authorization', header());
      const body = expectProblem(response, 401, code);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.stringify(body)).not.toContain('ani.operator');
      // The genuine token still works: nothing above harmed the session.
      await me(valid.accessToken).expect(200);
    });
  });

  it('an unknown user and a wrong password get identical answers (but for the request id)', async () => {
    const unknown = await request(server())
      .post('/auth/login')
      .send({ username: 'tidak.ada', password: 'sembarang kata sandi' });
    const wrong = await request(server())
      .post('/auth/login')
      .send({ username: 'ani.operator', password: 'sembarang kata sandi' });
    const bodies = [unknown, wrong].map((response) => {
      const { requestId, ...rest } = expectProblem(response, 401, 'INVALID_CREDENTIALS');
      expect(requestId).toBe(response.headers['x-request-id']);
      return rest;
    });
    expect(bodies[0]).toEqual(bodies[1]);
    expect(unknown.headers['www-authenticate']).toBe(wrong.headers['www-authenticate']);
    expect(unknown.headers['retry-after']).toBe(wrong.headers['retry-after']);
  });

  it('changing one own password keeps this session, ends the others, and replaces the old password', async () => {
    const newPassword = 'angin laut pantai selatan';
    const here = await signIn(t, 'ani.operator', PASSWORD);
    const elsewhere = await signIn(t, 'ani.operator', PASSWORD);
    expectProblem(
      await request(server())
        .post('/me/password')
        .set('Authorization', bearer(here.accessToken))
        .send({ currentPassword: 'not the password', newPassword }),
      403,
      'CURRENT_PASSWORD_WRONG',
    );
    await request(server())
      .post('/me/password')
      .set('Authorization', bearer(here.accessToken))
      .send({ currentPassword: PASSWORD, newPassword })
      .expect(204);
    await me(here.accessToken).expect(200);
    expectProblem(await me(elsewhere.accessToken), 401, 'SESSION_ENDED');
    expectProblem(
      await request(server()).post('/auth/login').send({ username: 'ani.operator', password: PASSWORD }),
      401,
      'INVALID_CREDENTIALS',
    );
    await login('ani.operator', newPassword);

    // An administrator's reset ends every session of the user.
    await asAdmin('post', `/users/${ani.userId}/password`).send({ password: PASSWORD }).expect(200);
    expectProblem(await me(here.accessToken), 401, 'SESSION_ENDED');
    await login('ani.operator', PASSWORD);
  });

  describe('weak passwords are refused with 422 WEAK_PASSWORD', () => {
    it.each([
      ['too short', 'pendek1!', 'TOO_SHORT'],
      ['common', 'password123', 'TOO_COMMON'],
      ['common in Indonesia', 'Bismillah2026', 'TOO_COMMON'],
      ['containing the username', 'dewi.operator-sukamaju', 'CONTAINS_USERNAME'],
    ])('%s, when an administrator creates a user', async (_name, password, problem) => {
      const response = await asAdmin('post', '/users').send({
        username: 'dewi.operator',
        displayName: 'Dewi',
        homeRegion: VILLAGE,
        password,
        grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
      });
      const body = expectProblem(response, 422, 'WEAK_PASSWORD');
      expect(body.errors).toEqual([{ field: 'password', code: problem, message: expect.any(String) }]);
      expect(response.text).not.toContain(password);
    });

    it('when a user changes their own, or an administrator resets it', async () => {
      const { accessToken } = await signIn(t, 'ani.operator', PASSWORD);
      const own = await request(server())
        .post('/me/password')
        .set('Authorization', bearer(accessToken))
        .send({ currentPassword: PASSWORD, newPassword: 'ani.operator.baru' });
      expect(expectProblem(own, 422, 'WEAK_PASSWORD').errors).toEqual([
        { field: 'password', code: 'CONTAINS_USERNAME', message: expect.any(String) },
      ]);
      const reset = await asAdmin('post', `/users/${ani.userId}/password`).send({ password: 'qwertyuiop' });
      expect(expectProblem(reset, 422, 'WEAK_PASSWORD').errors).toEqual([
        { field: 'password', code: 'TOO_COMMON', message: expect.any(String) },
      ]);
      // Nothing changed: the password still works.
      await signIn(t, 'ani.operator', PASSWORD);
    });
  });
});

describe('access token expiry (accessTokenTtlSeconds: 2)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // JWT expiry counts whole seconds: a 2 s token is good for at least 1 s, enough to use it once on a busy machine.
    t = await startApp({ auth: { accessTokenTtlSeconds: 2 } });
    await bootstrapAdmin(t, { username: 'admin', password: ADMIN_PASSWORD });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('an expired access token gets 401 TOKEN_EXPIRED; the refresh token still gets a new one', async () => {
    const tokens = (
      await request(t.server).post('/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD }).expect(200)
    ).body as Tokens;
    expect(tokens.expiresIn).toBe(2);
    await sleep(3100);
    const expired = await request(t.server).get('/me').set('Authorization', bearer(tokens.accessToken));
    expect(expectProblem(expired, 401, 'TOKEN_EXPIRED').detail).toBe(
      'The access token has expired; get a new one at POST /auth/refresh.',
    );
    expect(expired.headers['www-authenticate']).toBe('Bearer');
    const renewed = (
      await request(t.server).post('/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(200)
    ).body as Tokens;
    await request(t.server).get('/me').set('Authorization', bearer(renewed.accessToken)).expect(200);
  });
});
