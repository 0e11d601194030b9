/**
 * Shared set-up of the access-control end-to-end suites (test/e2e/access): the real AppModule on a fresh embedded
 * PGlite, configured by the same `configureHttpApp` as main.ts, plus quick ways to make fixture users and sessions
 * without paying for the API (or for scrypt) on every one.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  AuthRepository,
  AuthService,
  hashPassword,
  registerUser,
  TokenService,
  type AuthModuleOptions,
  type IssuedTokens,
} from '@muskel/auth';
import { validateConfig } from '@muskel/config';
import {
  userDecider,
  userStreamName,
  type DisableUser,
  type GrantRole,
  type RecordCredentialChange,
  type RegisterUser,
  type Role,
  type UserCommand,
} from '@muskel/domain';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { configureHttpApp } from '@muskel/http';
import { BullJobSink, QUEUES } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { AppModule } from '../../../apps/api/src/app.module';
import { jobsPrefix as deploymentJobsPrefix } from '../../../apps/api/src/jobs/job-prefix';
import { removeRedisKeys } from './redis-keys';

/** Log lines the application wrote (JSON), kept off the test output. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

export interface TestApp {
  app: NestExpressApplication;
  /** What supertest's `request()` takes: the base URL of the app, listening on a free loopback port. */
  server: Parameters<typeof request>[0];
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  store: EventStore;
  db: SqlExecutor;
  logs: LogCapture;
  close(): Promise<void>;
}

