import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
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
      await this.store.withTransaction((tx) => projection.setup(tx));
    }
  }
}

const QUERIES = [
  ProposalsQueries,
  MeetingsQueries,
  BatchesQueries,
  RegistryQueries,
  PersonHistoryQueries,
  PublicBoardQueries,
] as const;

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
  ],
  exports: [...QUERIES],
})
export class ReadModelsModule {}
