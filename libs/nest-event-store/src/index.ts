export {
  EventStoreModule,
  PERSONAL_DATA_CODEC,
  RAW_EVENT_STORE,
  SQL_DATABASE,
  type EventStoreModuleOptions,
} from './event-store.module';
export { EventStoreHealthIndicator } from './event-store.health';
