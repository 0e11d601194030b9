/**
 * Errors of the KurrentDB adapter, apart from the client so that importing them does not load it (the client
 * loads a native module; only a process configured for KurrentDB should pay for that).
 */
import { EventStoreError } from '../errors';
import type { Revision } from '../types';

/** `tx.appendToStream` inside `withTransaction` on KurrentDB: the append cannot join a PostgreSQL transaction. */
export class AppendInTransactionUnsupportedError extends EventStoreError {
  readonly code = 'APPEND_IN_TRANSACTION_UNSUPPORTED';
  constructor(readonly stream: string) {
    super(
      `cannot append to "${stream}" inside a transaction: on KurrentDB, transactions cover the read-model ` +
        'database only (append outside withTransaction)',
    );
  }
}

/** `appendToStreams` on a KurrentDB server older than 25.1, which has no multi-stream append. */
export class MultiStreamAppendUnsupportedError extends EventStoreError {
  readonly code = 'MULTI_STREAM_APPEND_UNSUPPORTED';
  constructor(detail: string) {
    super(`this KurrentDB server cannot append to several streams at once (25.1 or later can): ${detail}`);
  }
}

/** Raised when a stream of the port holds an event this adapter cannot read (written by something else). */
export class UnreadableEventError extends EventStoreError {
  readonly code = 'UNREADABLE_EVENT';
  constructor(
    readonly stream: string,
    readonly revision: Revision,
    detail: string,
  ) {
    super(`event ${revision} of "${stream}" cannot be read: ${detail}`);
  }
}
