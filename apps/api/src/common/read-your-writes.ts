import { setTimeout as sleep } from 'node:timers/promises';
import { comparePositions, type EventStore, type LogPosition } from '@muskel/event-store';
import { ApiError } from '@muskel/http';

/** How long a query waits for its projection to reach the position a client asked for. */
export const READ_YOUR_WRITES_TIMEOUT_MS = 5_000;

/**
 * Read-your-writes: waits, bounded, until projection `name` has applied the log up to `minPosition` (the `position`
 * a command answered). Polls the checkpoint table rather than an in-process signal, so it works in an API process
 * that does not run the projection (MUSKEL_ROLE=api). Answers false on timeout: the caller then serves what it has
 * and says so in the `X-Projection-Behind` header.
 */
export async function waitForPosition(
  store: EventStore,
  names: readonly string[],
  minPosition: string | undefined,
  timeoutMs = READ_YOUR_WRITES_TIMEOUT_MS,
): Promise<boolean> {
  if (minPosition === undefined || minPosition === '') return true;
  let target: LogPosition;
  try {
    target = minPosition;
    comparePositions(target, target);
  } catch {
    throw new ApiError(400, 'INVALID_MIN_POSITION', 'minPosition must be a position returned by a command.');
  }
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const reached = await Promise.all(
      names.map(async (name) => {
        const checkpoint = await store.checkpoints.load(name);
        return checkpoint !== undefined && comparePositions(checkpoint, target) >= 0;
      }),
    );
    if (reached.every(Boolean)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}
