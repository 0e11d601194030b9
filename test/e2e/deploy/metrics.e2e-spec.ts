/**
 * GET /metrics scraped like Prometheus does: the METRICS_TOKEN gate, the text format, and figures that move with
 * what happens: projection lag while no worker runs, lease holders, the oldest open transaction on PostgreSQL,
 * process figures; on PGlite, no transaction gauges.
 */
import { Client as PgClient } from 'pg';
import request from 'supertest';
import {
  bearer,
  eventually,
  expectProblem,
  freshPostgresDatabase,
  openSession,
  seedUser,
  sleep,
  startApp,
  type TestApp,
} from '../support/access-app';
import { Queue } from 'bullmq';
import { QUEUES } from '@muskel/jobs';
import { API_SUBSCRIBERS, KNOWN_SUBSCRIBERS, WORKER_SUBSCRIBERS } from '../../../apps/api/src/metrics/metrics.service';
import { QUEUE_STATES } from '../../../apps/api/src/metrics/queue-depth';
import { addProposalBody, parseMetrics, sample, type Sample } from './deploy-support';

const VILLAGE = '3515142001';
const METRICS_TOKEN = 'metrics-token-for-the-e2e-scraper-0123456789';

async function scrape(t: TestApp, token: string | undefined = METRICS_TOKEN): Promise<Sample[]> {
  const call = request(t.server).get('/metrics');
  const response = await (token === undefined ? call : call.set('Authorization', bearer(token)));
  if (response.status !== 200) throw new Error(`GET /metrics: ${response.status} ${response.text.slice(0, 200)}`);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(response.headers['cache-control']).toBe('no-store');
  return parseMetrics(response.text);
}

