import { Module, type OnModuleInit, Inject } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditLog, CheckpointSigner, setupAuditLogTables } from '@muskel/audit-log';
import { AuthGuard } from '@muskel/auth';
import { AppConfig } from '@muskel/config';
import { EVENT_STORE, SCHEMA_LOCK_SQL, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { AuditLeavesInterceptor } from './audit-leaves.interceptor';
import { AuditController } from './audit.controller';
import { checkpointSignerFor } from './checkpoint-signer.factory';
import { AuditExports } from './audit-export';
import { PersonalDataReads } from '../workflow/personal-data/personal-data-reads';

/** Creates the audit tables before the first read (an API-only process reads them too). */
class AuditTables implements OnModuleInit {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onModuleInit(): Promise<void> {
    await this.store.withTransaction(async (tx) => {
      await tx.query(SCHEMA_LOCK_SQL); // a worker process creates them too
      await setupAuditLogTables(tx);
    });
  }
}

@Module({
  controllers: [AuditController],
  providers: [
    AuditTables,
    AuditExports,
    AuthGuard,
    PersonalDataReads,
    // Command answers get their events' audit-log leaf indexes (audit.leaves) here, once, at the edge.
    { provide: APP_INTERCEPTOR, useClass: AuditLeavesInterceptor },
    { provide: AuditLog, inject: [SQL_DATABASE], useFactory: (db: SqlExecutor) => new AuditLog(db) },
    {
      provide: CheckpointSigner,
      inject: [EVENT_STORE, AppConfig],
      useFactory: (store: EventStore, config: AppConfig) => checkpointSignerFor(store, config),
    },
  ],
})
export class AuditModule {}
