import { UnrecoverableError } from 'bullmq';

/**
 * A job that can never succeed (the proposal does not exist, the payload is malformed): BullMQ fails it at once
 * instead of retrying. `code` is a stable identifier for GET /jobs/:id and the logs.
 */
export class NonRetryableJobError extends UnrecoverableError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'NonRetryableJobError';
  }
}
