import { performance } from 'node:perf_hooks';
import { createPostgresEventStore, START, type RecordedEvent } from '@muskel/event-store';
import { RegistryProjection } from '@muskel/projections';

async function main() {
  const url = process.argv[2]!;
  const n = Number(process.argv[3] ?? 100000);
  const store = await createPostgresEventStore({ connectionString: url });
  await store.init();
  let t = performance.now();
  const events: RecordedEvent[] = [];
  for await (const e of store.readAll({ after: START, maxCount: n, filter: { categories: ['household'] } })) events.push(e);
  console.log('readAll', events.length, Math.round(performance.now() - t));
  const p = new RegistryProjection();
  await store.withTransaction(async (tx) => { await p.setup(tx); await p.reset(tx); });
  t = performance.now();
  const times: Record<string, number> = {};
  for (let i = 0; i < events.length; i += 5000) {
    await store.withTransaction(async (tx) => {
      const q = tx.query.bind(tx);
      (tx as any).query = async (sql: string, params?: unknown[]) => {
        const s = performance.now();
        const r = await q(sql, params);
        const key = sql.trim().slice(0, 30);
        times[key] = Math.round((times[key] ?? 0) + performance.now() - s);
        return r;
      };
      const a = performance.now();
      await p.applyBatch(events.slice(i, i + 5000), tx);
      times.applyBatch = Math.round((times.applyBatch ?? 0) + performance.now() - a);
    });
  }
  const total = performance.now() - t;
  console.log('apply', Math.round(total), Math.round(events.length / (total / 1000)), '/s', times);
  await store.close();
}
main();
