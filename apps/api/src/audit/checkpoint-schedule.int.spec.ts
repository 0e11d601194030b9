/**
 * Scheduled signing on a real Redis (BullMQ job scheduler) and PGlite: checkpoints appear without anyone asking,
 * only when the log has grown, and a tampered log is refused without retries. Each test has its own queue prefix
 * and removes its keys.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { SIGNATURE_TYPE_ED25519, formatSignerKey } from '@muskel/audit';
import { AuditLog, AuditLogProjection, CheckpointSigner, integrate } from '@muskel/audit-log';
import { createPgliteEventStore, type RecordedEvent, type SqlEventStore } from '@muskel/event-store';
import { CheckpointSchedule } from './checkpoint-schedule';

const REDIS = { url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', maxRetriesPerRequest: null };

describe('scheduled checkpoint signing (BullMQ)', () => {
  let dir: string;
  let store: SqlEventStore;
  let signer: CheckpointSigner;
  let log: AuditLog;
  let schedule: CheckpointSchedule | undefined;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-schedule-'));
    store = await createPgliteEventStore({ dataDir: dir });
    await store.init();
    await store.withTransaction((tx) => new AuditLogProjection().setup(tx));
    signer = new CheckpointSigner(store, { origin: 'schedule.test/log' });
    log = new AuditLog(store.executor);
  });

  afterEach(async () => {
    await schedule?.remove();
    schedule = undefined;
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Appends `count` events and integrates them, as the worker's audit-log projection would. */
  async function grow(count: number): Promise<void> {
    const stream = `test-${randomUUID()}`;
    await store.appendToStream(
      stream,
      Array.from({ length: count }, (_, i) => ({ type: 'Tested', data: { i }, metadata: {} })),
      { expected: 'any' },
    );
    const events: RecordedEvent[] = [];
    for await (const event of store.readStream(stream)) events.push(event);
    await store.withTransaction((tx) => integrate(tx, events));
  }

  const waitForCheckpoint = async (size: number, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const latest = await signer.latest();
      if (latest && latest.size >= size) return latest;
      if (Date.now() > deadline) throw new Error(`no checkpoint of size ${size} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('signs on its own every interval, once the log has grown', async () => {
    await grow(3);
    const runs: unknown[] = [];
    schedule = new CheckpointSchedule(signer, log, {
      connection: REDIS,
      everyMs: 300,
      prefix: `muskel-test-${randomUUID()}`,
      onSigned: (run) => runs.push(run),
    });
    await schedule.start();
    expect((await waitForCheckpoint(3)).size).toBe(3);
    await grow(2);
    expect((await waitForCheckpoint(5)).size).toBe(5);
    // The 'completed' event follows the stored checkpoint by a moment.
    for (let i = 0; i < 100 && runs.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toContainEqual({ signed: true, size: 5 });
  });

  it('an unchanged log is not signed again', async () => {
    await grow(1);
    schedule = new CheckpointSchedule(signer, log, { connection: REDIS, everyMs: 60_000 });
    expect(await schedule.runOnce()).toEqual({ signed: true, size: 1 });
    expect(await schedule.runOnce()).toEqual({ signed: false, size: 1, reason: 'UNCHANGED' });
    expect((await signer.history()).length).toBe(1);
  });

  it('a tampered log is refused without retries (UnrecoverableError), and nothing is signed', async () => {
    await grow(4);
    schedule = new CheckpointSchedule(signer, log, { connection: REDIS, everyMs: 60_000 });
    await schedule.runOnce();
    await grow(2);
    await store.withTransaction((tx) =>
      tx.query("UPDATE audit_leaves SET record = record || ' ', leaf_hash = $1 WHERE seq = 4", [Buffer.alloc(32, 7)]),
    );
    await expect(schedule.runOnce()).rejects.toBeInstanceOf(UnrecoverableError);
    expect((await signer.latest())?.size).toBe(4);
  });

  it('the queue is named after the log key, so two logs on one Redis never share a schedule', async () => {
    const otherKey = formatSignerKey(
      'other.test/log',
      SIGNATURE_TYPE_ED25519,
      generateKeyPairSync('ed25519').privateKey,
    );
    const otherSigner = new CheckpointSigner(store, { origin: 'other.test/log', signerKey: otherKey });
    const name = await CheckpointSchedule.queueName(signer);
    expect(name).toMatch(/^audit-checkpoints-[0-9a-f]{16}$/);
    expect(await CheckpointSchedule.queueName(signer)).toBe(name);
    expect(await CheckpointSchedule.queueName(otherSigner)).not.toBe(name);
  });
});
