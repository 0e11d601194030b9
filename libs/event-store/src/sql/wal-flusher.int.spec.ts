import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPgliteEventStore } from '../create-event-store';

/**
 * PGlite ignores fsync, so the store flushes the WAL itself before acknowledging a commit. These tests check that
 * the flush happens for every acknowledged append, that it reaches the operating system as fdatasync on the WAL
 * segment, and that the data files are flushed after a checkpoint.
 */
describe('PGlite durable commits (WAL flush before acknowledgement)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-flush-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('flushes before every acknowledged append, and shares flushes between concurrent appends', async () => {
    const store = await createPgliteEventStore({ dataDir: dir });
    try {
      await store.init();
      const flusher = store.flusher!;
      expect(flusher).toBeDefined();
      const before = flusher.flushes;
      for (let i = 0; i < 20; i++) {
        await store.appendToStream(`seq-${i}`, [{ type: 'A', data: { i } }], { expected: 'no_stream' });
      }
      expect(flusher.flushes - before).toBeGreaterThanOrEqual(20);

      const beforeConcurrent = flusher.flushes;
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.appendToStream(`par-${i}`, [{ type: 'A', data: { i } }], { expected: 'no_stream' }),
        ),
      );
      const used = flusher.flushes - beforeConcurrent;
      expect(used).toBeGreaterThanOrEqual(1);
      expect(used).toBeLessThan(50);
    } finally {
      await store.close();
    }
  });

  it('does not flush in the non-durable mode used by benchmarks, nor in memory', async () => {
    const fast = await createPgliteEventStore({ dataDir: dir, durable: false });
    const memory = await createPgliteEventStore({});
    try {
      expect(fast.flusher).toBeUndefined();
      expect(memory.flusher).toBeUndefined();
    } finally {
      await fast.close();
      await memory.close();
    }
  });

  it('checkpoints and flushes the data files after several WAL segments', async () => {
    const store = await createPgliteEventStore({ dataDir: dir });
    try {
      await store.init();
      const flusher = store.flusher!;
      const checkpointLsn = async () =>
        (
          await store.withTransaction((tx) =>
            tx.query<{ lsn: string }>('SELECT checkpoint_lsn::text AS lsn FROM pg_control_checkpoint()'),
          )
        )[0]!.lsn;
      const before = await checkpointLsn();
      const syncs: Promise<void>[] = [];
      const original = flusher.syncAll.bind(flusher);
      jest.spyOn(flusher, 'syncAll').mockImplementation(() => {
        const done = original();
        syncs.push(done);
        return done;
      });
      for (let i = 0; i < 6; i++) {
        // Each switch starts a new WAL segment, as 16 MiB of appends would.
        await store.withTransaction(async (tx) => {
          await tx.query('SELECT pg_switch_wal()');
          await tx.appendToStream(`seg-${i}`, [{ type: 'A', data: { i } }], { expected: 'no_stream' });
        });
      }
      for (let i = 0; i < 100 && syncs.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(syncs.length).toBeGreaterThanOrEqual(1);
      await Promise.all(syncs);
      expect(await checkpointLsn()).not.toBe(before);
    } finally {
      await store.close();
    }
  });

  const strace = spawnSync('strace', ['-V']).status === 0;
  (strace ? it : it.skip)(
    `asks the operating system to fdatasync the WAL segment for each append${strace ? '' : ' — skipped: strace is not installed'}`,
    () => {
      const fixture = path.join(__dirname, 'fixtures', 'durable-appends.ts');
      const trace = path.join(dir, 'trace.txt');
      const dataDir = path.join(dir, 'db');
      const out = execFileSync(
        'strace',
        [
          '-f',
          '-y',
          '-e',
          'trace=fdatasync,fsync',
          '-o',
          trace,
          process.execPath,
          '--import',
          'tsx',
          fixture,
          dataDir,
          '25',
        ],
        { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' } },
      );
      expect(Number(/flushes (\d+)/.exec(out)?.[1])).toBeGreaterThanOrEqual(25);
      const lines = fs.readFileSync(trace, 'utf8').split('\n');
      // With -f, strace splits a call another thread interrupts into "fdatasync(fd<path> <unfinished ...>" and
      // "<... fdatasync resumed>) = 0", so count the calls by their opening and check no call failed.
      const walFlushes = lines.filter((line) => /fdatasync\(\d+<[^>]*pg_wal\/[0-9A-F]{24}>/.test(line));
      expect(walFlushes.length).toBeGreaterThanOrEqual(25);
      expect(lines.filter((line) => /fdatasync.*= -1/.test(line))).toEqual([]);
    },
  );
});
