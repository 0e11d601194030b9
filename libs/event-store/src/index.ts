export * from './types';
export * from './errors';
export * from './position';
export * from './event-store.port';
export { DEFAULT_LIMITS, categoryOf, type AppendLimits } from './validation';
export { SqlEventStore } from './sql/sql-event-store';
export type { SqlExecutor, SqlQueryable } from './sql/sql-executor';
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
