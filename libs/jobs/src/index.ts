/** Background work on BullMQ: queues and payloads, the outbox dispatcher, the reconciler and the processors' logic. */
export { DEFAULT_JOB_OPTIONS, QUEUES, jobIdFor, type JobPayloads, type QueueName } from './queues';
export { NonRetryableJobError } from './job-errors';
export { BullJobSink, RedisUnavailableError, type JobSink } from './job-sink';
export {
  type Expectation,
  type ExpectationOutcome,
  closeExpectations,
  overdueExpectations,
  setupExpectations,
} from './expectations';
export { JOB_DISPATCHER, JobDispatcher, type JobDispatcherOptions } from './job-dispatcher.projection';
export { reconcile, type ReconcileReport } from './reconciler';
export { IdentityCheckService, setupIdentityCheckTables, type IdentityCheckResult } from './identity-check.service';
