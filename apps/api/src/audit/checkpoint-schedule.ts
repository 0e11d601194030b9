import { createHash } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { type AuditLog, AuditLogIntegrityError, type CheckpointSigner } from '@muskel/audit-log';

/** What one run of the scheduled job did. */
export type CheckpointRun = { signed: true; size: number } | { signed: false; size: number; reason: 'UNCHANGED' };

export interface CheckpointScheduleOptions {
  connection: ConnectionOptions;
  /** Milliseconds between runs. */
  everyMs: number;
  /** BullMQ key prefix (default `muskel`). */
  prefix?: string;
  onSigned?: (run: CheckpointRun) => void;
  onError?: (error: Error) => void;
}

/**
 * Signs a checkpoint of the audit log on a schedule, as data in Redis (a BullMQ job scheduler), never an in-process
 * timer: with several workers the schedule runs once per interval on one of them, and a restarted worker resumes it.
 * The queue is named after the log's verifier key, so deployments sharing a Redis never sign each other's logs.
 * A run signs only when the tree has grown since the last checkpoint: C2SP checkpoints carry no time, so signing the
 * same tree again would add nothing.
 */
export class CheckpointSchedule {
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(
    private readonly signer: CheckpointSigner,
    private readonly log: AuditLog,
    private readonly options: CheckpointScheduleOptions,
  ) {}

  /** The queue of this log: `audit-checkpoints-<16 hex of SHA-256(verifier key)>`. */
  static async queueName(signer: CheckpointSigner): Promise<string> {
    const digest = createHash('sha256')
      .update(await signer.verifierKey())
      .digest('hex');
    return `audit-checkpoints-${digest.slice(0, 16)}`;
  }

  async start(): Promise<void> {
    const name = await CheckpointSchedule.queueName(this.signer);
    const prefix = this.options.prefix ?? 'muskel';
    this.queue = new Queue(name, { connection: this.options.connection, prefix });
    // Upsert: every worker declares the same scheduler on start; the last interval configured wins.
    await this.queue.upsertJobScheduler(
      'sign-checkpoint',
      { every: this.options.everyMs },
      { name: 'sign-checkpoint', data: {}, opts: { removeOnComplete: 50, removeOnFail: 200 } },
    );
    this.worker = new Worker(name, () => this.runOnce(), {
      connection: this.options.connection,
      prefix,
      concurrency: 1,
    });
    this.worker.on('completed', (_job, run: CheckpointRun) => this.options.onSigned?.(run));
    this.worker.on('failed', (_job, error) => this.options.onError?.(error));
    this.worker.on('error', (error) => this.options.onError?.(error));
  }

  /** One scheduled run: sign when the log has grown. An integrity refusal is not retried (it needs a human). */
  async runOnce(): Promise<CheckpointRun> {
    const [size, latest] = await Promise.all([this.log.size(), this.signer.latest()]);
    if (latest !== undefined && latest.size === size) return { signed: false, size, reason: 'UNCHANGED' };
    try {
      const checkpoint = await this.signer.signNow();
      return { signed: true, size: checkpoint.size };
    } catch (error) {
      if (error instanceof AuditLogIntegrityError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  /** Stops this process's worker (finishing a run in progress); the schedule stays for the other workers. */
  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }

  /** Removes the schedule and the queue's keys (tests, decommissioning a log). */
  async remove(): Promise<void> {
    await this.worker?.close();
    if (this.queue) {
      await this.queue.removeJobScheduler('sign-checkpoint');
      await this.queue.obliterate({ force: true });
      await this.queue.close();
    }
  }
}
