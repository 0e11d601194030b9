import type { ExpectedState, StreamState } from './types';

/** Base of every error the event store raises on purpose; `code` is stable and safe to show. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

/** The stream's state is not what the writer expected: nothing was written. Maps to 409/412 at the edge. */
export class WrongExpectedVersionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedState,
    readonly actual: StreamState,
  ) {
    super(`stream "${stream}" was expected to be at ${String(expected)} but is at ${String(actual)}`);
  }
}

/** Bad input to the store (stream name, event type, data, sizes, revisions, positions): nothing was written. */
export class InvalidArgumentError extends EventStoreError {
  constructor(
    readonly code: string,
    message: string,
    /** Which part of the input is wrong, e.g. `events[2].data.name`. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** An event id was already used for a different event or at a different place: nothing was written. */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'DUPLICATE_EVENT_ID';
  constructor(
    readonly stream: string,
    readonly eventId: string,
    detail: string,
  ) {
    super(`event id ${eventId} cannot be appended to "${stream}": ${detail}`);
  }
}

/** Another writer keeps winning a race on the same stream; the append was retried and gave up. */
export class AppendContentionError extends EventStoreError {
  readonly code = 'APPEND_CONTENTION';
  constructor(
    readonly stream: string,
    readonly attempts: number,
  ) {
    super(`append to "${stream}" lost ${attempts} races in a row; try again`);
  }
}

/** A checkpoint was saved with an `expectedPrevious` that no longer holds (another instance moved it). */
export class CheckpointConflictError extends EventStoreError {
  readonly code = 'CHECKPOINT_CONFLICT';
  constructor(
    readonly subscriberId: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(`checkpoint of "${subscriberId}" was expected at ${expected ?? 'none'} but is at ${actual ?? 'none'}`);
  }
}

/** The store was closed; no further calls are accepted. */
export class StoreClosedError extends EventStoreError {
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('the event store is closed');
  }
}

/** The store cannot be reached or refused to start (for example after a restore that left the xid counter behind). */
export class StoreUnavailableError extends EventStoreError {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Inside `withTransaction`, another writer changed a stream this transaction appends to, after this transaction
 * began: the whole transaction must be run again (nothing of it was committed).
 */
export class TransactionConflictError extends EventStoreError {
  readonly code = 'TRANSACTION_CONFLICT';
  constructor(readonly stream: string) {
    super(`another writer appended to "${stream}" while this transaction ran; run the transaction again`);
  }
}
