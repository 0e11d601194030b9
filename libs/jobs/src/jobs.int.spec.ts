/**
 * Background work on a real Redis (BullMQ) and PGlite: the dispatcher enqueues one identity check per proposal
 * content, exactly once; the check raises the right flags from the keyed NIK index; a job that can never succeed
 * fails without retries and the reconciler closes it; and a Redis restarted without persistence in the middle of
 * a run loses no result, because the reconciler re-enqueues what has none. Each test has its own queue prefix and
 * removes its keys; the restart test runs its own redis-server so other suites' queues are untouched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, type ConnectionOptions } from 'bullmq';
import { CommandPipeline, ProjectionRunner, type CommandContext } from '@muskel/application';
import {
  householdDecider,
  householdStreamName,
  proposalDecider,
  proposalStreamName,
  type Actor,
  type HouseholdCommand,
  type ProposalCommand,
  type ProposalEvent,
} from '@muskel/domain';
import { createPgliteEventStore, type SqlEventStore } from '@muskel/event-store';
import { createProjections } from '@muskel/projections';
import {
  BullJobSink,
  IdentityCheckService,
  JobDispatcher,
  QUEUES,
  jobIdFor,
  reconcile,
  setupIdentityCheckTables,
  type JobPayloads,
} from './index';

const SHARED_REDIS: ConnectionOptions = {
  url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  maxRetriesPerRequest: null,
};
const VILLAGE = '3515142001';
const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: VILLAGE };
const system: Actor = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' };
const context = (actor: Actor): CommandContext => {
  const id = randomUUID();
  return { actor, correlationId: id, causationId: id, occurredAt: new Date().toISOString() };
};
let serial = 100;
const nik = () => `351514050868${String(++serial).padStart(4, '0')}`;

interface Harness {
  dir: string;
  store: SqlEventStore;
  pipeline: CommandPipeline;
  runners: ProjectionRunner[];
  sink: BullJobSink;
  prefix: string;
}

async function harness(connection: ConnectionOptions): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-jobs-'));
  const store = await createPgliteEventStore({ dataDir: dir });
  await store.init();
  const prefix = `muskel-test-${randomUUID()}`;
  const sink = new BullJobSink(connection, prefix);
  const runners = [...createProjections(), new JobDispatcher(sink, { reconcileAfterSeconds: 0 })].map(
    (projection) => new ProjectionRunner(store, projection, { leaseTtlMs: 2000 }),
  );
  for (const runner of runners) await runner.setup();
  await setupIdentityCheckTables(store.executor);
  return { dir, store, pipeline: new CommandPipeline(store), runners, sink, prefix };
}

async function teardown(h: Harness | undefined): Promise<void> {
  if (!h) return;
  await Promise.all(h.runners.map((runner) => runner.stop()));
  for (const name of Object.values(QUEUES))
    await h.sink
      .queue(name)
      .obliterate({ force: true })
      .catch(() => undefined);
  await h.sink.close();
  await h.store.close();
  fs.rmSync(h.dir, { recursive: true, force: true });
}

async function submitAdd(h: Harness, niks: string[]): Promise<{ proposalId: string; position: string }> {
  const proposalId = randomUUID();
  const command: ProposalCommand = {
    type: 'SubmitProposal',
    data: {
      proposalId,
      kind: 'ADD',
      villageCode: VILLAGE,
      channel: 'RT_RW',
      household: {
        address: 'Jl. Uji 1',
        rt: '001',
        rw: '001',
        kkNumber: `351514010110${String(++serial).padStart(4, '0')}`,
        members: niks.map((value, i) => ({
          nik: value,
          name: `Warga ${i}`,
          sex: 'M' as const,
          birthDate: '1968-08-05',
          relationship: i === 0 ? ('HEAD' as const) : ('CHILD' as const),
        })),
      },
    },
    metadata: { actor: operator, occurredAt: new Date().toISOString() },
  };
  const result = await h.pipeline.execute(proposalStreamName(proposalId), proposalDecider, command, context(operator));
  return { proposalId, position: result.position };
}

async function enrol(h: Harness, memberNik: string): Promise<string> {
  const householdId = randomUUID();
  const command: HouseholdCommand = {
    type: 'EnrolHousehold',
    data: {
      householdId,
      source: 'BASELINE_IMPORT',
      importId: randomUUID(),
      villageCode: VILLAGE,
      address: 'Jl. Terdaftar 1',
      rt: '002',
      rw: '001',
      kkNumber: `351514010110${String(++serial).padStart(4, '0')}`,
      members: [
        {
          memberId: randomUUID(),
          nik: memberNik,
          name: 'Terdaftar',
          sex: 'M',
          birthDate: '1968-08-05',
          relationship: 'HEAD',
        },
      ],
    },
    metadata: { actor: system, occurredAt: new Date().toISOString() },
  };
  const result = await h.pipeline.execute(householdStreamName(householdId), householdDecider, command, context(system));
  for (const runner of h.runners) await runner.waitFor(result.position, 30_000);
  return householdId;
}

async function proposalEvents(h: Harness, proposalId: string): Promise<ProposalEvent[]> {
  const events: ProposalEvent[] = [];
  for await (const event of h.store.readStream(proposalStreamName(proposalId))) {
    events.push({ type: event.type, data: event.data } as unknown as ProposalEvent);
  }
  return events;
}

/** A BullMQ worker running the real identity check, as the app's worker process does. */
function identityWorker(h: Harness, connection: ConnectionOptions): Worker {
  const service = new IdentityCheckService(h.pipeline, h.store.executor);
  return new Worker(QUEUES.identityChecks, (job) => service.run(job.data as JobPayloads['identity-checks']), {
    connection,
    prefix: h.prefix,
    concurrency: 2,
  });
}

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const checked = (events: ProposalEvent[]) => events.find((event) => event.type === 'IdentityChecked');

