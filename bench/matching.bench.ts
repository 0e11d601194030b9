/**
 * Reference-list benchmark (issue 6 item 11), on a fresh PostgreSQL database (dropped afterwards):
 * 1. import of a BENCH_REFERENCE_ROWS-row reference list (default 100,000), streamed: rows/s, target >= 50,000;
 * 2. matching it against a registry of BENCH_REGISTRY_MEMBERS members (default 1,000,000, four per household),
 *    seeded directly into the registry read model (synthetic rows), with BENCH_PLANTED listed members (default 200)
 *    whose households get a CROSS_CHECK removal each: seconds, target < 20 s; peak RSS, target < 500 MB.
 * Run alone: `npx tsx bench/matching.bench.ts` (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { CommandPipeline, ProjectionRunner } from '@muskel/application';
import { createPostgresEventStore } from '@muskel/event-store';
import { setupIdentityCheckTables } from '@muskel/jobs';
import { BlindIndex, createProjections } from '@muskel/projections';
import { ReferenceMatchingService, importReferenceList, syntheticReferenceList } from '@muskel/reference-lists';

const TARGET_IMPORT_RATE = 50_000;
const TARGET_MATCH_SECONDS = 20;
const TARGET_RSS_MB = 500;
const VILLAGE = '3515142001';
const MEMBERS_PER_HOUSEHOLD = 4;

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

/** The i-th synthetic NIK: district 351514, a valid birth date, a serial; distinct for i < 12 * 28 * 50 * 9999. */
function syntheticNik(i: number): string {
  const serial = 1 + (i % 9999);
  let rest = Math.floor(i / 9999);
  const day = 1 + (rest % 28);
  rest = Math.floor(rest / 28);
  const month = 1 + (rest % 12);
  rest = Math.floor(rest / 12);
  const year = 50 + (rest % 50);
  const two = (n: number) => String(n).padStart(2, '0');
  return `351514${two(day)}${two(month)}${two(year)}${String(serial).padStart(4, '0')}`;
}

export interface MatchingBenchFigures {
  importRowsPerSecond: number;
  matchSeconds: number;
  peakRssMb: number;
}

