export * from './types';
export * from './errors';
export * from './position';
export * from './event-store.port';
export { DEFAULT_LIMITS, categoryOf, type AppendLimits } from './validation';
export { SqlEventStore } from './sql/sql-event-store';
export { CodecEventStore } from './codec-event-store';
export { isDecodingTransaction, type DecodingTransaction, type EventCodec } from './sql/event-codec';
export type { SqlExecutor, SqlQueryable } from './sql/sql-executor';
export { SCHEMA_LOCK_SQL, withSchemaLock } from './sql/sql-executor';
export { SCHEMA_VERSION } from './sql/schema';
export {
  createEventStore,
  createPgliteEventStore,
  createPostgresEventStore,
  PgliteEventStore,
  type EventStoreConfig,
  type PgliteEventStoreOptions,
  type PostgresEventStoreOptions,
} from './create-event-store';
// Types only: the adapter itself (and its client) is loaded by createEventStore when KURRENTDB_URL is set.
export type { KurrentDbEventStore, KurrentDbEventStoreOptions } from './kurrentdb/kurrentdb-event-store';
export {
  AppendInTransactionUnsupportedError,
  MultiStreamAppendUnsupportedError,
  UnreadableEventError,
} from './kurrentdb/kurrentdb-errors';
