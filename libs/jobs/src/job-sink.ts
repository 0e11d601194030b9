import { Queue, type ConnectionOptions } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, type JobPayloads, type QueueName } from './queues';

/** Where the dispatcher and the reconciler put work: BullMQ in production and in tests (a real Redis). */
export interface JobSink {
  enqueue<Q extends QueueName>(queue: Q, payload: JobPayloads[Q], jobId: string): Promise<void>;
}

/** BullMQ queues, one per name, created on first use. */
export class BullJobSink implements JobSink {
  private readonly queues = new Map<QueueName, Queue>();

  /**
   * For enqueueing from inside a database transaction (the dispatcher), pass a connection with
   * `enableOfflineQueue: false`: while Redis is down an add then fails at once, the transaction rolls back and is
   * retried later, instead of staying open (an open transaction would hold back every reader of the log).
   */
  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
    private readonly timeoutMs = 2000,
  ) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<Q extends QueueName>(name: Q, payload: JobPayloads[Q], jobId: string): Promise<void> {
    // An existing id (waiting, active, finished and kept) makes this a no-op: the work is enqueued once.
    const added = this.queue(name).add(name, payload, { jobId });
    // Bounded: BullMQ first waits for its connection, and a caller holding a database transaction must not wait
    // for Redis to come back. An add that completes after the timeout is harmless (same job id on the retry).
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailableError(this.timeoutMs)), this.timeoutMs);
    });
    added.catch(() => undefined);
    try {
      await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Closes the queues; with Redis unreachable a graceful close would wait for it (an add still pending), so after
   * `graceMs` the connections are dropped instead. Nothing is lost: the outbox re-enqueues what did not arrive.
   */
  async close(graceMs = 2000): Promise<void> {
    await Promise.all(
      [...this.queues.values()].map(async (queue) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
        const closed = await Promise.race([queue.close().then(() => 'closed' as const), late]);
        clearTimeout(timer);
        if (closed === 'late') await queue.disconnect();
      }),
    );
  }
}

/** Redis did not take a job in time: the caller's transaction rolls back and the work is tried again later. */
export class RedisUnavailableError extends Error {
  constructor(timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
    this.name = 'RedisUnavailableError';
  }
}
