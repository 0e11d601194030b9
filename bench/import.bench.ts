/**
 * Baseline import benchmark: a synthetic village of BENCH_HOUSEHOLDS households (default 100,000), generated while
 * it is read, imported into a fresh PostgreSQL database (dropped afterwards). Targets: at least 5,000 households/s
 * and a peak resident set below 300 MB. Run alone: `npx tsx bench/import.bench.ts` (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CommandPipeline } from '@muskel/application';
import { createPostgresEventStore } from '@muskel/event-store';
import { importBaseline, syntheticBaseline } from '@muskel/registry-import';

const TARGET_RATE = 5_000;
const TARGET_RSS_MB = 300;
const VILLAGE = '3515142001';

async function withScratchDatabase<T>(serverUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const database = `muskel_bench_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  }
}

export async function benchBaselineImport(
  databaseUrl: string,
): Promise<{ householdsPerSecond: number; peakRssMb: number }> {
  const households = Number(process.env.BENCH_HOUSEHOLDS ?? 100_000);
  return withScratchDatabase(databaseUrl, async (url) => {
    const store = await createPostgresEventStore({ connectionString: url });
    await store.init();
    let peakRss = process.memoryUsage().rss;
    const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    try {
      const started = process.hrtime.bigint();
      const report = await importBaseline(
        store,
        new CommandPipeline(store),
        syntheticBaseline({ households, villageCode: VILLAGE }),
        {
          actor: { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' },
          fileName: 'bench.csv',
          villageCode: VILLAGE,
          onProgress: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
          progressEvery: 10_000,
        },
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (report.households.imported !== households) {
        throw new Error(
          `imported ${report.households.imported} of ${households} households (${report.errorCount} errors)`,
        );
      }
      const householdsPerSecond = Math.round(households / seconds);
      const peakRssMb = Math.round(peakRss / 1024 / 1024);
      console.log(
        `baseline import: ${households} households (${report.rows} rows) in ${seconds.toFixed(1)} s = ` +
          `${householdsPerSecond} households/s (target >= ${TARGET_RATE}); peak RSS ${peakRssMb} MB (target < ${TARGET_RSS_MB})`,
      );
      return { householdsPerSecond, peakRssMb };
    } finally {
      clearInterval(sample);
      await store.close();
    }
  });
}

if (require.main === module) {
  benchBaselineImport(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test').then(
    ({ householdsPerSecond, peakRssMb }) => {
      process.exitCode = householdsPerSecond >= TARGET_RATE && peakRssMb < TARGET_RSS_MB ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
