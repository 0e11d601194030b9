/**
 * Child process of the crash test: rebuilds one projection on the PostgreSQL database in MUSKEL_TEST_DATABASE_URL
 * and prints `applied <n>` after every page, until the parent kills it.
 */
import { rebuildProjection } from '@muskel/application';
import { createPostgresEventStore } from '@muskel/event-store';
import { createProjections } from '../index';

async function main(): Promise<void> {
  const store = await createPostgresEventStore({ connectionString: process.env.MUSKEL_TEST_DATABASE_URL! });
  await store.init();
  const projection = createProjections().find((p) => p.name === process.env.MUSKEL_TEST_PROJECTION)!;
  await rebuildProjection(store, projection, {
    batchSize: Number(process.env.MUSKEL_TEST_BATCH ?? 1000),
    // Segments of a few pages, so the kill lands between committed segments, mid-rebuild.
    segmentSize: Number(process.env.MUSKEL_TEST_SEGMENT ?? 4000),
    // Long: on a loaded machine a short lease expires between renewals. The parent's resumed rebuild takes over.
    leaseTtlMs: 30_000,
    byStream: process.env.MUSKEL_TEST_BY_STREAM !== '0',
    onProgress: (p) => process.stdout.write(`applied ${p.applied}\n`),
  });
  process.stdout.write('finished\n');
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
