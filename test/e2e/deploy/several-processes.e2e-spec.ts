/**
 * Several processes, one truth: two API processes and two worker processes (the built application, started as child
 * processes as a deployment starts them) on one fresh PostgreSQL database. Commands go through both APIs; each
 * projection and reactor has one lease holder, in one worker, while the other stands by; `kill -9` of that worker
 * hands every lease to the other within the documented time (lease TTL 10 s plus one retry interval, 3.3 s), and
 * every read model ends with exactly one row or count per command: nothing lost, nothing applied twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { buildApiForTests } from '../../support/build-once';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { bearer, freshPostgresDatabase, openSession, seedUser, sleep, startApp } from '../support/access-app';
import { API_SUBSCRIBERS, WORKER_SUBSCRIBERS } from '../../../apps/api/src/metrics/metrics.service';
import { addProposalBody, parseMetrics, sample } from './deploy-support';
import { isolatedJobsEnv, removeRedisKeys } from '../support/redis-keys';

const ROOT = path.resolve(__dirname, '../../..');
const VILLAGE = '3515142001';
const TOKEN_SECRET = 'several-processes-shared-token-secret-0123456789';
/** ProjectionRunner's lease TTL; a standby retries every third of it (docs/scaling.md). */
const LEASE_TTL_MS = 10_000;
const TAKEOVER_BOUND_MS = LEASE_TTL_MS + LEASE_TTL_MS / 3;
/** Slack for a loaded two-core machine: the polling below and the standby's own queries. */
const TAKEOVER_SLACK_MS = 2_500;

/** The child's environment: the parent's minus anything of ours or Jest's that would change the result. */
function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(PORT|DATABASE_URL|MUSKEL_|REDIS_URL|LOG_LEVEL|NODE_OPTIONS|AUTH_|AUDIT_|METRICS_TOKEN|JEST_)/.test(name)) {
      delete env[name];
    }
  }
  return { ...env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...JOBS_ENV, ...overrides };
}

/** One jobs prefix for all four processes (one deployment), removed from Redis afterwards. */
const JOBS_ENV = isolatedJobsEnv();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Ends a wait at once (a child that exited), where other errors (a refused connection) only mean "not yet". */
class Fatal extends Error {}

