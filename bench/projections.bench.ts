/**
 * Registry rebuild benchmark: `npx tsx --max-semi-space-size=64 bench/projections.bench.ts` (the flags of
 * REBUILD_NODE_FLAGS), or `benchRegistryRebuild(url)` from another script. Creates a database
 * `muskel_bench_<random>` on the server, writes BENCH_EVENTS household events (default 1,000,000: enrolments with one
 * to four members, member changes, corrections, relocations, deactivations) with raw multi-row inserts, vacuums the
 * log, rebuilds the registry projection from the log and reports events per second against the target, then the CPU
 * the rebuild used and the least time that work takes on this machine's cores. Reports and never fails on a missed
 * target; the database is dropped at the end.
 *
 * Environment: BENCH_DATABASE_URL (or TEST_DATABASE_URL), default postgres://postgres@127.0.0.1:5432/test;
 * BENCH_EVENTS; BENCH_BATCH (events per rebuild page; default: the rebuild's own, as the CLI runs it).
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { rebuildProjection } from '@muskel/application';
import { createPostgresEventStore } from '@muskel/event-store';
import { RegistryProjection } from '@muskel/projections';
import { writeHouseholdEvents } from '@muskel/projections/testing/household-events';

export const TARGET_EVENTS_PER_SECOND = 30_000;
/**
 * Node flags the rebuild runs with, in `npm run cli` as here: a young generation of 64 MB semi-spaces instead of 16.
 * Pages in flight keep tens of megabytes of events and rows alive, so most of them survived the default's
 * scavenges and were copied twice (measured on 1,000,000 events: scavenges from about 11 s to 7 s).
 */
export const REBUILD_NODE_FLAGS = ['--max-semi-space-size=64'] as const;

/** CPU time every core of the machine has spent working since boot, and their number (Node's own count, no /proc). */
function machineCpu(): { busyMs: number; cores: number } {
  const all = cpus();
  let busyMs = 0;
  for (const { times } of all) busyMs += times.user + times.nice + times.sys + times.irq;
  return { busyMs, cores: all.length };
}

/**
 * Where the rebuild's time went, as CPU: this process (the fold, JSON, COPY text, HMACs), the whole machine (the
 * server too, and anything else running), and the least time that much work takes with every core busy. When that
 * floor is near the measured time, the rebuild is bound by the machine's cores, not by waiting.
 */
function cpuReport(events: number, seconds: number, processMs: number, machineMs: number, cores: number): string {
  const floor = machineMs / 1000 / cores;
  return (
    `  CPU during the rebuild: this process ${(processMs / 1000).toFixed(1)} s, the whole machine ` +
    `${(machineMs / 1000).toFixed(1)} s of ${(seconds * cores).toFixed(1)} s (${cores} cores, the server included); ` +
    `that work takes at least ${floor.toFixed(1)} s with every core busy (at most ${Math.round(events / floor)} ` +
    'events/s on this machine)\n'
  );
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
  return value;
}

export async function benchRegistryRebuild(databaseUrl: string): Promise<{ eventsPerSecond: number; events: number }> {
  const events = envInt('BENCH_EVENTS', 1_000_000);
  const batchSize = process.env.BENCH_BATCH ? envInt('BENCH_BATCH', 0) : undefined;
  const database = `muskel_bench_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  const store = await createPostgresEventStore({ connectionString: url.toString() });
  try {
    await store.init();
    const writing = performance.now();
    await writeHouseholdEvents(store, events);
    // A log rebuilt in production has long been vacuumed: its rows' hint bits are set. Without this the rebuild's
    // first read of each page would set them, writing the whole log again, which no real rebuild does.
    await store.executor.query('VACUUM (ANALYZE) es_events');
    process.stderr.write(
      `wrote ${events} household events in ${((performance.now() - writing) / 1000).toFixed(1)} s\n`,
    );
    const machineBefore = machineCpu();
    const processBefore = process.cpuUsage();
    const started = performance.now();
    let last = started;
    const result = await rebuildProjection(store, new RegistryProjection(), {
      batchSize,
      onProgress: (p) => {
        const now = performance.now();
        if (now - last > 5_000 || p.done) {
          last = now;
          process.stderr.write(`  ${p.applied} events, ${Math.round(p.applied / ((now - started) / 1000))}/s\n`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const processUsed = process.cpuUsage(processBefore);
    const machineAfter = machineCpu();
    const eventsPerSecond = Math.round(result.applied / seconds);
    const verdict = eventsPerSecond >= TARGET_EVENTS_PER_SECOND ? 'meets' : 'MISSES';
    process.stdout.write(
      `registry rebuild: ${result.applied} events in ${seconds.toFixed(1)} s = ${eventsPerSecond} events/s ` +
        `(${verdict} the target of ${TARGET_EVENTS_PER_SECOND} events/s; pages of ${batchSize ?? 'the default size'})\n`,
    );
    process.stdout.write(
      cpuReport(
        result.applied,
        seconds,
        (processUsed.user + processUsed.system) / 1000,
        machineAfter.busyMs - machineBefore.busyMs,
        machineAfter.cores,
      ),
    );
    return { eventsPerSecond, events: result.applied };
  } finally {
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

if (require.main === module) {
  const url =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  benchRegistryRebuild(url).catch((error: unknown) => {
    process.stderr.write(`bench failed: ${String(error)}\n`);
    process.exit(1);
  });
}