describe('background jobs (BullMQ + PGlite)', () => {
  let h: Harness | undefined;
  let worker: Worker | undefined;

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await teardown(h);
    h = undefined;
  });

  it('one job per proposal content, with an id derived from it; a replayed page enqueues nothing new', async () => {
    h = await harness(SHARED_REDIS);
    const { proposalId, position } = await submitAdd(h, [nik()]);
    for (const runner of h.runners) runner.start();
    for (const runner of h.runners) await runner.waitFor(position, 30_000);
    const queue = h.sink.queue(QUEUES.identityChecks);
    const [event] = await proposalEventsRaw(h, proposalId);
    const jobId = jobIdFor(QUEUES.identityChecks, event!.id);
    const job = await queue.getJob(jobId);
    expect(job?.data).toEqual({ proposalId, contentEventId: event!.id });
    // The payload holds ids only: no NIK, no name.
    expect(JSON.stringify(job?.data)).not.toMatch(/\d{16}|Warga/);
    // The same page again (a replay after a crash between enqueue and commit) and an explicit duplicate: one job.
    await h.store.withTransaction((tx) =>
      new JobDispatcher(h!.sink, { reconcileAfterSeconds: 0 }).applyBatch([event!], tx),
    );
    await h.sink.enqueue(QUEUES.identityChecks, { proposalId, contentEventId: event!.id }, jobId);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')).toMatchObject({
      waiting: 1,
    });
  });

  it('flags a NIK already on the registry and a NIK in another pending proposal; a clean proposal is checked too', async () => {
    h = await harness(SHARED_REDIS);
    for (const runner of h.runners) runner.start();
    const registered = nik();
    const householdId = await enrol(h, registered);
    const shared = nik();
    const first = await submitAdd(h, [registered, shared]);
    worker = identityWorker(h, SHARED_REDIS);
    const firstEvents = await eventually(async () => {
      const events = await proposalEvents(h!, first.proposalId);
      return checked(events) ? events : undefined;
    });
    expect(firstEvents.filter((e) => e.type === 'FlagRaised')).toEqual([
      {
        type: 'FlagRaised',
        data: {
          code: 'NIK_IN_REGISTRY',
          severity: 'BLOCKING',
          source: 'IDENTITY_CHECK',
          evidence: `anggota 1: keluarga ${householdId}`,
        },
      },
    ]);
    // The first proposal must be in the read model before the second names the same NIK.
    const second = await submitAdd(h, [shared]);
    const secondEvents = await eventually(async () => {
      const events = await proposalEvents(h!, second.proposalId);
      return checked(events) ? events : undefined;
    });
    expect(checked(secondEvents)).toMatchObject({ data: { flagCodes: ['NIK_IN_PENDING_PROPOSAL'] } });
    expect(secondEvents.find((e) => e.type === 'FlagRaised')).toMatchObject({
      data: { evidence: `anggota 1: usulan ${first.proposalId}` },
    });
    const clean = await submitAdd(h, [nik()]);
    const cleanEvents = await eventually(async () => {
      const events = await proposalEvents(h!, clean.proposalId);
      return checked(events) ? events : undefined;
    });
    expect(cleanEvents.map((e) => e.type)).toEqual(['ProposalSubmitted', 'IdentityChecked']);
    // The dispatcher closes each expectation once it sees the IdentityChecked event.
    await eventually(async () => {
      const [row] = await h!.store.executor.query<{ open: string }>(
        'SELECT count(*)::text AS open FROM job_expectations WHERE done_at IS NULL',
      );
      return row!.open === '0' ? true : undefined;
    });
  });

  it('a job that can never succeed fails at once, without retries; the reconciler closes it as FAILED', async () => {
    h = await harness(SHARED_REDIS);
    const ghost = randomUUID();
    const contentEventId = randomUUID();
    const jobId = jobIdFor(QUEUES.identityChecks, contentEventId);
    await h.store.executor.query(
      `INSERT INTO job_expectations (queue, job_id, subject, payload, due_at) VALUES ($1, $2, $3, $4, now())`,
      [QUEUES.identityChecks, jobId, ghost, JSON.stringify({ proposalId: ghost, contentEventId })],
    );
    await h.sink.enqueue(QUEUES.identityChecks, { proposalId: ghost, contentEventId }, jobId);
    worker = identityWorker(h, SHARED_REDIS);
    const job = await eventually(async () => {
      const found = await h!.sink.queue(QUEUES.identityChecks).getJob(jobId);
      return found && (await found.getState()) === 'failed' ? found : undefined;
    });
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^PROPOSAL_NOT_FOUND/);
    const report = await reconcile(h.store.executor, h.sink, { reconcileAfterSeconds: 60 });
    expect(report).toMatchObject({ examined: 1, failed: 1 });
    const [row] = await h.store.executor.query<{ outcome: string }>('SELECT outcome FROM job_expectations');
    expect(row!.outcome).toBe('FAILED');
  });

  it('Redis restarted without persistence mid-run: the reconciler re-enqueues, every check still happens', async () => {
    const redis = await privateRedis();
    try {
      h = await harness(redis.connection);
      for (const runner of h.runners) runner.start();
      const first = await Promise.all([1, 2, 3].map(() => submitAdd(h!, [nik()])));
      for (const runner of h.runners) await runner.waitFor(first[2]!.position, 30_000);
      // Enqueued but never processed: then Redis goes away with everything it held.
      await redis.restart();
      const later = await Promise.all([1, 2].map(() => submitAdd(h!, [nik()])));
      worker = identityWorker(h, redis.connection);
      // The dispatcher enqueues the later ones once Redis answers again; the first ones are lost until reconciled.
      for (const { proposalId } of [...first, ...later]) {
        await eventually(async () => {
          await reconcile(h!.store.executor, h!.sink, { reconcileAfterSeconds: 1 });
          return checked(await proposalEvents(h!, proposalId)) ? true : undefined;
        }, 30_000);
      }
      // Each check recorded exactly once.
      for (const { proposalId } of [...first, ...later]) {
        expect((await proposalEvents(h, proposalId)).filter((e) => e.type === 'IdentityChecked')).toHaveLength(1);
      }
    } finally {
      await worker?.close();
      worker = undefined;
      await teardown(h);
      h = undefined;
      await redis.stop();
    }
  }, 120_000);
});

async function proposalEventsRaw(h: Harness, proposalId: string) {
  const events = [];
  for await (const event of h.store.readStream(proposalStreamName(proposalId))) events.push(event);
  return events;
}

/** A redis-server of this test's own, without persistence, that can be restarted empty. */
async function privateRedis(): Promise<{
  connection: ConnectionOptions;
  restart(): Promise<void>;
  stop(): Promise<void>;
}> {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    });
  });
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const poke = () => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.end();
          resolve();
        });
        socket.on('error', () =>
          Date.now() > deadline ? reject(new Error('redis-server did not start')) : setTimeout(poke, 50),
        );
      };
      poke();
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
    async restart() {
      await stop();
      await start();
    },
    stop,
  };
}
