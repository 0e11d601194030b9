import { Global, Module } from '@nestjs/common';
import { CommandPipeline } from '@muskel/application';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { IdempotencyService } from './idempotency.service';

/** What every feature module's handlers share: the command pipeline over the store, and Idempotency-Key records. */
@Global()
@Module({
  providers: [
    { provide: CommandPipeline, inject: [EVENT_STORE], useFactory: (store: EventStore) => new CommandPipeline(store) },
    IdempotencyService,
  ],
  exports: [CommandPipeline, IdempotencyService],
})
export class ApplicationModule {}
