import type { BullJobSink } from './job-sink';
import { closeExpectations, overdueExpectations, postponeExpectation, type SqlRunner } from './expectations';

export interface ReconcileReport {
  /** Overdue expectations looked at. */
  examined: number;
  /** Their job was gone (Redis flushed or restarted without persistence, or removed): enqueued again. */
  reenqueued: number;
  /** Their job had used up its retries: retried once more. */
  retried: number;
  /** Their job failed for good (a non-retryable error): closed as FAILED with the reason. */
  failed: number;
  /** Still waiting, running or finishing: looked at again later. */
  pending: number;
}

/**
 * Finds work that should have a result by now but has none, and makes sure a job for it exists. Runs as a
 * scheduled job itself; safe to run anywhere and any number of times (job ids derive from the cause).
 */
export async function reconcile(
  sql: SqlRunner,
  jobs: BullJobSink,
  options: { reconcileAfterSeconds: number; limit?: number },
): Promise<ReconcileReport> {
  const report: ReconcileReport = { examined: 0, reenqueued: 0, retried: 0, failed: 0, pending: 0 };
  for (const expected of await overdueExpectations(sql, options.limit ?? 1000)) {
    report.examined += 1;
    const queue = jobs.queue(expected.queue);
    const job = await queue.getJob(expected.jobId);
    if (!job) {
      await jobs.enqueue(expected.queue, expected.payload, expected.jobId);
      report.reenqueued += 1;
    } else {
      const state = await job.getState();
      if (state === 'failed') {
        // Failed before its attempts ran out: a NonRetryableJobError, which no retry will change.
        if (job.attemptsMade < (job.opts.attempts ?? 1)) {
          await closeExpectations(sql, expected.queue, [expected.jobId], 'FAILED', job.failedReason);
          report.failed += 1;
          continue;
        }
        await job.retry('failed');
        report.retried += 1;
      } else {
        report.pending += 1;
      }
    }
    await postponeExpectation(sql, expected.queue, expected.jobId, options.reconcileAfterSeconds);
  }
  return report;
}
