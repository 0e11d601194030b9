import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { CommandPipeline } from '@muskel/application';
import { type SqlExecutor, withSchemaLock } from '@muskel/event-store';
import { QUEUES } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { ReferenceMatchingService, setupReferenceTables } from '@muskel/reference-lists';
import { ReferenceMatchingProcessor } from './reference-matching.processor';

/** The reference lists' matching in the worker (issue 6 items 4 and 5): its queue and processor. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.referenceMatching })],
  providers: [
    {
      provide: ReferenceMatchingService,
      inject: [CommandPipeline, SQL_DATABASE],
      useFactory: async (pipeline: CommandPipeline, db: SqlExecutor) => {
        await withSchemaLock(db, (q) => setupReferenceTables(q));
        return new ReferenceMatchingService(pipeline, db);
      },
    },
    ReferenceMatchingProcessor,
  ],
})
export class ReferenceMatchingModule {}
