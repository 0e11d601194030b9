import type { NewEvent, RecordedEvent } from '../types';
import type { SqlQueryable } from './sql-executor';

/**
 * Transforms event data at the storage boundary: `encode` on every append (before validation, so limits apply to
 * what is stored), `decode` on every read, so the layers above see plain data while the table holds what the
 * codec made of it (personal data encrypted per subject, `@muskel/personal-data`). Both run on the connection of
 * the operation (`q`: the caller's transaction or the autocommit executor), because PGlite has one connection and a
 * query on another would wait for the open transaction forever.
 */
export interface EventCodec {
  /**
   * Returns the events to store, every one with its id (ids are part of what the codec may bind to). `stored`
   * reads the stream's events so far, as stored and as this append sees them (its transaction's earlier appends
   * included), for codecs that need what came before; it is read only when called.
   */
  encode(
    q: SqlQueryable,
    stream: string,
    events: readonly NewEvent[],
    stored: () => Promise<RecordedEvent[]>,
  ): Promise<NewEvent[]>;
  decode(q: SqlQueryable, events: RecordedEvent[]): Promise<RecordedEvent[]>;
}

/** A transaction handed out by a SQL store with a codec decodes rows its holder read with raw SQL. */
export interface DecodingTransaction {
  decodeEvents(events: RecordedEvent[]): Promise<RecordedEvent[]>;
}

export function isDecodingTransaction(tx: unknown): tx is DecodingTransaction {
  return typeof (tx as Partial<DecodingTransaction> | null)?.decodeEvents === 'function';
}