export interface StartOptions {
  auth?: AuthModuleOptions;
  /** Throwaway controllers added beside the real AppModule. */
  controllers?: Type[];
  logLevel?: string;
  /** Run on this PostgreSQL database instead of a fresh embedded PGlite (see `freshPostgresDatabase`). */
  databaseUrl?: string;
  /** Extra environment for validateConfig (e.g. MUSKEL_ROLE). */
  env?: Record<string, string>;
  /** The store seen as another adapter would present it (see AppModuleOptions.eventStoreView). */
  eventStoreView?: (store: EventStore) => EventStore;
}

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A new, empty PostgreSQL database on the test server, and how to drop it (terminating its sessions). */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `muskel_e2e_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new PgClient({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new PgClient({ connectionString: SERVER_URL });
      await client.connect();
      try {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
        await client.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The whole application as main.ts builds it, on a fresh PGlite under a temporary MUSKEL_DATA_DIR. */
export async function startApp(options: StartOptions = {}): Promise<TestApp> {
  const logs = new LogCapture();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-e2e-access-'));
  const config = validateConfig({
    LOG_LEVEL: options.logLevel ?? 'info',
    MUSKEL_DATA_DIR: dataDir,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    // Checkpoints only on demand unless a test asks for the schedule: no Redis keys left behind by every app.
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
    // No monthly cycle ticks: a test running at the top of the hour would otherwise see batches it did not open.
    CYCLE_SCHEDULE: 'off',
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot(config, { logDestination: logs, auth: options.auth, eventStoreView: options.eventStoreView }),
    ],
    controllers: options.controllers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  app.useLogger(app.get(Logger));
  configureHttpApp(app, config);
  // Listening, and handed to supertest as a URL: given the bare server instead, supertest listens on and closes a
  // new port for every request, which costs more CPU than most requests themselves (thousands in the fuzz suites).
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    server: baseUrl,
    baseUrl,
    store: app.get<EventStore>(EVENT_STORE),
    db: app.get<SqlExecutor>(SQL_DATABASE),
    logs,
    async close() {
      // Every role's prefix (MUSKEL_ROLE=api has no BullJobSink, but its JobClient may have queued jobs).
      const jobsPrefix =
        jobsPrefixOf(app) ??
        (await deploymentJobsPrefix(app.get<SqlExecutor>(SQL_DATABASE), config.JOBS_PREFIX).catch(() => undefined));
      await app.close();
      // After the close: a running worker would otherwise re-create its scheduler's keys.
      if (jobsPrefix !== undefined) await removeRedisKeys(jobsPrefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The operator's command on the server (what the CLI's create-admin does). */
export function systemContext(): CommandContext {
  const id = randomUUID();
  return {
    actor: { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' },
    correlationId: id,
    causationId: id,
    occurredAt: new Date().toISOString(),
  };
}

/** The first administrator (ADMIN, NATIONAL), exactly as `npm run cli -- users create-admin` creates it. */
export async function bootstrapAdmin(
  t: TestApp,
  input: { username: string; password: string; displayName?: string },
): Promise<string> {
  const { userId } = await registerUser(
    new CommandPipeline(t.store),
    t.app.get(AuthRepository),
    {
      username: input.username,
      displayName: input.displayName ?? 'Administrator',
      password: input.password,
      homeRegion: 'NATIONAL',
      grants: [{ role: 'ADMIN', scope: 'NATIONAL' }],
    },
    systemContext(),
  );
  return userId;
}

const hashes = new Map<string, Promise<string>>();
/** One scrypt hash per password for the whole file: fixture users share it instead of hashing again. */
export function fixtureHash(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    hashes.set(password, hash);
  }
  return hash;
}

export interface SeedUser {
  username?: string;
  homeRegion: string;
  grants?: { role: Role; scope: string }[];
  /** Gives the user this password (a shared precomputed hash). */
  password?: string;
  disabled?: boolean;
}

export interface SeededUser {
  userId: string;
  username: string;
  grantIds: string[];
}

let seeded = 0;
/**
 * A user written straight through the domain (the same commands as POST /users, by SYSTEM), fast: no HTTP, and the
 * password, when asked for, reuses a hash computed once.
 */
export async function seedUser(t: TestApp, input: SeedUser): Promise<SeededUser> {
  const context = systemContext();
  const meta = { actor: context.actor, occurredAt: context.occurredAt };
  const userId = randomUUID();
  const username = input.username ?? `fixture.${++seeded}.${userId.slice(0, 8)}`;
  const grantIds = (input.grants ?? []).map(() => randomUUID());
  const commands: UserCommand[] = [
    {
      type: 'RegisterUser',
      data: { userId, username, displayName: `Fixture ${username}`, homeRegion: input.homeRegion },
      metadata: meta,
    } satisfies RegisterUser,
    ...(input.grants ?? []).map(
      (grant, i) =>
        ({
          type: 'GrantRole',
          data: { userId, grantId: grantIds[i]!, role: grant.role, scope: grant.scope },
          metadata: meta,
        }) satisfies GrantRole,
    ),
  ];
  if (input.password !== undefined) {
    commands.push({
      type: 'RecordCredentialChange',
      data: { userId, change: 'INITIAL' },
      metadata: meta,
    } satisfies RecordCredentialChange);
    const stored = await t.app.get(AuthRepository).setCredential(userId, username, await fixtureHash(input.password));
    if (!stored) throw new Error(`username ${username} is taken`);
  }
  if (input.disabled) {
    commands.push({ type: 'DisableUser', data: { userId, reason: 'fixture' }, metadata: meta } satisfies DisableUser);
  }
  await new CommandPipeline(t.store).executeAll(userStreamName(userId), userDecider, commands, context);
  return { userId, username, grantIds };
}

/** A new session of the user, as a successful sign-in makes one, without scrypt. */
export async function openSession(t: TestApp, userId: string): Promise<{ accessToken: string; refreshToken: string }> {
  const session = await t.app.get(AuthRepository).createSession(userId, 3600_000);
  return {
    accessToken: t.app.get(TokenService).sign(userId, session.sessionId),
    refreshToken: session.refreshToken,
  };
}

/** A real sign-in through AuthService (the same code as POST /auth/login, without the per-address throttle). */
export function signIn(t: TestApp, username: string, password: string): Promise<IssuedTokens> {
  return t.app.get(AuthService).login(username, password);
}

/** Every problem answer: the media type, the code, and the request id. */
export function expectProblem(response: request.Response, status: number, code: string): Record<string, unknown> {
  if (response.status !== status || (response.body as { code?: string }).code !== code) {
    throw new Error(`expected ${status} ${code}, got ${response.status} ${response.text.slice(0, 300)}`);
  }
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(response.text) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, requestId: expect.any(String) });
  return body;
}

export const bearer = (token: string): string => `Bearer ${token}`;

/** Polls until `check` returns a value (eventually consistent read models). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An HTTP agent whose connections leave from another loopback address (127.0.0.0/8 is all local on Linux), so a
 * test can be "another client" for the per-address limits: `request(server).post(...).agent(fromAddress(...))`.
 */
export function fromAddress(localAddress: string): http.Agent {
  return new http.Agent({ localAddress });
}

/** The Redis key prefix of this app's jobs; undefined for an app without the worker (no queues). */
function jobsPrefixOf(app: INestApplication): string | undefined {
  try {
    return app.get(BullJobSink, { strict: false }).queue(QUEUES.identityChecks).opts.prefix;
  } catch {
    return undefined;
  }
}
