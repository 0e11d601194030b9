/**
 * A worker killed with SIGKILL in the middle of a job (issue 6 item 10): the built application runs as a worker
 * process, takes a monthly-cycle step (reminding a village of its undeliberated proposal) and is killed while the
 * step is active; a new worker finds the job stalled, runs it again, and its effect happens exactly once (one
 * DeliberationReminderIssued on the village's reminder stream).
 *
 * Making the kill land mid-job needs no test hook: the test holds an exclusive lock on the read model the step
 * reads first (`proposals_view`), so the step stays active, blocked in the database, until the test lets go.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { buildApiForTests } from '../../support/build-once';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { Client as PgClient } from 'pg';
import { reminderStreamName } from '@muskel/domain';
import { createEventStore, type EventStore } from '@muskel/event-store';
import {
  cycleStepJobId,
  cutoffDateOf,
  DEFAULT_CYCLE_CALENDAR,
  DEFAULT_JOB_OPTIONS,
  localDate,
  QUEUES,
  type JobPayloads,
} from '@muskel/jobs';
import { freshPostgresDatabase, sleep, startApp } from '../support/access-app';
import { isolatedJobsEnv, removeRedisKeys } from '../support/redis-keys';
import { WorkflowFixtures } from '../support/workflow-fixtures';

const ROOT = path.resolve(__dirname, '../../..');
const VILLAGE = '3515142001';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS_ENV = isolatedJobsEnv();

/** The child's environment: the parent's minus anything of ours or Jest's that would change the result. */
function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      /^(PORT|DATABASE_URL|MUSKEL_|REDIS_URL|LOG_LEVEL|NODE_OPTIONS|AUTH_|AUDIT_|METRICS_TOKEN|JEST_|CYCLE_)/.test(name)
    ) {
      delete env[name];
    }
  }
  return { ...env, NODE_ENV: 'production', LOG_LEVEL: 'warn', REDIS_URL, ...JOBS_ENV, ...overrides };
}

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
  child: ChildProcess;
  output: string[];
}

describe('a worker killed with SIGKILL mid-job', () => {
  let main: string;
  let database: { url: string; drop(): Promise<void> };
  let store: EventStore;
  let locker: PgClient;
  let queue: Queue<JobPayloads['monthly-cycle']>;
  const procs: Proc[] = [];

  const startWorker = async (name: string): Promise<Proc> => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-sigkill-'));
    const child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: childEnv({
        PORT: String(port),
        DATABASE_URL: database.url,
        MUSKEL_ROLE: 'worker',
        MUSKEL_DATA_DIR: dataDir,
        // Only the job this test enqueues: no tick of the cycle's own.
        CYCLE_SCHEDULE: 'off',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = { name, child, output: [] as string[] };
    child.stdout?.on('data', (chunk: Buffer) => proc.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => proc.output.push(chunk.toString()));
    child.once('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
    procs.push(proc);
    await waitUntil(`${name} answers /health`, 90_000, async () => {
      if (child.exitCode !== null) throw new Fatal(`${name} exited: ${proc.output.join('').slice(-2000)}`);
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      return response.status === 200 ? true : undefined;
    });
    return proc;
  };

  beforeAll(async () => {
    // One build for every suite that starts the API as child processes, in a directory of its own: no other
    // build swaps files under the running processes.
    main = await buildApiForTests();

    database = await freshPostgresDatabase();
    // The schema and a proposal waiting for its village's deliberation, written by the same code the app runs.
    const seeder = await startApp({ databaseUrl: database.url, logLevel: 'warn', env: { CYCLE_SCHEDULE: 'off' } });
    try {
      const proposalId = await new WorkflowFixtures(seeder.store).waitingProposal(VILLAGE);
      await waitUntil('the proposal is in proposals_view', 30_000, async () => {
        const rows = await seeder.db.query('SELECT 1 FROM proposals_view WHERE id = $1', [proposalId]);
        return rows.length === 1 ? true : undefined;
      });
    } finally {
      await seeder.close();
    }
    store = await createEventStore({ databaseUrl: database.url, dataDir: os.tmpdir() });
    locker = new PgClient({ connectionString: database.url });
    await locker.connect();
    queue = new Queue(QUEUES.monthlyCycle, {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix: JOBS_ENV.JOBS_PREFIX,
    });
  }, 240_000);

  afterAll(async () => {
    for (const proc of procs) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
    }
    await sleep(1500);
    for (const proc of procs) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    }
    await queue?.close();
    await locker?.end().catch(() => undefined);
    await store?.close();
    await database?.drop();
    await removeRedisKeys(JOBS_ENV.JOBS_PREFIX);
  }, 30_000);

  it('runs the job again in a new worker, and its effect happens exactly once', async () => {
    const first = await startWorker('worker-1');

    // The step reads proposals_view first: while the test holds it exclusively, the step blocks there, active.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE proposals_view IN ACCESS EXCLUSIVE MODE');
    const at = new Date();
    const period = localDate(at, DEFAULT_CYCLE_CALENDAR.timeZone).slice(0, 7);
    const step = {
      kind: 'step' as const,
      regencyCode: VILLAGE.slice(0, 4),
      period,
      step: 'REMIND' as const,
      // The month's last day: the reminder is due whatever today's date.
      cutoffDate: cutoffDateOf({ ...DEFAULT_CYCLE_CALENDAR, cutoffDay: 31 }, period),
      at: at.toISOString(),
    };
    const jobId = cycleStepJobId(step, DEFAULT_CYCLE_CALENDAR.timeZone);
    await queue.add('step', step, { ...DEFAULT_JOB_OPTIONS, jobId });
    await waitUntil('worker-1 has the job active', 60_000, async () =>
      (await queue.getJobState(jobId)) === 'active' ? true : undefined,
    );

    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    const stream = reminderStreamName(VILLAGE, period);
    const events = async () => {
      const found: { type: string; data: Record<string, unknown> }[] = [];
      for await (const event of store.readStream(stream)) {
        found.push({ type: event.type, data: event.data });
      }
      return found;
    };
    // Killed mid-job: nothing written, and BullMQ still holds the job as active (its lock not yet expired).
    expect(await events()).toEqual([]);
    expect(await queue.getJobState(jobId)).toBe('active');
    await locker.query('ROLLBACK');

    await startWorker('worker-2');
    await waitUntil('worker-2 completes the job', 120_000, async () =>
      (await queue.getJobState(jobId)) === 'completed' ? true : undefined,
    );
    const job = await queue.getJob(jobId);
    expect(job?.stalledCounter).toBe(1);
    expect(job?.returnvalue).toMatchObject({ step: 'REMIND', outcome: 'DONE', villages: [VILLAGE] });
    const written = await events();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ type: 'DeliberationReminderIssued', data: { villageCode: VILLAGE, period } });
  }, 240_000);
});
