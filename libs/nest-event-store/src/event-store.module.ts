import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import {
  openProtectedStore,
  personalDataCodecOf,
  readModelDatabaseOf,
  type PersonalDataCodec,
} from '@muskel/personal-data';
import { EventStoreHealthIndicator } from './event-store.health';

export interface EventStoreModuleOptions {
  /** PostgreSQL server; unset: the embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /** KURRENTDB_URL: the events on KurrentDB, the read models in `databaseUrl` (which it needs). */
  kurrentdbUrl?: string;
  dataDir: string;
  /** PERSONAL_DATA_KEK; unset: generated once and kept in the database (see `enablePersonalData`). */
  personalDataKek?: string;
  /** Tests: the opened store seen as another adapter would present it, before personal data is protected. */
  view?: (store: EventStore) => EventStore;
}

/** Opens the configured store and brings its schema up to date before anything can use it. */
function openEventStore(options: EventStoreModuleOptions): Promise<EventStore> {
  // Personal data is encrypted at the storage boundary: every append and read of the app goes through the codec.
  return openProtectedStore({ ...options, kek: options.personalDataKek });
}

/**
 * Nest injection token for the SQL database of the read models and other mutable tables (credentials, sessions):
 * the event store's own database, through its connection (PGlite allows only one).
 */
export const SQL_DATABASE = Symbol('SQL_DATABASE');

/**
 * Nest injection token for the event store as stored: reads return the stored bytes (personal data still
 * encrypted). Only the audit log uses it, so its leaf digests stay valid after a household's key is deleted.
 */
export const RAW_EVENT_STORE = Symbol('RAW_EVENT_STORE');

/** Nest injection token for the personal data codec (erasure needs its keys). */
export const PERSONAL_DATA_CODEC = Symbol('PERSONAL_DATA_CODEC');

function rawStoreOf(store: EventStore): EventStore {
  return store.raw();
}

function codecOf(store: EventStore): PersonalDataCodec | null {
  return personalDataCodecOf(store) ?? null;
}

function sqlDatabaseOf(store: EventStore): SqlExecutor {
  return readModelDatabaseOf(store);
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
        { provide: RAW_EVENT_STORE, useFactory: rawStoreOf, inject: [EVENT_STORE] },
        { provide: PERSONAL_DATA_CODEC, useFactory: codecOf, inject: [EVENT_STORE] },
        EventStoreLifecycle,
        EventStoreHealthIndicator,
      ],
      exports: [EVENT_STORE, SQL_DATABASE, RAW_EVENT_STORE, PERSONAL_DATA_CODEC, EventStoreHealthIndicator],
    };
  }
}
