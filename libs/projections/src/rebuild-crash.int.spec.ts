/**
 * A rebuild killed with SIGKILL half-way leaves consistent rows and a checkpoint; running it again finishes it, and
 * the result equals a clean rebuild. PostgreSQL only (a second process needs a server).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { rebuildProjection } from '@muskel/application';
import type { SqlEventStore } from '@muskel/event-store';
import { RegistryProjection, REGISTRY } from './registry.projection';
import { dumpTables, postgresHarness } from './testing/harness';
import { writeHouseholdEvents } from './testing/household-events';

const EVENTS = 50_000;
const TABLES = ['registry_households', 'registry_versions'];

describe('rebuild after a crash (PostgreSQL, child process)', () => {
  const harness = postgresHarness();
  let store: SqlEventStore;

  beforeAll(async () => {
    store = await harness.fresh();
    await writeHouseholdEvents(store, EVENTS);
  }, 300_000); // the events must also become readable (see writeHouseholdEvents)
  afterAll(() => harness.dispose());

  it('finishes an interrupted rebuild with the same rows as a clean one', async () => {
    // node itself with the tsx loader: the tsx command would run the script in a grandchild that SIGKILL misses.
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, 'testing/rebuild-child.ts')], {
      cwd: path.resolve(__dirname, '../../..'),
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        MUSKEL_TEST_DATABASE_URL: harness.urlOf!(store),
        MUSKEL_TEST_PROJECTION: REGISTRY,
        MUSKEL_TEST_BATCH: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killedAt = await new Promise<number>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const counts = [...buffer.matchAll(/applied (\d+)/g)].map((m) => Number(m[1]));
        const applied = counts.at(-1) ?? 0;
        if (applied >= EVENTS / 3) {
          child.kill('SIGKILL');
          resolve(applied);
        }
      });
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`child ended early (${code}): ${stderr}`));
      });
    });
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode ? resolve(undefined) : child.on('exit', resolve),
    );
    expect(killedAt).toBeLessThan(EVENTS);

    // Interrupted: a checkpoint short of the head and the rebuild still marked as under way.
    const checkpoint = await store.checkpoints.load(REGISTRY);
    expect(checkpoint).toBeDefined();
    expect(checkpoint! < (await store.headPosition())).toBe(true);
    expect(await store.executor.query('SELECT name FROM projection_rebuilds')).toEqual([{ name: REGISTRY }]);

    const resumed = await rebuildProjection(store, new RegistryProjection(), {
      batchSize: 2000,
      segmentSize: 6000,
      leaseWaitMs: 10_000,
    });
    expect(resumed.resumed).toBe(true);
    expect(resumed.applied).toBeLessThan(EVENTS);
    const afterCrash = await dumpTables(store.executor, TABLES);

    const clean = await rebuildProjection(store, new RegistryProjection(), { batchSize: 5000 });
    expect(clean).toMatchObject({ resumed: false, applied: EVENTS });
    const rebuilt = await dumpTables(store.executor, TABLES);
    expect(afterCrash.registry_households!.length).toBeGreaterThan(EVENTS / 3);
    expect(afterCrash).toEqual(rebuilt);

    // A rebuild that may keep few households in memory forgets most of them between segments and reads them back
    // when a later event needs them (while version rows are still being written aside): the same rows.
    const forgetful = await rebuildProjection(store, new RegistryProjection({ maxCachedHouseholds: 3000 }), {
      batchSize: 1000,
      segmentSize: 3000,
    });
    expect(forgetful).toMatchObject({ resumed: false, applied: EVENTS });
    expect(await dumpTables(store.executor, TABLES)).toEqual(rebuilt);
  }, 400_000); // five passes over 50,000 events: minutes when a full CI loads both cores
});
