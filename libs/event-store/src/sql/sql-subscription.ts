import { END } from '../position';
import type { LogFilter, LogPosition, Subscription, SubscriptionMessage } from '../types';
import type { LogPage, SqlEventStore } from './sql-event-store';

export interface SqlSubscriptionOptions {
  after: LogPosition;
  filter?: LogFilter;
  checkpointEvery: number;
  /** Events as stored, without the store's codec (`SqlEventStore.raw()`). */
  raw?: boolean;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * Catch-up, then live. Pull-based: the next page is read only when the consumer has taken the previous one, so
 * memory stays at one page however slow the consumer is. Idle, it sleeps until an append wakes it (in-process
 * signal, or LISTEN/NOTIFY from other processes on PostgreSQL) or the poll interval passes.
 */
export class SqlSubscription implements Subscription {
  private readonly abort = new AbortController();
  private closed = false;
  /** `END` is resolved when subscribing, not at the first read: appends made in between must be delivered. */
  private readonly start: Promise<LogPosition>;

  constructor(
    private readonly store: SqlEventStore,
    private readonly options: SqlSubscriptionOptions,
    private readonly onClose: () => void,
  ) {
    this.start = options.after === END ? store.headPosition().catch(() => END) : Promise.resolve(options.after);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.abort.abort();
      this.onClose();
    }
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return this.run();
  }

  private get stopped(): boolean {
    return this.closed || this.store.isClosed;
  }

  private async *run(): AsyncGenerator<SubscriptionMessage> {
    try {
      let position = await this.start;
      let caughtUp = false;
      let skipped = 0;
      let failures = 0;
      const pageSize = this.store.pageSize;
      while (!this.stopped) {
        let page: LogPage;
        try {
          if (position === END) position = await this.store.headPosition();
          page = await this.store.readAllPage(position, pageSize, this.options.filter, this.options.raw);
          failures = 0;
        } catch (error) {
          if (this.stopped) return;
          // The database went away for a moment (restart, failover, killed session): retry from the same
          // position, so nothing is lost and nothing is delivered twice.
          failures++;
          await this.store.waitForAppend(Math.min(100 * 2 ** failures, MAX_BACKOFF_MS), this.abort.signal);
          void error;
          continue;
        }
        for (const entry of page.events) {
          position = entry.position;
          if (entry.event) {
            skipped = 0;
            yield { kind: 'event', event: entry.event };
            if (this.stopped) return;
          } else if (++skipped >= this.options.checkpointEvery) {
            skipped = 0;
            yield { kind: 'checkpoint', position };
            if (this.stopped) return;
          }
        }
        if (page.scanned < pageSize) {
          if (!caughtUp) {
            caughtUp = true;
            skipped = 0;
            yield { kind: 'caughtUp', position };
          } else if (skipped > 0) {
            skipped = 0;
            yield { kind: 'checkpoint', position };
          }
          if (this.stopped) return;
          await this.store.waitForAppend(this.store.pollIntervalMs, this.abort.signal);
        }
      }
    } finally {
      await this.close();
    }
  }
}
