import { Module, type OnModuleInit, Inject } from '@nestjs/common';
import { AuditLog, CheckpointSigner, setupAuditLogTables } from '@muskel/audit-log';
import { AppConfig } from '@muskel/config';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { AuditController } from './audit.controller';

/** Creates the audit tables before the first read (an API-only process reads them too). */
class AuditTables implements OnModuleInit {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onModuleInit(): Promise<void> {
    await this.store.withTransaction((tx) => setupAuditLogTables(tx));
  }
}

@Module({
  controllers: [AuditController],
  providers: [
    AuditTables,
    { provide: AuditLog, inject: [SQL_DATABASE], useFactory: (db: SqlExecutor) => new AuditLog(db) },
    {
      provide: CheckpointSigner,
      inject: [EVENT_STORE, AppConfig],
      useFactory: (store: EventStore, config: AppConfig) =>
        new CheckpointSigner(store, { origin: config.AUDIT_LOG_ORIGIN, signerKey: config.AUDIT_SIGNER_KEY }),
    },
  ],
})
export class AuditModule {}
