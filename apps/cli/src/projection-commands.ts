import { InvalidArgumentError, type Command } from 'commander';
import { rebuildProjection, type RebuildProgress } from '@muskel/application';
import { validateConfig, type AppConfig } from '@muskel/config';
import { comparePositions, type EventStore } from '@muskel/event-store';
import { readModelDatabaseOf } from '@muskel/personal-data';
import { createProjections, projectionNames } from '@muskel/projections';
import { CliError } from './create-admin';
import { openServiceStore } from './open-store';

export interface ProjectionStatus {
  name: string;
  checkpoint: string | null;
  head: string;
  upToDate: boolean;
  rebuilding: boolean;
}

async function withStore<T>(config: AppConfig, work: (store: EventStore) => Promise<T>): Promise<T> {
  // Rebuilds read events like the worker does: personal data decrypted (or erased).
  const store = await openServiceStore(config);
  try {
    try {
      readModelDatabaseOf(store);
    } catch {
      throw new CliError('this store keeps no read models (no SQL database)', 1);
    }
    return await work(store);
  } finally {
    await store.close();
  }
}

function selected(name: string): ReturnType<typeof createProjections> {
  const all = createProjections();
  if (name === 'all') return all;
  const found = all.filter((projection) => projection.name === name);
  if (found.length === 0) {
    throw new InvalidArgumentError(`unknown projection "${name}": one of ${projectionNames.join(', ')} or all`);
  }
  return found;
}

/** Rebuilds the named projection (or all), printing progress on stderr; resumes a rebuild that was interrupted. */
export async function rebuildProjections(
  config: AppConfig,
  name: string,
  options: { batchSize?: number; progress?: (line: string) => void } = {},
): Promise<{ name: string; applied: number; seconds: number; resumed: boolean }[]> {
  const projections = selected(name);
  const say = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  return withStore(config, async (store) => {
    const results = [];
    for (const projection of projections) {
      const started = Date.now();
      let lastReport = 0;
      const onProgress = (p: RebuildProgress) => {
        const now = Date.now();
        if (!p.done && now - lastReport < 2_000) return;
        lastReport = now;
        const rate = Math.round(p.applied / Math.max(0.001, (now - started) / 1000));
        say(`${p.name}: ${p.applied} events applied (${rate}/s)${p.done ? ', done' : ''}`);
      };
      const result = await rebuildProjection(store, projection, { batchSize: options.batchSize, onProgress });
      if (result.resumed) say(`${projection.name}: resumed an interrupted rebuild`);
      results.push({
        name: projection.name,
        applied: result.applied,
        seconds: (Date.now() - started) / 1000,
        resumed: result.resumed,
      });
    }
    return results;
  });
}

/** Each projection's checkpoint against the log's head. */
export async function projectionStatus(config: AppConfig): Promise<ProjectionStatus[]> {
  return withStore(config, async (store) => {
    const head = await store.headPosition();
    let rebuilding = new Set<string>();
    try {
      await store.withTransaction(async (tx) => {
        const rows = await tx.query<{ name: string }>('SELECT name FROM projection_rebuilds');
        rebuilding = new Set(rows.map((row) => row.name));
      });
    } catch {
      // No rebuild has ever run: the table does not exist yet.
    }
    const statuses: ProjectionStatus[] = [];
    for (const name of projectionNames) {
      const checkpoint = (await store.checkpoints.load(name)) ?? null;
      statuses.push({
        name,
        checkpoint,
        head,
        upToDate: checkpoint !== null ? comparePositions(checkpoint, head) >= 0 : head === 'START',
        rebuilding: rebuilding.has(name),
      });
    }
    return statuses;
  });
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('must be a whole number of at least 1');
  return parsed;
}

/**
 * `projections rebuild [name|all]` and `projections status`. Rebuilding takes the projection's lease, so a running
 * worker stands aside until it is done; on the embedded store, stop the service first (one process at a time).
 */
export function registerProjectionCommands(program: Command): void {
  const projections = program.command('projections').description('read models kept from the event log');

  projections
    .command('rebuild')
    .description(`rebuild a read model from the log: ${projectionNames.join(', ')} or all (default)`)
    .argument('[name]', 'projection name, or all', 'all')
    .option('--batch-size <events>', 'events per page and transaction (default 2000)', positiveInt)
    .action(async (name: string, options: { batchSize?: number }) => {
      const config = validateConfig(process.env);
      const results = await rebuildProjections(config, name, { batchSize: options.batchSize });
      for (const result of results) {
        process.stdout.write(
          `${result.name}: rebuilt, ${result.applied} events in ${result.seconds.toFixed(1)} s` +
            `${result.resumed ? ' (resumed)' : ''}\n`,
        );
      }
    });

  projections
    .command('status')
    .description('where each read model stands against the head of the log')
    .action(async () => {
      const config = validateConfig(process.env);
      for (const s of await projectionStatus(config)) {
        const state = s.rebuilding ? 'rebuilding' : s.upToDate ? 'up to date' : 'behind';
        process.stdout.write(`${s.name}: ${state} (checkpoint ${s.checkpoint ?? 'none'}, head ${s.head})\n`);
      }
    });
}
