import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  comparePositions,
  START,
  type EventStore,
  type LogFilter,
  type LogPosition,
  type RecordedEvent,
  type StoreTransaction,
  type Subscription,
} from '@muskel/event-store';

/** A read model kept from the global log. `apply` runs in the same transaction as the checkpoint save. */
export interface Projection {
  /** Stable id: the checkpoint and the lease are kept under it. */
  readonly name: string;
  readonly filter?: LogFilter;
  /** Creates its tables (idempotent). */
  setup(tx: StoreTransaction): Promise<void>;
  apply(event: RecordedEvent, tx: StoreTransaction): Promise<void>;
}

export interface ProjectionRunnerOptions {
  /** How long the lease lasts without renewal; another instance takes over after it. Default 10 s. */
  leaseTtlMs?: number;
  instanceId?: string;
  onError?: (error: unknown) => void;
}

/**
 * Runs one projection: one active instance across processes (a lease), resuming from its checkpoint, each event
 * applied and checkpointed in one transaction, so a crash or a replay neither loses nor applies an event twice.
 */
export class ProjectionRunner {
  private readonly instanceId: string;
  private readonly leaseTtlMs: number;
  private stopped = false;
  private readonly stopping = new AbortController();
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private position: LogPosition = START;
  private readonly waiters = new Set<{ target: LogPosition; resolve: () => void }>();

  constructor(
    private readonly store: EventStore,
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
  }

  async setup(): Promise<void> {
    await this.store.withTransaction((tx) => this.projection.setup(tx));
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.subscription?.close();
    await this.loop;
    await this.store.leases.release(this.projection.name, this.instanceId).catch(() => undefined);
  }

  /** Resolves once the projection has applied everything up to `position` (read-your-writes for a caller). */
  async waitFor(position: LogPosition, timeoutMs = 5_000): Promise<boolean> {
    const checkpoint = await this.store.checkpoints.load(this.projection.name);
    if (checkpoint && comparePositions(checkpoint, position) >= 0) return true;
    return new Promise((resolve) => {
      const waiter = {
        target: position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private reached(position: LogPosition): void {
    this.position = position;
    for (const waiter of [...this.waiters]) if (comparePositions(position, waiter.target) >= 0) waiter.resolve();
  }

  private async run(): Promise<void> {
    const name = this.projection.name;
    while (!this.stopped) {
      try {
        if (!(await this.store.leases.tryAcquire(name, this.instanceId, this.leaseTtlMs))) {
          await this.pause(this.leaseTtlMs / 3);
          continue;
        }
        await this.consume();
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error);
        await this.pause(500);
      }
    }
  }

  /** Waits, but not past `stop()`. */
  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  private async consume(): Promise<void> {
    const name = this.projection.name;
    const after = (await this.store.checkpoints.load(name)) ?? START;
    this.reached(after);
    let saved: LogPosition | null = after === START ? null : after;
    const subscription = this.store.subscribeToAll({ after, filter: this.projection.filter });
    this.subscription = subscription;
    // Renewed on a timer, so an idle projection keeps its lease; losing it ends the subscription.
    const renewal = setInterval(() => {
      this.store.leases
        .renew(name, this.instanceId, this.leaseTtlMs)
        .then((held) => (held ? undefined : subscription.close()))
        .catch(() => subscription.close());
    }, this.leaseTtlMs / 3);
    try {
      for await (const message of subscription) {
        if (this.stopped) break;
        const position = message.kind === 'event' ? message.event.position : message.position;
        if (message.kind !== 'event' && comparePositions(position, this.position) <= 0) continue;
        // Compare-and-set on the checkpoint: should another instance have taken over (an expired lease), this
        // transaction fails instead of applying an event a second time.
        const expectedPrevious = saved;
        if (message.kind === 'event') {
          const { event } = message;
          await this.store.withTransaction(async (tx) => {
            await this.projection.apply(event, tx);
            await this.store.checkpoints.save(name, position, { expectedPrevious, tx });
          });
        } else {
          await this.store.checkpoints.save(name, position, { expectedPrevious });
        }
        saved = position;
        this.reached(position);
      }
    } finally {
      clearInterval(renewal);
      await subscription.close();
    }
  }
}
