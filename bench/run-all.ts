/**
 * `npm run bench`: every benchmark, each in its own process (so peak RSS is the measured work's own), one after the
 * other so they do not compete for the two cores; then the figures with their targets once more, together.
 * Benchmarks report and never fail on a missed target; the exit code is non-zero only when one could not run.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REBUILD_NODE_FLAGS } from './projections.bench';

// The rebuild runs with the young generation the CLI gives it (package.json `cli`): see REBUILD_NODE_FLAGS.
const BENCHES = [
  ['event store', 'event-store.bench.ts'],
  ['registry projection rebuild', 'projections.bench.ts', ...REBUILD_NODE_FLAGS],
  ['audit log integrator', 'audit.bench.ts'],
  ['baseline import', 'import.bench.ts'],
  ['HTTP commands', 'http.bench.ts'],
  ['reference lists', 'matching.bench.ts'],
] as const satisfies readonly (readonly string[])[];

const tsx = path.resolve(__dirname, '../node_modules/.bin/tsx');
const summary: string[] = [];
let failed = false;
for (const [title, file, ...flags] of BENCHES) {
  process.stdout.write(`\n=== ${title} (bench/${file})\n`);
  const run = spawnSync(tsx, [...flags, path.join(__dirname, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(run.stdout ?? '');
  const lines = (run.stdout ?? '').split('\n').filter((line) => /target/i.test(line));
  summary.push(...lines.map((line) => `${title}: ${line.trim()}`));
  // The import bench exits 1 on a missed target (it says so in its line); only a crash without a figure is a failure.
  if (run.status !== 0 && lines.length === 0) failed = true;
}
process.stdout.write(`\n=== summary (figure, target)\n${summary.join('\n')}\n`);
process.exitCode = failed ? 1 : 0;
