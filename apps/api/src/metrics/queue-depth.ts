import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { SqlQueryable } from '@muskel/event-store';
import { QUEUES } from '@muskel/jobs';

/** The job states a scrape counts, as BullMQ names them. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** How long a scrape waits for Redis before it reports it down rather than hang. */
const REDIS_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The depth of this deployment's BullMQ queues (QUEUES of @muskel/jobs), read at each scrape. The queues' key prefix
 * is the one the worker uses (apps/api/src/jobs/job-prefix.ts): JOBS_PREFIX, or `muskel-<id>` with the id the worker
 * keeps in `muskel_instance`. Read here rather than created: before any worker has run there are no queues to count.
 */
export class QueueDepth {
  private queues: Queue[] | undefined;
  private redis: Redis | undefined;
  private opening: Promise<Queue[] | undefined> | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly configuredPrefix: string | undefined,
  ) {}

  /** Resolves when Redis answers a PING within the timeout, rejects otherwise. */
  async ping(): Promise<void> {
    // Fail fast when Redis is down: a scrape reports it instead of queueing commands until it returns.
    if (!this.redis) {
      this.redis = new Redis(this.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
      this.redis.on('error', () => undefined); // reported by the scrape, not as an unhandled error event
    }
    if (this.redis.status === 'wait') await withTimeout(this.redis.connect(), REDIS_TIMEOUT_MS);
    await withTimeout(this.redis.ping(), REDIS_TIMEOUT_MS);
  }

  /** Job counts by queue and state; undefined when no worker has named the queues yet. Rejects when Redis fails. */
  async counts(db: SqlQueryable): Promise<{ queue: string; state: QueueState; count: number }[] | undefined> {
    const queues = await this.open(db);
    if (!queues) return undefined;
    const rows = await Promise.all(
      queues.map(async (queue) => {
        const counts = await withTimeout(queue.getJobCounts(...QUEUE_STATES), REDIS_TIMEOUT_MS);
        return QUEUE_STATES.map((state) => ({ queue: queue.name, state, count: counts[state] ?? 0 }));
      }),
    );
    return rows.flat();
  }

  async close(): Promise<void> {
    const queues = this.queues ?? (await this.opening?.catch(() => undefined));
    // disconnect(), not close(): these queues only count, and close() waits for a Redis that may be gone.
    await Promise.all((queues ?? []).map((queue) => queue.disconnect().catch(() => undefined)));
    this.redis?.disconnect();
  }

  private open(db: SqlQueryable): Promise<Queue[] | undefined> {
    if (this.queues) return Promise.resolve(this.queues);
    this.opening ??= this.prefix(db)
      .then((prefix) => {
        if (prefix === undefined) return undefined;
        const connection = { url: this.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
        this.queues = Object.values(QUEUES).map((name) => new Queue(name, { connection, prefix }));
        return this.queues;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private async prefix(db: SqlQueryable): Promise<string | undefined> {
    if (this.configuredPrefix !== undefined) return this.configuredPrefix;
    const [table] = await db.query<{ present: boolean }>(
      "SELECT to_regclass('muskel_instance') IS NOT NULL AS present",
    );
    if (!table?.present) return undefined;
    const [row] = await db.query<{ instance_id: string }>('SELECT instance_id FROM muskel_instance WHERE id = 1');
    return row ? `muskel-${row.instance_id}` : undefined;
  }
}
