import { setTimeout as sleep } from 'node:timers/promises';
import { ProjectionRunner, type Projection } from '@muskel/application';
import { comparePositions, type EventStore, type LogPosition } from '@muskel/event-store';

/** Waits until everything written up to `target` is settled (readable in the global log). */
async function settled(store: EventStore, target: LogPosition, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (comparePositions(await store.headPosition(), target) < 0) {
    if (Date.now() > deadline) throw new Error('the event log did not settle in time (a long transaction is open)');
    await sleep(20);
  }
}

/**
 * Runs the reactors until none has anything left to do: one reactor's commands are another's input (accepted
 * proposals come from batch results), so passes repeat until the log's head stops moving. For the CLI and tests;
 * a worker runs each reactor with its own long-lived ProjectionRunner instead.
 */
export async function catchUpReactors(
  store: EventStore,
  reactors: readonly Projection[],
  options: { timeoutMs?: number; maxPasses?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  for (let pass = 0; pass < (options.maxPasses ?? 10); pass++) {
    const head = await store.writtenHead();
    await settled(store, head, timeoutMs);
    for (const reactor of reactors) {
      let failure: unknown;
      const runner = new ProjectionRunner(store, reactor, { onError: (error) => (failure ??= error) });
      await runner.setup();
      runner.start();
      try {
        const reached = await runner.waitFor(head, timeoutMs);
        if (failure !== undefined) {
          throw failure instanceof Error ? failure : new Error(`reactor ${reactor.name} failed`, { cause: failure });
        }
        if (!reached) throw new Error(`reactor ${reactor.name} did not catch up within ${timeoutMs} ms`);
      } finally {
        await runner.stop();
      }
    }
    if (comparePositions(await store.writtenHead(), head) <= 0) return;
  }
  throw new Error('the reactors kept producing work after the maximum number of passes');
}

/** Forgets where the reactors got to, so the next run replays the whole log (SQL stores). */
export async function resetReactorCheckpoints(store: EventStore, names: readonly string[]): Promise<void> {
  await store.withTransaction((tx) =>
    tx.query('DELETE FROM es_checkpoints WHERE subscriber_id = ANY($1::text[])', [names]),
  );
}
