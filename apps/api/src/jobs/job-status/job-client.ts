import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfig } from '@muskel/config';
import type { SqlExecutor } from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { BullJobSink, QUEUES, RedisUnavailableError, type JobPayloads, type QueueName } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { jobsPrefix, redactedRedisUrl } from '../job-prefix';

/**
 * How long an HTTP request waits for Redis before answering 503: a backstop only, for an unreachable Redis fails
 * the call by itself after one reconnection attempt (maxRetriesPerRequest 1); a loaded machine's first connection
 * may take a few seconds and must not be mistaken for an outage.
 */
const REDIS_TIMEOUT_MS = 10_000;

const redisDown = () =>
  new ApiError(
    503,
    'JOBS_UNAVAILABLE',
    'Background jobs are unavailable right now (Redis does not answer); try again later.',
  );

/**
 * The API's own handle on the job queues (in the `api` role there is no JobsModule): enqueue and read jobs by id,
 * under the deployment's prefix, so the worker processes pick them up. Queues connect on first use; every call is
 * bounded, and an unreachable Redis becomes a 503 (the rest of the API keeps serving).
 */
@Injectable()
export class JobClient implements OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private sink: Promise<BullJobSink> | undefined;
  private readonly watched = new Set<QueueName>();
  private saidDown = false;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(SQL_DATABASE) private readonly db: SqlExecutor,
  ) {}

  private async queues(): Promise<BullJobSink> {
    this.sink ??= jobsPrefix(this.db, this.config.JOBS_PREFIX).then(
      (prefix) => new BullJobSink({ url: this.config.REDIS_URL, maxRetriesPerRequest: 1 }, prefix, REDIS_TIMEOUT_MS),
    );
    return this.sink;
  }

  private async queue(name: QueueName) {
    const queue = (await this.queues()).queue(name);
    if (!this.watched.has(name)) {
      this.watched.add(name);
      // A queue without an error listener would crash the process when Redis goes away; say it once instead.
      queue.on('error', (error: Error) => {
        if (this.saidDown) return;
        this.saidDown = true;
        this.logger.error(
          `Redis at ${redactedRedisUrl(this.config.REDIS_URL)} is unreachable (${error.message}); job requests answer 503`,
        );
      });
    }
    return queue;
  }

  /** Adds the job (a no-op when a job with this id exists); 503 when Redis does not take it in time. */
  async enqueue<Q extends QueueName>(name: Q, payload: JobPayloads[Q], jobId: string): Promise<void> {
    await this.queue(name);
    try {
      await (await this.queues()).enqueue(name, payload, jobId);
      this.saidDown = false;
    } catch (error) {
      if (error instanceof RedisUnavailableError || isConnectionError(error)) throw redisDown();
      throw error;
    }
  }

  /** The job with this id, or undefined when its queue or the job is unknown; 503 when Redis does not answer. */
  async find(jobId: string): Promise<{ queue: QueueName; job: Job; state: string } | undefined> {
    const name = Object.values(QUEUES).find((q) => jobId.startsWith(`${q}-`));
    if (!name || !/^[a-z-]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(jobId))
      return undefined;
    const queue = await this.queue(name);
    const found = await bounded(async () => {
      // The state first: a job read before it finishes would show 'completed' without its return value.
      const state = await queue.getJobState(jobId);
      const job: Job | undefined = await queue.getJob(jobId);
      return job && state !== 'unknown' ? { job, state } : undefined;
    });
    this.saidDown = false;
    return found ? { queue: name, ...found } : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.sink) return;
    const sink = await this.sink;
    try {
      await sink.close();
    } catch {
      // Redis unreachable: nothing to flush; drop the connections so no reconnection outlives the app.
      await Promise.all(
        [...this.watched].map((name) =>
          sink
            .queue(name)
            .disconnect()
            .catch(() => undefined),
        ),
      );
    }
  }
}

function isConnectionError(error: unknown): boolean {
  return /ECONNREFUSED|Connection is closed|enableOfflineQueue|max retries per request/i.test(
    (error as Error).message ?? '',
  );
}

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(redisDown()), REDIS_TIMEOUT_MS);
  });
  const running = work();
  running.catch(() => undefined);
  try {
    return await Promise.race([running, timeout]);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (isConnectionError(error)) throw redisDown();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