async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch((error: unknown) => {
      if (error instanceof Fatal) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

interface Proc {
  name: string;
  port: number;
  child: ChildProcess;
  output: string[];
}

describe('two API processes and two workers on one PostgreSQL database', () => {
  let main: string;
  let database: { url: string; drop(): Promise<void> };
  let db: PgClient;
  let token: string;
  const procs: Proc[] = [];

  const start = async (name: string, role: 'api' | 'worker'): Promise<Proc> => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-several-'));
    const child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: childEnv({
        PORT: String(port),
        DATABASE_URL: database.url,
        MUSKEL_ROLE: role,
        MUSKEL_DATA_DIR: dataDir,
        AUTH_TOKEN_SECRET: TOKEN_SECRET,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = { name, port, child, output: [] as string[] };
    child.stdout?.on('data', (chunk: Buffer) => proc.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => proc.output.push(chunk.toString()));
    child.once('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
    procs.push(proc);
    await waitUntil(`${name} answers /health`, 60_000, async () => {
      if (child.exitCode !== null) throw new Fatal(`${name} exited: ${proc.output.join('').slice(-2000)}`);
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      return response.status === 200 ? true : undefined;
    });
    return proc;
  };

  /** subscriber -> instance id of the live leases of the worker's subscribers. */
  const holders = async (): Promise<Map<string, string>> => {
    const { rows } = await db.query<{ subscriber_id: string; instance_id: string }>(
      'SELECT subscriber_id, instance_id FROM es_leases WHERE expires_at > clock_timestamp() AND subscriber_id = ANY($1)',
      [WORKER_SUBSCRIBERS],
    );
    return new Map(rows.map((row) => [row.subscriber_id, row.instance_id]));
  };

  const submitThrough = async (api: Proc): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${api.port}/proposals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(token) },
      body: JSON.stringify(addProposalBody(VILLAGE)),
    });
    if (response.status !== 201) throw new Error(`${api.name}: ${response.status} ${await response.text()}`);
  };

  beforeAll(async () => {
    // One build for every suite that starts the API as child processes, in a directory of its own: no other
    // build swaps files under the running processes.
    main = await buildApiForTests();

    database = await freshPostgresDatabase();
    db = new PgClient({ connectionString: database.url });
    await db.connect();
    // The schema and a village operator with a session, written by the same code the API runs.
    const seeder = await startApp({
      databaseUrl: database.url,
      env: { MUSKEL_ROLE: 'api', AUTH_TOKEN_SECRET: TOKEN_SECRET },
      logLevel: 'warn',
    });
    try {
      const user = await seedUser(seeder, {
        homeRegion: VILLAGE,
        grants: [{ role: 'VILLAGE_OPERATOR', scope: VILLAGE }],
      });
      token = (await openSession(seeder, user.userId)).accessToken;
    } finally {
      await seeder.close();
    }
  }, 240_000);

  afterAll(async () => {
    for (const proc of procs)
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
    await sleep(1500);
    for (const proc of procs)
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await db?.end();
    await database?.drop();
    await removeRedisKeys(JOBS_ENV.JOBS_PREFIX);
  }, 30_000);

  it('shares the commands, keeps one consumer per projection, and survives kill -9 of the leader', async () => {
    // The first worker takes every lease; the second then finds them all held and stands by.
    const leader = await start('worker-1', 'worker');
    const leaderInstances = await waitUntil('worker-1 holds every lease', 60_000, async () => {
      const held = await holders();
      return WORKER_SUBSCRIBERS.every((name) => held.has(name)) ? held : undefined;
    });
    const subscribers = [...leaderInstances.keys()].sort();
    const standby = await start('worker-2', 'worker');
    const apis = [await start('api-1', 'api'), await start('api-2', 'api')];

    // Commands through both APIs, one after the other and side by side.
    const before = 12;
    for (let i = 0; i < before; i += 2) await Promise.all(apis.map((api) => submitThrough(api)));

    const caughtUp = async (worker: Proc): Promise<true | undefined> => {
      const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
      const samples = parseMetrics(text);
      return [...subscribers, ...API_SUBSCRIBERS].every(
        (name) => sample(samples, 'muskel_projection_lag_events', { projection: name }) === 0,
      )
        ? true
        : undefined;
    };
    await waitUntil('the projections catch up', 30_000, () => caughtUp(standby));

    // One holder per projection, and it is still the first worker's instance: the standby took nothing.
    const during = await holders();
    expect([...during.keys()].sort()).toEqual(subscribers);
    for (const name of subscribers) expect(during.get(name)).toBe(leaderInstances.get(name));
    expect(new Set(during.values()).size).toBe(subscribers.length); // one runner (instance) per projection

    // kill -9: no shutdown, the leases are left to expire.
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    const after = 12;
    for (let i = 0; i < after; i += 2) await Promise.all(apis.map((api) => submitThrough(api)));

    const takenOver = await waitUntil('worker-2 holds every lease', TAKEOVER_BOUND_MS + 10_000, async () => {
      const held = await holders();
      return subscribers.every((name) => held.has(name) && held.get(name) !== leaderInstances.get(name))
        ? Date.now()
        : undefined;
    });
    const takeoverMs = takenOver - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS + TAKEOVER_SLACK_MS);

    await waitUntil('worker-2 applies everything', 30_000, () => caughtUp(standby));
    const total = before + after;
    const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

    // Exactly one row, or one count, per command: nothing lost, nothing applied twice.
    expect(await count('SELECT count(*) AS n FROM proposals_view')).toBe(total);
    expect(
      await count(
        `SELECT coalesce(sum(count), 0) AS n FROM public_board_counts
          WHERE village_code = '${VILLAGE}' AND dimension = 'kind' AND key = 'ADD'`,
      ),
    ).toBe(total);
    expect(await count('SELECT count(*) AS n FROM public_board_proposals')).toBe(total);
    // The background identity checks append to each proposal after its projection caught up: wait until every one
    // is recorded (through the surviving worker too) and the audit log has integrated everything.
    await waitUntil('every identity check recorded and integrated', 30_000, async () => {
      const checks = await count(`SELECT count(*) AS n FROM es_events WHERE event_type = 'IdentityChecked'`);
      const logged = await count('SELECT count(*) AS n FROM es_events');
      const leaves = await count('SELECT count(*) AS n FROM audit_leaves');
      return checks === total && leaves === logged ? true : undefined;
    });
    // The audit log: one leaf per event of the log, contiguous, and a tree of that size.
    const events = await count('SELECT count(*) AS n FROM es_events');
    expect(await count('SELECT count(*) AS n FROM audit_leaves')).toBe(events);
    expect(await count('SELECT coalesce(max(seq) + 1, 0) AS n FROM audit_leaves')).toBe(events);
    expect(await count('SELECT size AS n FROM audit_tree')).toBe(events);
    expect(await count('SELECT count(*) AS n FROM reactor_failures')).toBe(0);
    // Every checkpoint is the head of the log.
    const head = (
      await db.query<{ position: string }>(
        `SELECT lpad(tx_id::text, 20, '0') || ':' || lpad(global_position::text, 20, '0') AS position
           FROM es_events ORDER BY tx_id DESC, global_position DESC LIMIT 1`,
      )
    ).rows[0]!.position;
    const checkpoints = await db.query<{ subscriber_id: string; position: string }>(
      'SELECT subscriber_id, position FROM es_checkpoints WHERE subscriber_id = ANY($1::text[])',
      [subscribers],
    );
    expect(checkpoints.rows.map((row) => [row.subscriber_id, row.position]).sort()).toEqual(
      subscribers.map((name) => [name, head]),
    );

    // Both APIs took commands throughout, and the standby lives on; the killed worker never affected them.
    for (const proc of [...apis, standby]) expect(proc.child.exitCode).toBeNull();
    expect(leader.child.signalCode).toBe('SIGKILL');
    process.stdout.write(`several processes: takeover after kill -9 in ${takeoverMs} ms, ${total} commands\n`);
  }, 240_000);
});
