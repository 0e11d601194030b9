import { Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandPipeline, ProjectionRunner, type Projection } from '@muskel/application';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { AUDIT_LOG_BATCH_SIZE, AuditLogProjection } from '@muskel/audit-log';
import { RAW_EVENT_STORE } from '@muskel/nest-event-store';
import { createProjections } from '@muskel/projections';
import { createReactors } from '@muskel/reactors';

export const WORKER_RUNNERS = Symbol('WORKER_RUNNERS');

/**
 * The worker: every projection and reactor, each following the store's global order from its own checkpoint
 * under a lease (one active instance across processes). Runs with MUSKEL_ROLE=all (the default) or worker.
 */
class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  constructor(@Inject(WORKER_RUNNERS) private readonly runners: ProjectionRunner[]) {}

  onApplicationBootstrap(): void {
    for (const runner of this.runners) runner.start();
    this.logger.log(`${this.runners.length} projections and reactors started`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    this.logger.log('projections and reactors stopped');
  }
}

@Module({
  providers: [
    {
      provide: WORKER_RUNNERS,
      inject: [EVENT_STORE, RAW_EVENT_STORE, CommandPipeline],
      useFactory: async (store: EventStore, rawStore: EventStore, pipeline: CommandPipeline) => {
        const logger = new Logger('Worker');
        const runner = (source: EventStore, projection: Projection, batchSize?: number) =>
          new ProjectionRunner(source, projection, {
            batchSize,
            // The message only: an event's data (personal data) never reaches the log.
            onError: (error) => logger.error(`${projection.name} failed; retrying: ${(error as Error).message}`),
          });
        const runners = [
          ...[...createProjections(), ...createReactors(pipeline, store)].map((p) => runner(store, p)),
          // The audit log integrates every event into its Merkle tree, in the store's global order, like a
          // projection, but reads the events AS STORED (personal data encrypted): each leaf digests the stored
          // event, so leaves and proofs stay valid after a household's key is deleted.
          runner(rawStore, new AuditLogProjection(), AUDIT_LOG_BATCH_SIZE),
        ];
        for (const runner of runners) await runner.setup();
        return runners;
      },
    },
    WorkerLifecycle,
  ],
})
export class WorkerModule {}
