import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, SCHEMA_LOCK_SQL, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import {
  BatchesQueries,
  createProjections,
  MeetingsQueries,
  PersonHistoryQueries,
  ProposalsQueries,
  PublicBoardQueries,
  RegistryQueries,
} from '@muskel/projections';

/** Creates the read models' tables (idempotent) before any query: an API-only process reads them too. */
class ReadModelTables implements OnModuleInit {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onModuleInit(): Promise<void> {
    for (const projection of createProjections()) {
      // Under the schema lock: a worker process creates the same tables when it starts.
      await this.store.withTransaction(async (tx) => {
        await tx.query(SCHEMA_LOCK_SQL);
        await projection.setup(tx);
      });
    }
  }
}

const QUERIES = [ProposalsQueries, MeetingsQueries, BatchesQueries, PersonHistoryQueries, PublicBoardQueries] as const;

/** The read models' query classes (plain classes from @muskel/projections) over the SQL database. */
@Global()
@Module({
  providers: [
    ReadModelTables,
    ...QUERIES.map((Query) => ({
      provide: Query,
      inject: [SQL_DATABASE],
      useFactory: (db: SqlExecutor) => new Query(db),
    })),
    {
      provide: RegistryQueries,
      inject: [SQL_DATABASE, EVENT_STORE],
      // The registry as of a date folds the household events themselves, read through the store.
      useFactory: (db: SqlExecutor, store: EventStore) => new RegistryQueries(db, store),
    },
  ],
  exports: [...QUERIES, RegistryQueries],
})
export class ReadModelsModule {}
