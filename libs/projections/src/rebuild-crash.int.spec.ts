/**
 * A rebuild killed with SIGKILL half-way leaves consistent rows and a checkpoint; running it again finishes it, and
 * the result equals a clean rebuild. PostgreSQL only (a second process needs a server).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { rebuildProjection } from '@muskel/application';
import type { EventStore, SqlEventStore } from '@muskel/event-store';
import { RegistryProjection, REGISTRY } from './registry.projection';
import { dumpTables, postgresHarness } from './testing/harness';
import { writeHouseholdEvents } from './testing/household-events';

const EVENTS = 50_000;
const TABLES = ['registry_households', 'registry_household_niks', 'registry_versions'];
/**
 * A whole rebuild in log order, in segments of 10,000 events rather than one of the whole log: a segment is one
 * transaction, and while a transaction writes, every reader of settled events on the server waits: other suites'
 * projection runners too, which a minute-long segment on a loaded CI machine could make time out.
 */
const LOG_ORDER = { batchSize: 5000, segmentSize: 10_000, byStream: false };

describe('rebuild after a crash (PostgreSQL, child process)', () => {
  const harness = postgresHarness();
  let store: SqlEventStore;

  beforeAll(async () => {
    store = await harness.fresh();
    await writeHouseholdEvents(store, EVENTS);
  }, 300_000); // the events must also become readable (see writeHouseholdEvents)
  afterAll(() => harness.dispose());

  /** Starts a rebuild in a child process and kills it (SIGKILL) a third of the way through; returns the count then. */
  async function killRebuildMidway(byStream: boolean): Promise<number> {
    // node itself with the tsx loader: the tsx command would run the script in a grandchild that SIGKILL misses.
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, 'testing/rebuild-child.ts')], {
      cwd: path.resolve(__dirname, '../../..'),
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        MUSKEL_TEST_DATABASE_URL: harness.urlOf!(store),
        MUSKEL_TEST_PROJECTION: REGISTRY,
        MUSKEL_TEST_BATCH: '1000',
        MUSKEL_TEST_BY_STREAM: byStream ? '1' : '0',
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
    return killedAt;
  }

  it('finishes an interrupted rebuild by stream with the same rows as a clean one', async () => {
    await killRebuildMidway(true);
    // Interrupted while folding streams: no checkpoint yet, the mark standing with the last stream written.
    expect(await store.checkpoints.load(REGISTRY)).toBeUndefined();
    const [mark] = await store.executor.query<{ name: string; stream_up_to: string; stream_cursor: string }>(
      'SELECT name, stream_up_to, stream_cursor FROM projection_rebuilds',
    );
    expect(mark).toMatchObject({ name: REGISTRY, stream_up_to: await store.headPosition() });
    expect(mark!.stream_cursor).toMatch(/^household-/);
    const written = await store.executor.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM registry_households WHERE 'household-' || household_id > $1",
      [mark!.stream_cursor],
    );
    expect(written).toEqual([{ n: 0 }]);

    const resumed = await rebuildProjection(store, new RegistryProjection(), { batchSize: 2000, leaseWaitMs: 10_000 });
    expect(resumed.resumed).toBe(true);
    expect(resumed.applied).toBeLessThan(EVENTS);
    const afterCrash = await dumpTables(store.executor, TABLES);

    const clean = await rebuildProjection(store, new RegistryProjection(), { batchSize: 5000 });
    expect(clean).toMatchObject({ resumed: false, applied: EVENTS });
    const rebuilt = await dumpTables(store.executor, TABLES);
    expect(afterCrash.registry_households!.length).toBeGreaterThan(EVENTS / 3);
    expect(afterCrash).toEqual(rebuilt);

    // Reading the log in order instead (as on KurrentDB) gives the same rows.
    const inLogOrder = await rebuildProjection(store, new RegistryProjection(), LOG_ORDER);
    expect(inLogOrder).toMatchObject({ resumed: false, applied: EVENTS });
    expect(await dumpTables(store.executor, TABLES)).toEqual(rebuilt);
  }, 400_000); // five passes over 50,000 events: minutes when a full CI loads both cores

  it('finishes an interrupted rebuild in log order with the same rows as a clean one', async () => {
    await killRebuildMidway(false);
    // Interrupted: a checkpoint short of the head and the rebuild still marked as under way.
    const checkpoint = await store.checkpoints.load(REGISTRY);
    expect(checkpoint).toBeDefined();
    expect(checkpoint! < (await store.headPosition())).toBe(true);
    expect(await store.executor.query('SELECT name FROM projection_rebuilds')).toEqual([{ name: REGISTRY }]);

    const resumed = await rebuildProjection(store, new RegistryProjection(), {
      batchSize: 2000,
      segmentSize: 6000,
      leaseWaitMs: 10_000,
      byStream: false,
    });
    expect(resumed.resumed).toBe(true);
    expect(resumed.applied).toBeLessThan(EVENTS);
    const afterCrash = await dumpTables(store.executor, TABLES);

    const clean = await rebuildProjection(store, new RegistryProjection(), { batchSize: 5000 });
    expect(clean).toMatchObject({ resumed: false, applied: EVENTS });
    const rebuilt = await dumpTables(store.executor, TABLES);
    expect(afterCrash.registry_households!.length).toBeGreaterThan(EVENTS / 3);
    expect(afterCrash).toEqual(rebuilt);

    // A rebuild in log order that may keep few households in memory forgets most of them between segments and
    // reads them back when a later event needs them (while version rows are still being written aside).
    const forgetful = await rebuildProjection(store, new RegistryProjection({ maxCachedHouseholds: 3000 }), {
      batchSize: 1000,
      segmentSize: 3000,
      byStream: false,
    });
    expect(forgetful).toMatchObject({ resumed: false, applied: EVENTS });
    expect(await dumpTables(store.executor, TABLES)).toEqual(rebuilt);
  }, 400_000); // five passes over 50,000 events: minutes when a full CI loads both cores

  it('applies in log order what is appended while the streams are folded, to the same rows as a log-order rebuild', async () => {
    const householdsAt = (order: 'ASC' | 'DESC') =>
      store.executor.query<{ stream_id: string; revision: string }>(
        `SELECT stream_id, max(stream_revision)::text AS revision FROM es_events WHERE stream_id LIKE 'household-%'
          GROUP BY stream_id ORDER BY stream_id ${order} LIMIT 3`,
      );
    // Corrections to the first streams (folded before they come) and to the last (folded after), and new households.
    const corrected = [...(await householdsAt('ASC')), ...(await householdsAt('DESC'))];
    const appendMore = async () => {
      for (const { stream_id, revision } of corrected) {
        await store.appendToStream(
          stream_id,
          [
            {
              id: randomUUID(),
              type: 'HouseholdCorrected',
              data: { proposalId: randomUUID(), changes: { rt: '099' } },
              metadata: { occurredAt: '2030-01-01T00:00:00.000Z' },
            },
          ],
          { expected: Number(revision) },
        );
      }
      await writeHouseholdEvents(store, 2000);
    };
    let appended = false;
    // The store as the rebuild sees it, appending once its first page of streams has been read.
    const appending = new Proxy(store, {
      get(target, property) {
        if (property === 'readCategoryByStream') {
          return async (options: Parameters<NonNullable<EventStore['readCategoryByStream']>>[0]) => {
            const page = await target.readCategoryByStream(options);
            if (!appended) {
              appended = true;
              await appendMore();
            }
            return page;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const result = await rebuildProjection(appending, new RegistryProjection(), { batchSize: 1000 });
    expect(appended).toBe(true);
    expect(result).toMatchObject({ resumed: false, applied: EVENTS + 6 + 2000 });
    expect(await store.checkpoints.load(REGISTRY)).toBe(await store.headPosition());
    const byStream = await dumpTables(store.executor, TABLES);
    const rts = await store.executor.query<{ rt: string }>(
      "SELECT doc->>'rt' AS rt FROM registry_households WHERE 'household-' || household_id = ANY($1::text[])",
      [corrected.map((c) => c.stream_id)],
    );
    expect(rts).toEqual(Array.from({ length: 6 }, () => ({ rt: '099' })));

    await rebuildProjection(store, new RegistryProjection(), LOG_ORDER);
    expect(await dumpTables(store.executor, TABLES)).toEqual(byStream);
  }, 300_000);
});
