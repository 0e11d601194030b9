import { performance } from 'node:perf_hooks';
import { rebuildProjection } from '@muskel/application/projection-runner';
import { createPostgresEventStore } from '@muskel/event-store';
import { RegistryProjection } from '@muskel/projections';

async function main() {
  const store = await createPostgresEventStore({ connectionString: process.argv[2]! });
  await store.init();
  await store.executor.query('DELETE FROM projection_rebuilds').catch(() => undefined);
  const t = performance.now();
  let last = t;
  const r = await rebuildProjection(store, new RegistryProjection(), {
    batchSize: Number(process.env.BENCH_BATCH ?? 5000),
    onProgress: (p) => {
      const now = performance.now();
      if (now - last > 10000 || p.done) { last = now; console.log(p.applied, Math.round(p.applied / ((now - t) / 1000)), '/s'); }
    },
  });
  const s = (performance.now() - t) / 1000;
  console.log('rebuild', r.applied, s.toFixed(1), 's', Math.round(r.applied / s), '/s');
  await store.close();
}
main();
