import { Inject } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import {
  DEFAULT_JOB_OPTIONS,
  MonthlyCycleService,
  NonRetryableJobError,
  QUEUES,
  type CycleStepOutcome,
  type JobPayloads,
} from '@muskel/jobs';

/** What a tick returns: how many steps it found due (their jobs dedupe by id). */
export type CycleTickResult = { planned: number };

/**
 * The monthly cycle's worker: a scheduler's `tick` plans the due steps of every regency and enqueues each as a
 * `step` job with a deterministic id (two ticks, or two workers ticking, enqueue it once); a `step` performs one
 * step. Steps are short and idempotent, so a step left by a killed worker is taken over quickly: its lock lasts
 * 10 s and stalled jobs are looked for every 5 s (BullMQ's defaults are 30 s each).
 */
@Processor(QUEUES.monthlyCycle, { lockDuration: 10_000, stalledInterval: 5_000 })
export class MonthlyCycleProcessor extends WorkerHost {
  constructor(
    @Inject(MonthlyCycleService) private readonly cycle: MonthlyCycleService,
    @InjectQueue(QUEUES.monthlyCycle) private readonly queue: Queue<JobPayloads['monthly-cycle']>,
  ) {
    super();
  }

  async process(job: Job<JobPayloads['monthly-cycle']>): Promise<CycleTickResult | CycleStepOutcome> {
    const data = job.data;
    switch (data.kind) {
      case 'tick': {
        // What is due now: a tick that runs late (Redis or the worker was down) catches up on everything missed.
        const planned = await this.cycle.plan(new Date());
        if (planned.length > 0) {
          await this.queue.addBulk(
            planned.map(({ jobId, job: step }) => ({
              name: 'step',
              data: step,
              opts: { ...DEFAULT_JOB_OPTIONS, jobId },
            })),
          );
        }
        return { planned: planned.length };
      }
      case 'step':
        return this.cycle.perform(data);
      default: {
        const _exhaustive: never = data;
        throw new NonRetryableJobError('INVALID_JOB', 'unknown monthly-cycle job');
      }
    }
  }
}
