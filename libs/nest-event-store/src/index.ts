export { EventStoreModule, SQL_DATABASE, type EventStoreModuleOptions } from './event-store.module';
export { EventStoreHealthIndicator } from './event-store.health';