describe('GET /metrics on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let app: TestApp | undefined;
  let token: string;

  const start = async (role: string) => {
    app = await startApp({
      databaseUrl: database.url,
      env: { MUSKEL_ROLE: role, METRICS_TOKEN, AUTH_TOKEN_SECRET: 'a-shared-token-secret-of-forty-characters' },
      logLevel: 'warn',
    });
    return app;
  };
  const submit = async (t: TestApp) =>
    (
      await request(t.server)
        .post('/proposals')
        .set('Authorization', bearer(token))
        .send(addProposalBody(VILLAGE))
        .expect(201)
    ).body as { position: string };

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const t = await start('all');
    const user = await seedUser(t, { homeRegion: VILLAGE, grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }] });
    token = (await openSession(t, user.userId)).accessToken;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('answers only the bearer of METRICS_TOKEN: not anonymous callers, not users', async () => {
    const t = app!;
    const anonymous = await request(t.server).get('/metrics');
    expectProblem(anonymous, 401, 'METRICS_TOKEN_REQUIRED');
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expectProblem(
      await request(t.server).get('/metrics').set('Authorization', bearer(token)),
      401,
      'METRICS_TOKEN_REQUIRED',
    );
    expectProblem(
      await request(t.server)
        .get('/metrics')
        .set('Authorization', bearer(`${METRICS_TOKEN}x`)),
      401,
      'METRICS_TOKEN_REQUIRED',
    );
    await scrape(t);
  });

  it('with a worker running: every projection and reactor leased, caught up, no failures; process figures', async () => {
    const t = app!;
    for (let i = 0; i < 3; i += 1) await submit(t);
    const samples = await eventually(async () => {
      const s = await scrape(t);
      return KNOWN_SUBSCRIBERS.every(
        (name) =>
          sample(s, 'muskel_projection_lag_events', { projection: name }) === 0 &&
          sample(s, 'muskel_projection_lease_held', { projection: name }) === 1,
      )
        ? s
        : undefined;
    }, 15_000);
    for (const name of KNOWN_SUBSCRIBERS) {
      expect(sample(samples, 'muskel_projection_lag_seconds', { projection: name })).toBe(0);
    }
    expect(sample(samples, 'muskel_info', { role: 'all', store: 'postgres' })).toBe(1);
    expect(sample(samples, 'muskel_database_up')).toBe(1);
    expect(sample(samples, 'muskel_reactor_failures', { reactor: 'reactor-meeting-decisions' })).toBe(0);
    expect(sample(samples, 'muskel_db_oldest_transaction_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // The exposition carries no personal data: no NIK-like run of digits, no names from the proposals.
    const text = (await request(t.server).get('/metrics').set('Authorization', bearer(METRICS_TOKEN))).text;
    expect(text).not.toContain(`${VILLAGE.slice(0, 6)}050868`); // the NIKs submitted
    expect(text).not.toContain(`${VILLAGE.slice(0, 6)}010109`); // their KK numbers
    expect(text).not.toContain('Warga');
  });

  it('counts the jobs of each BullMQ queue by state, under the prefix the worker uses', async () => {
    const t = app!;
    // The worker names its queues' prefix once, in the database.
    const [row] = await eventually(async () => {
      const rows = await t.db
        .query<{ instance_id: string }>('SELECT instance_id FROM muskel_instance WHERE id = 1')
        .catch(() => []);
      return rows.length === 1 ? rows : undefined;
    }, 15_000);
    const queue = new Queue(QUEUES.identityChecks, {
      connection: { url: 'redis://127.0.0.1:6379' },
      prefix: `muskel-${row!.instance_id}`,
    });
    try {
      const before = sample(await scrape(t), 'muskel_queue_jobs', { queue: QUEUES.identityChecks, state: 'delayed' });
      // A job due in an hour: it waits in `delayed`, where no processor takes it during the test.
      const job = await queue.add('metrics-probe', {}, { delay: 3_600_000 });
      const samples = await scrape(t);
      expect(sample(samples, 'muskel_redis_up')).toBe(1);
      expect(sample(samples, 'muskel_queue_jobs', { queue: QUEUES.identityChecks, state: 'delayed' })).toBe(before + 1);
      for (const state of QUEUE_STATES) {
        expect(sample(samples, 'muskel_queue_jobs', { queue: QUEUES.reconcile, state })).toBeGreaterThanOrEqual(0);
      }
      await job.remove();
    } finally {
      await queue.close();
    }
  });

  it('without a worker: the lag grows with each command and ages, and no lease is held', async () => {
    await app!.close();
    app = undefined;
    const t = await start('api');
    await submit(t);
    await submit(t);
    await sleep(1100);
    const samples = await scrape(t);
    expect(sample(samples, 'muskel_info', { role: 'api', store: 'postgres' })).toBe(1);
    // The worker released its leases when it stopped; the users list is kept by the API process itself.
    for (const name of WORKER_SUBSCRIBERS) {
      expect(sample(samples, 'muskel_projection_lease_held', { projection: name })).toBe(0);
    }
    expect(sample(samples, 'muskel_projection_lease_held', { projection: API_SUBSCRIBERS[0]! })).toBe(1);
    // Both proposals' events (and their access-log or idempotency events, if any) are behind every projection
    // that follows the whole log; the proposals view has at least the two submissions to apply.
    expect(sample(samples, 'muskel_projection_lag_events', { projection: 'proposals-view' })).toBeGreaterThanOrEqual(2);
    expect(sample(samples, 'muskel_projection_lag_events', { projection: 'audit-log' })).toBeGreaterThanOrEqual(2);
    expect(sample(samples, 'muskel_projection_lag_seconds', { projection: 'proposals-view' })).toBeGreaterThan(1);
  });

  it('reports the age of the oldest open transaction, and of the oldest one holding a transaction id', async () => {
    const t = app!;
    const client = new PgClient({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      await sleep(1500);
      const samples = await scrape(t);
      expect(sample(samples, 'muskel_db_oldest_transaction_seconds')).toBeGreaterThanOrEqual(1.4);
      expect(sample(samples, 'muskel_db_oldest_write_transaction_seconds')).toBeGreaterThanOrEqual(1.4);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});

describe('GET /metrics on the embedded PGlite', () => {
  let app: TestApp;

  beforeAll(async () => {
    // Nothing listens on port 1: Redis is down for this application. MUSKEL_ROLE=api: no worker (and no job
    // processors, which would wait for Redis at shutdown).
    app = await startApp({ logLevel: 'silent', env: { REDIS_URL: 'redis://127.0.0.1:1', MUSKEL_ROLE: 'api' } });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is public without METRICS_TOKEN, has no transaction gauges (one in-process session), and reports Redis down', async () => {
    const samples = await scrape(app, undefined);
    expect(sample(samples, 'muskel_info', { role: 'api', store: 'pglite' })).toBe(1);
    expect(sample(samples, 'muskel_database_up')).toBe(1);
    expect(sample(samples, 'muskel_projection_lag_events', { projection: 'registry' })).toBe(0);
    expect(sample(samples, 'muskel_projection_lease_held', { projection: 'registry' })).toBe(0); // no worker
    expect(samples.some((s) => s.name.startsWith('muskel_db_oldest'))).toBe(false);
    // Redis down: said so, no queue figures, and the scrape still answers.
    expect(sample(samples, 'muskel_redis_up')).toBe(0);
    expect(samples.some((s) => s.name === 'muskel_queue_jobs')).toBe(false);
  });
});
