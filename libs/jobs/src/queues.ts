import { deterministicId } from '@muskel/application';
import type { JobsOptions } from 'bullmq';

/** The queues of the background work. Names are part of Redis keys: letters, digits and dashes only. */
export const QUEUES = {
  identityChecks: 'identity-checks',
  reconcile: 'reconcile',
  monthlyCycle: 'monthly-cycle',
  siksExports: 'siks-exports',
  pusdatinResults: 'pusdatin-results',
  referenceMatching: 'reference-matching',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * Job payloads carry ids only, never personal data (UU 27/2022 PDP): a processor reads what it needs from the
 * database, decrypted in memory, and Redis (its dumps, its monitoring) never sees a NIK or a name.
 */
export interface JobPayloads {
  'identity-checks': { proposalId: string; contentEventId: string };
  reconcile: Record<string, never>;
  /** A scheduler's tick (plans the due steps), or one step of one regency's month (see libs/jobs monthly-cycle). */
  'monthly-cycle':
    | { kind: 'tick' }
    | {
        kind: 'step';
        regencyCode: string;
        period: string;
        step: 'OPEN' | 'REMIND' | 'CLOSE';
        cutoffDate: string;
        at: string;
      };
  /** A batch's SIKS-NG export at one revision of its stream; `requestedBy` is the verifier's user id. */
  'siks-exports': { batchId: string; revision: number; requestedBy: string };
  /** A Pusdatin result file stored in job_files (its id), to record on the batch as `requestedBy`. */
  'pusdatin-results': { batchId: string; fileId: string; requestedBy: string };
  /** Matches one reference-list import against pending proposals and the registry. */
  'reference-matching': { importId: string };
}

/**
 * A job's id derives from its cause, so the same work enqueued twice (a replayed dispatcher page, the reconciler,
 * two workers) is one job in BullMQ, which ignores an add whose id exists. No colons: BullMQ keys use them.
 */
export function jobIdFor(queue: QueueName, ...cause: string[]): string {
  return `${queue}-${deterministicId('job', queue, ...cause)}`;
}

/** Retries with exponential back-off (1 s, 2 s, 4 s, ...); finished jobs kept a while for GET /jobs/:id. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};