export async function benchMatching(databaseUrl: string): Promise<MatchingBenchFigures> {
  const members = Number(process.env.BENCH_REGISTRY_MEMBERS ?? 1_000_000);
  const rows = Number(process.env.BENCH_REFERENCE_ROWS ?? 100_000);
  const planted = Number(process.env.BENCH_PLANTED ?? 200);
  const households = Math.ceil(members / MEMBERS_PER_HOUSEHOLD);
  return withScratchDatabase(databaseUrl, async (url) => {
    const store = await createPostgresEventStore({ connectionString: url });
    await store.init();
    try {
      for (const projection of createProjections()) await new ProjectionRunner(store, projection).setup();
      await setupIdentityCheckTables(store.executor);
      const index = await BlindIndex.load(store.executor);

      // The registry read model, seeded in SQL: unlisted members' index values are hashes under another key (they
      // only need to be distinct), the planted households are written with their real index values and members.
      const seedStarted = process.hrtime.bigint();
      await store.executor.query(
        `INSERT INTO registry_households (household_id, village_code, status, kk_hmac, names_search, doc, revision,
           last_position, updated_at)
         SELECT 'bench-' || h, $1, 'ACTIVE', encode(sha256(('kk' || h)::bytea), 'hex'), '|', '{"members":[]}'::jsonb,
                0, '0', now()
           FROM generate_series($2::int, $3::int) h`,
        [VILLAGE, planted, households - 1],
      );
      await store.executor.query(
        `INSERT INTO registry_household_niks (nik_hmac, household_id)
         SELECT encode(sha256(('nik' || h || '-' || m)::bytea), 'hex'), 'bench-' || h
           FROM generate_series($1::int, $3::int) h, generate_series(1, $2::int) m`,
        [planted, MEMBERS_PER_HOUSEHOLD, households - 1],
      );
      const listed: string[] = [];
      const plantedRows = [];
      for (let h = 0; h < planted; h++) {
        const niks = Array.from({ length: MEMBERS_PER_HOUSEHOLD }, (_, m) =>
          syntheticNik(h * MEMBERS_PER_HOUSEHOLD + m),
        );
        listed.push(niks[MEMBERS_PER_HOUSEHOLD - 1]!);
        plantedRows.push({
          household_id: `00000000-0000-4000-8000-${String(h).padStart(12, '0')}`,
          nik_hmacs: niks.map((nik) => index.nik(nik)),
          doc: {
            members: niks.map((nik, m) => ({
              memberId: `10000000-0000-4000-8000-${String(h * MEMBERS_PER_HOUSEHOLD + m).padStart(12, '0')}`,
              nik,
              relationship: m === 0 ? 'HEAD' : 'CHILD',
              active: true,
            })),
          },
        });
      }
      await store.executor.query(
        `WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(household_id text, nik_hmacs text[], doc jsonb)),
         households AS (
           INSERT INTO registry_households (household_id, village_code, status, kk_hmac, names_search, doc, revision,
             last_position, updated_at)
           SELECT x.household_id, $1, 'ACTIVE', x.household_id, '|', x.doc, 0, '0', now() FROM x)
         INSERT INTO registry_household_niks (nik_hmac, household_id) SELECT unnest(x.nik_hmacs), x.household_id FROM x`,
        [VILLAGE, JSON.stringify(plantedRows)],
      );
      await store.executor.query('ANALYZE registry_households');
      await store.executor.query('ANALYZE registry_household_niks');
      const seedSeconds = Number(process.hrtime.bigint() - seedStarted) / 1e9;
      console.log(
        `seeded ${households} households (${households * MEMBERS_PER_HOUSEHOLD} members) in ${seedSeconds.toFixed(1)} s`,
      );

      // The list: the planted NIKs among decoys nobody on the registry holds.
      const first = planted * MEMBERS_PER_HOUSEHOLD + 1_000_000;
      function* niks(): Generator<string> {
        const every = Math.max(1, Math.floor(rows / Math.max(1, listed.length)));
        let next = 0;
        for (let i = 0; i < rows; i++) {
          if (i % every === 0 && next < listed.length) yield listed[next++]!;
          else yield syntheticNik(first + i);
        }
      }
      let peakRss = process.memoryUsage().rss;
      const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
      try {
        // The file is written first: the import reads a file, the bench measures the import, not the generator.
        const dir = await mkdtemp(path.join(tmpdir(), 'muskel-bench-'));
        const file = path.join(dir, 'bench-bkn.csv');
        await pipeline(
          Readable.from(syntheticReferenceList('BKN', niks(), { referencePrefix: 'NIP-' })),
          createWriteStream(file),
        );
        const importStarted = process.hrtime.bigint();
        const report = await importReferenceList(store, createReadStream(file), {
          source: 'BKN',
          fileName: 'bench-bkn.csv',
          actor: { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' },
        }).finally(() => rm(dir, { recursive: true, force: true }));
        const importSeconds = Number(process.hrtime.bigint() - importStarted) / 1e9;
        if (report.accepted !== rows) throw new Error(`imported ${report.accepted} of ${rows} rows`);
        const importRowsPerSecond = Math.round(rows / importSeconds);
        console.log(
          `reference-list import: ${rows} rows in ${importSeconds.toFixed(2)} s = ${importRowsPerSecond} rows/s ` +
            `(target >= ${TARGET_IMPORT_RATE})`,
        );

        const service = new ReferenceMatchingService(new CommandPipeline(store), store.executor);
        const matchStarted = process.hrtime.bigint();
        const result = await service.run(report.importId);
        const matchSeconds = Number(process.hrtime.bigint() - matchStarted) / 1e9;
        if (result.outcome !== 'MATCHED' || result.removalProposalsOpened !== planted) {
          throw new Error(`expected ${planted} removals, got ${JSON.stringify(result)}`);
        }
        const peakRssMb = Math.round(peakRss / 1024 / 1024);
        console.log(
          `matching: ${households * MEMBERS_PER_HOUSEHOLD} registry members against ${rows} list rows in ` +
            `${matchSeconds.toFixed(2)} s (target < ${TARGET_MATCH_SECONDS} s), ${result.registryMatches} matches, ` +
            `${result.removalProposalsOpened} removals opened; peak RSS ${peakRssMb} MB (target < ${TARGET_RSS_MB})`,
        );
        return { importRowsPerSecond, matchSeconds, peakRssMb };
      } finally {
        clearInterval(sample);
      }
    } finally {
      await store.close();
    }
  });
}

if (require.main === module) {
  benchMatching(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test').then(
    ({ importRowsPerSecond, matchSeconds, peakRssMb }) => {
      process.exitCode =
        importRowsPerSecond >= TARGET_IMPORT_RATE && matchSeconds < TARGET_MATCH_SECONDS && peakRssMb < TARGET_RSS_MB
          ? 0
          : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
