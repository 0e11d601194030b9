/**
 * No secret leaks: a scripted day of user administration (bootstrap, users created with passwords, sign-ins,
 * refreshes, wrong passwords, resets, a changed password, an API token used, a few errors) with every log line,
 * every response and every stored event captured, then searched for every password used, every token issued and
 * every hash the service keeps.
 */
import request from 'supertest';
import { bearer, bootstrapAdmin, startApp, type TestApp } from '../support/access-app';

const PASSWORDS = {
  admin: 'kopi tubruk di pagi hari',
  sari: 'sawah hijau di lereng merapi',
  sariNew: 'angin laut pantai selatan',
  tono: 'jembatan suramadu malam hari',
  tonoReset: 'hujan deras di bulan desember',
  wrong: 'tebakan-yang-salah-9137',
  unknownUser: 'tebakan-lain-yang-salah-2288',
  tooLong: 'rahasia-panjang-sekali-'.repeat(12),
  malformed: 'setengah-json-rahasia-5521',
  weakAttempt: 'Bismillah2026',
} as const;

interface Tokens {
  userId: string;
  accessToken: string;
  refreshToken: string;
}

interface Captured {
  label: string;
  text: string;
  headers: string;
}

describe('no secret in logs, responses or events', () => {
  let t: TestApp;
  const responses: Captured[] = [];
  /** Secrets the service issued, with the one response allowed to carry each (the one that issued it). */
  const issued: { secret: string; what: string; issuedIn: number }[] = [];

  /** Sends a request and keeps what came back. */
  async function call(label: string, req: request.Test): Promise<request.Response & { index: number }> {
    const response = await req;
    responses.push({ label, text: response.text ?? '', headers: JSON.stringify(response.headers) });
    return Object.assign(response, { index: responses.length - 1 });
  }

  function keepTokens(label: string, response: request.Response & { index: number }): Tokens {
    const tokens = response.body as Tokens;
    const signature = tokens.accessToken.split('.')[2]!;
    const refreshSecret = tokens.refreshToken.split('.')[1]!;
    issued.push(
      { secret: tokens.accessToken, what: `${label} access token`, issuedIn: response.index },
      { secret: signature, what: `${label} access token signature`, issuedIn: response.index },
      { secret: tokens.refreshToken, what: `${label} refresh token`, issuedIn: response.index },
      { secret: refreshSecret, what: `${label} refresh token secret`, issuedIn: response.index },
    );
    return tokens;
  }

  const post = (path: string) => request(t.server).post(path);
  const get = (path: string) => request(t.server).get(path);

  beforeAll(async () => {
    t = await startApp({ logLevel: 'trace' });

    // Bootstrap, as the CLI does.
    await bootstrapAdmin(t, { username: 'admin', password: PASSWORDS.admin });
    const adminLogin = await call(
      'admin login',
      post('/auth/login').send({ username: 'admin', password: PASSWORDS.admin }).expect(200),
    );
    const admin = keepTokens('admin', adminLogin);
    const asAdmin = (req: request.Test) => req.set('Authorization', bearer(admin.accessToken));

    // Users created with passwords.
    const users: Record<string, string> = {};
    for (const [username, password, grant] of [
      ['sari.operator', PASSWORDS.sari, { role: 'VILLAGE_OPERATOR', scope: '3515142001' }],
      ['tono.verifier', PASSWORDS.tono, { role: 'VERIFIER', scope: '3515' }],
    ] as const) {
      const created = await call(
        `create ${username}`,
        asAdmin(post('/users'))
          .send({ username, displayName: username, homeRegion: grant.scope, password, grants: [grant] })
          .expect(201),
      );
      users[username] = (created.body as { userId: string }).userId;
    }
    // A weak password refused.
    await call(
      'weak password',
      asAdmin(post('/users')).send({
        username: 'lemah.sekali',
        displayName: 'Lemah',
        homeRegion: '3515',
        password: PASSWORDS.weakAttempt,
      }),
    );

    // Sign-ins, a refresh, the old refresh token replayed.
    const sari = keepTokens(
      'sari',
      await call(
        'sari login',
        post('/auth/login').send({ username: 'sari.operator', password: PASSWORDS.sari }).expect(200),
      ),
    );
    const sariRefreshed = keepTokens(
      'sari refreshed',
      await call('sari refresh', post('/auth/refresh').send({ refreshToken: sari.refreshToken }).expect(200)),
    );
    await call('sari refresh replayed', post('/auth/refresh').send({ refreshToken: sari.refreshToken }).expect(401));
    const sariAgain = keepTokens(
      'sari again',
      await call(
        'sari login again',
        post('/auth/login').send({ username: 'sari.operator', password: PASSWORDS.sari }).expect(200),
      ),
    );

    // Wrong passwords, an unknown user, a password too long to be valid, JSON cut off inside a password.
    await call(
      'wrong password',
      post('/auth/login').send({ username: 'sari.operator', password: PASSWORDS.wrong }).expect(401),
    );
    await call(
      'unknown user',
      post('/auth/login').send({ username: 'siapa.ini', password: PASSWORDS.unknownUser }).expect(401),
    );
    await call(
      'too long',
      post('/auth/login').send({ username: 'sari.operator', password: PASSWORDS.tooLong }).expect(400),
    );
    await call(
      'malformed JSON',
      post('/auth/login')
        .set('Content-Type', 'application/json')
        .send(`{"username":"sari.operator","password":"${PASSWORDS.malformed}`)
        .expect(400),
    );

    // An administrator resets a password; the user signs in with it.
    await call(
      'reset tono',
      asAdmin(post(`/users/${users['tono.verifier']}/password`))
        .send({ password: PASSWORDS.tonoReset })
        .expect(200),
    );
    const tono = keepTokens(
      'tono',
      await call(
        'tono login',
        post('/auth/login').send({ username: 'tono.verifier', password: PASSWORDS.tonoReset }).expect(200),
      ),
    );

    // Sari changes her own password (once with a wrong current one).
    await call(
      'change own password, wrong current',
      post('/me/password')
        .set('Authorization', bearer(sariAgain.accessToken))
        .send({ currentPassword: PASSWORDS.wrong, newPassword: PASSWORDS.sariNew })
        .expect(403),
    );
    await call(
      'change own password',
      post('/me/password')
        .set('Authorization', bearer(sariAgain.accessToken))
        .send({ currentPassword: PASSWORDS.sari, newPassword: PASSWORDS.sariNew })
        .expect(204),
    );
    await call('sari refreshed token, ended', get('/me').set('Authorization', bearer(sariRefreshed.accessToken)));

    // An API token, created, used, listed, misused, revoked.
    const created = await call(
      'create API token',
      asAdmin(post(`/users/${users['tono.verifier']}/api-tokens`))
        .send({ name: 'siks-ng-sync' })
        .expect(201),
    );
    const { tokenId, token } = created.body as { tokenId: string; token: string };
    issued.push(
      { secret: token, what: 'API token', issuedIn: created.index },
      { secret: token.slice(37), what: 'API token secret', issuedIn: created.index },
    );
    await call('use API token', get('/me').set('Authorization', bearer(token)).expect(200));
    await call('list API tokens', asAdmin(get(`/users/${users['tono.verifier']}/api-tokens`)).expect(200));
    await call(
      'tampered API token',
      get('/me')
        .set('Authorization', bearer(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`))
        .expect(401),
    );
    await call(
      'revoke API token',
      asAdmin(post(`/users/${users['tono.verifier']}/api-tokens/${tokenId}/revoke`)).expect(204),
    );
    await call('revoked API token', get('/me').set('Authorization', bearer(token)).expect(401));

    // A few more errors: a tampered access token, a forbidden request, the history of a user, sign-outs.
    await call(
      'tampered access token',
      get('/me')
        .set('Authorization', bearer(`${tono.accessToken.slice(0, -2)}xx`))
        .expect(401),
    );
    await call(
      'forbidden',
      get(`/users/${users['sari.operator']}`).set('Authorization', bearer(tono.accessToken)).expect(403),
    );
    await call('user history', asAdmin(get(`/users/${users['sari.operator']}`)).expect(200));
    await call('sari logout', post('/auth/logout').set('Authorization', bearer(sariAgain.accessToken)).expect(204));
    await call('admin logout', post('/auth/logout').set('Authorization', bearer(admin.accessToken)).expect(204));
  });

  afterAll(async () => {
    await t?.close();
  });

  /** What the service keeps that must never come out: password hashes, token hashes, the signing key. */
  async function storedSecrets(): Promise<{ secret: string; what: string }[]> {
    const secrets: { secret: string; what: string }[] = [];
    for (const row of await t.db.query<{ username: string; password_hash: string }>(
      'SELECT username, password_hash FROM auth_credentials',
    )) {
      secrets.push({ secret: row.password_hash, what: `password hash of ${row.username}` });
      secrets.push({ secret: row.password_hash.split('$').pop()!, what: `password key of ${row.username}` });
    }
    for (const row of await t.db.query<{ refresh_hash: string; previous_hash: string | null }>(
      'SELECT refresh_hash, previous_hash FROM auth_sessions',
    )) {
      secrets.push({ secret: row.refresh_hash, what: 'refresh token hash' });
      if (row.previous_hash) secrets.push({ secret: row.previous_hash, what: 'previous refresh token hash' });
    }
    for (const row of await t.db.query<{ token_hash: string }>('SELECT token_hash FROM auth_api_tokens')) {
      secrets.push({ secret: row.token_hash, what: 'API token hash' });
    }
    for (const row of await t.db.query<{ secret: string }>('SELECT secret FROM auth_signing_keys')) {
      secrets.push({ secret: row.secret, what: 'token signing key' });
    }
    return secrets;
  }

  async function storedEvents(): Promise<string[]> {
    const events: string[] = [];
    for await (const event of t.store.readAll()) {
      events.push(
        JSON.stringify({ stream: event.streamName, type: event.type, data: event.data, metadata: event.metadata }),
      );
    }
    return events;
  }

  it('captured a real run: many log lines, responses and events', async () => {
    expect(t.logs.lines.length).toBeGreaterThan(30);
    expect(t.logs.lines.some((line) => line.includes('"url":"/auth/login"'))).toBe(true);
    expect(responses.length).toBeGreaterThan(25);
    expect(issued.filter((s) => s.what.endsWith('access token'))).toHaveLength(5);
    const events = await storedEvents();
    expect(events.length).toBeGreaterThan(10);
    // At least the 3 initial passwords, the reset and the change: only that a credential changed, never what.
    expect(events.filter((e) => e.includes('"type":"CredentialChanged"')).length).toBeGreaterThanOrEqual(5);
    expect((await storedSecrets()).length).toBeGreaterThan(10);
  });

  it('no log line contains a password, a token or a stored hash', async () => {
    const logs = t.logs.lines.join('\n');
    for (const [name, password] of Object.entries(PASSWORDS)) {
      expect({ name, found: logs.includes(password) }).toEqual({ name, found: false });
    }
    for (const { secret, what } of [...issued, ...(await storedSecrets())]) {
      expect({ what, found: logs.includes(secret) }).toEqual({ what, found: false });
    }
  });

  it('no response contains a password or a hash, nor a token but in the response that issued it', async () => {
    const stored = await storedSecrets();
    responses.forEach(({ label, text, headers }, index) => {
      const answer = `${text}\n${headers}`;
      for (const [name, password] of Object.entries(PASSWORDS)) {
        expect({ label, name, found: answer.includes(password) }).toEqual({ label, name, found: false });
      }
      for (const { secret, what } of stored) {
        expect({ label, what, found: answer.includes(secret) }).toEqual({ label, what, found: false });
      }
      for (const { secret, what } of issued) {
        // A refresh within the same second signs the same claims again: the same access token, issued twice.
        if (issued.some((other) => other.secret === secret && other.issuedIn === index)) continue;
        expect({ label, what, found: answer.includes(secret) }).toEqual({ label, what, found: false });
      }
    });
  });

  it('no stored event (data or metadata) contains a password, a token or a hash', async () => {
    const events = (await storedEvents()).join('\n');
    for (const [name, password] of Object.entries(PASSWORDS)) {
      expect({ name, found: events.includes(password) }).toEqual({ name, found: false });
    }
    for (const { secret, what } of [...issued, ...(await storedSecrets())]) {
      expect({ what, found: events.includes(secret) }).toEqual({ what, found: false });
    }
  });

  it('the users read model holds no secret either', async () => {
    const rows = JSON.stringify(await t.db.query('SELECT * FROM users_view'));
    expect(rows).toContain('sari.operator');
    for (const password of Object.values(PASSWORDS)) expect(rows).not.toContain(password);
    for (const { secret } of [...issued, ...(await storedSecrets())]) expect(rows).not.toContain(secret);
  });

  it('the refused requests were refused for the right reasons', () => {
    const byLabel = (label: string) => JSON.parse(responses.find((r) => r.label === label)!.text) as { code: string };
    expect(byLabel('weak password').code).toBe('WEAK_PASSWORD');
    expect(byLabel('too long').code).toBe('VALIDATION_FAILED');
    expect(byLabel('malformed JSON').code).toBe('MALFORMED_JSON');
    expect(byLabel('sari refresh replayed').code).toBe('REFRESH_TOKEN_INVALID');
    expect(byLabel('sari refreshed token, ended').code).toBe('SESSION_ENDED');
    expect(byLabel('tampered API token').code).toBe('TOKEN_INVALID');
    expect(byLabel('forbidden').code).toBe('MISSING_PERMISSION');
  });
});
