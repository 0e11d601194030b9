/**
 * Redis hygiene for tests that start the built application as child processes: their jobs go under a prefix of
 * their own, checkpoints are signed only on demand, and every key under the prefix is removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** Environment for a child process: its own jobs prefix, no scheduled signing (no schedule left in Redis). */
export function isolatedJobsEnv(): {
  JOBS_PREFIX: string;
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: string;
  CYCLE_SCHEDULE: string;
} {
  return {
    JOBS_PREFIX: `muskel-test-${randomUUID().replace(/-/g, '')}`,
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
    CYCLE_SCHEDULE: 'off',
  };
}

/** Deletes every key under `prefix:` (SCAN, never KEYS, so a busy Redis is not blocked). */
export async function removeRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  let removed = 0;
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) removed += await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
  return removed;
}
