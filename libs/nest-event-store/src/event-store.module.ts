import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { createEventStore, EVENT_STORE, type EventStore, SqlEventStore, type SqlExecutor } from '@muskel/event-store';
import { EventStoreHealthIndicator } from './event-store.health';

export interface EventStoreModuleOptions {
  /** PostgreSQL server; unset: the embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
}

/** Opens the configured store and brings its schema up to date before anything can use it. */
async function openEventStore(options: EventStoreModuleOptions): Promise<EventStore> {
  const store = await createEventStore({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/**
 * Nest injection token for the SQL database of the read models and other mutable tables (credentials, sessions):
 * the event store's own database, through its connection (PGlite allows only one).
 */
export const SQL_DATABASE = Symbol('SQL_DATABASE');

function sqlDatabaseOf(store: EventStore): SqlExecutor {
  if (store instanceof SqlEventStore) return store.executor;
  throw new Error(`the ${store.kind} event store has no SQL database for read models; configure DATABASE_URL`);
}

/** Closes the store once the HTTP server has stopped taking requests (Nest calls this after `dispose`). */
@Injectable()
class EventStoreLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    this.logger.log(`${this.store.kind} event store closed`);
  }
}

/**
 * Provides the `EVENT_STORE` (from `@muskel/event-store`) to the whole application: `createEventStore`, then `init()`
 * during start-up (a failure stops the start), `close()` on shutdown. Also provides `EventStoreHealthIndicator`.
 */
@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleOptions): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      imports: [TerminusModule],
      providers: [
        { provide: EVENT_STORE, useFactory: () => openEventStore(options) },
        { provide: SQL_DATABASE, useFactory: sqlDatabaseOf, inject: [EVENT_STORE] },
        EventStoreLifecycle,
        EventStoreHealthIndicator,
      ],
      exports: [EVENT_STORE, SQL_DATABASE, EventStoreHealthIndicator],
    };
  }
}
