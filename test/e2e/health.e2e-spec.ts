/**
 * GET /health through the whole Nest application (AppModule, nestjs-pino, the event-store module, terminus), on
 * the embedded PGlite and on a fresh database of the local PostgreSQL server.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { Client } from 'pg';
import request from 'supertest';
import { validateConfig } from '@muskel/config';
import { isolatedJobsEnv, removeRedisKeys } from './support/redis-keys';
import { EVENT_STORE, SCHEMA_VERSION, type EventStore } from '@muskel/event-store';
import { AppModule } from '../../apps/api/src/app.module';

/** The server the tests create their databases on (the same variable as the event-store suites). */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Log lines the application wrote (JSON), kept off the test output. */
class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** Each app's jobs prefix, removed from Redis once the file is done. */
const JOB_PREFIXES: string[] = [];
afterAll(async () => {
  for (const prefix of JOB_PREFIXES) await removeRedisKeys(prefix);
});

async function startApp(env: Record<string, string>, logs: LogCapture): Promise<INestApplication> {
  const jobs = isolatedJobsEnv();
  JOB_PREFIXES.push(jobs.JOBS_PREFIX);
  const config = validateConfig({ LOG_LEVEL: 'info', ...jobs, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config, { logDestination: logs })],
  }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.init();
  return app;
}

describe('GET /health on the embedded PGlite (no DATABASE_URL)', () => {
  const logs = new LogCapture();
  let dataDir: string;
  let app: INestApplication;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-e2e-'));
    app = await startApp({ MUSKEL_DATA_DIR: dataDir }, logs);
  });

  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 200 with the store kind and schema version', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toEqual({
      status: 'ok',
      info: { eventStore: { status: 'up', kind: 'pglite', schemaVersion: SCHEMA_VERSION }, redis: { status: 'up' } },
      error: {},
      details: { eventStore: { status: 'up', kind: 'pglite', schemaVersion: SCHEMA_VERSION }, redis: { status: 'up' } },
    });
    expect(app.get<EventStore>(EVENT_STORE).kind).toBe('pglite');
    expect(fs.readdirSync(dataDir)).not.toEqual([]);
  });

  it('logs requests as JSON without credentials, under a request id', async () => {
    const response = await request(app.getHttpServer())
      .get('/health')
      .set('Authorization', 'Bearer very-secret-token')
      .set('Cookie', 'session=very-secret-cookie')
      .set('X-Request-Id', 'probe-42')
      .expect(200);
    expect(response.headers['x-request-id']).toBe('probe-42');

    const entry = logs.records().find((r) => (r.req as { id?: string } | undefined)?.id === 'probe-42');
    expect(entry).toMatchObject({
      msg: 'request completed',
      req: { method: 'GET', url: '/health', headers: { authorization: '[Redacted]', cookie: '[Redacted]' } },
      res: { statusCode: 200 },
    });
    expect(logs.lines.join('\n')).not.toMatch(/very-secret/);
  });

  it('answers 503 once the store no longer answers', async () => {
    await app.get<EventStore>(EVENT_STORE).close();
    const response = await request(app.getHttpServer()).get('/health').expect(503);
    expect(response.body).toEqual({
      status: 'error',
      info: { redis: { status: 'up' } },
      error: { eventStore: { status: 'down', kind: 'pglite', schemaVersion: null, message: 'unreachable' } },
      details: {
        eventStore: { status: 'down', kind: 'pglite', schemaVersion: null, message: 'unreachable' },
        redis: { status: 'up' },
      },
    });
  });
});

describe('GET /health on PostgreSQL (DATABASE_URL set)', () => {
  const logs = new LogCapture();
  const database = `muskel_e2e_${randomBytes(6).toString('hex')}`;
  let databaseUrl: string;
  let dataDir: string;
  let admin: Client;
  let app: INestApplication;

  beforeAll(async () => {
    admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-e2e-'));
    app = await startApp({ DATABASE_URL: databaseUrl, MUSKEL_DATA_DIR: dataDir }, logs);
  });

  afterAll(async () => {
    await app?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 200 with kind postgres', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.info).toEqual({
      eventStore: { status: 'up', kind: 'postgres', schemaVersion: SCHEMA_VERSION },
      redis: { status: 'up' },
    });
    // The schema went into the new database, and nothing into the PGlite data directory.
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(
        'SELECT max(version) AS version FROM es_schema_migrations',
      );
      expect(rows[0]?.version).toBe(SCHEMA_VERSION);
    } finally {
      await client.end();
    }
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('answers 503 when the database is gone, without saying why to the public', async () => {
    await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
    const response = await request(app.getHttpServer()).get('/health').expect(503);
    expect(response.body.error).toEqual({
      eventStore: { status: 'down', kind: 'postgres', schemaVersion: null, message: 'unreachable' },
    });
    expect(JSON.stringify(response.body)).not.toContain(database);
    // The cause goes to the log instead.
    expect(logs.lines.some((line) => line.includes('postgres event store is down'))).toBe(true);
  });
});
