import { Inject, Injectable, Logger } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore, type HealthReport } from '@muskel/event-store';

/** How long a health probe waits for the store before calling it down. */
const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Terminus indicator for the event store: up with its kind and schema version when it answers and has a schema,
 * down otherwise (then `/health` answers 503). The store's own error text is logged, not returned: `/health` is
 * public and such text can name hosts, users and databases.
 */
@Injectable()
export class EventStoreHealthIndicator {
  private readonly logger = new Logger(EventStoreHealthIndicator.name);

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async check<const Key extends string>(key: Key, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    const report = await this.probe(timeoutMs);
    const details = { kind: report.kind, schemaVersion: report.schemaVersion };
    if (report.reachable && report.schemaVersion !== null) return indicator.up(details);

    const message = report.reachable ? 'schema missing' : 'unreachable';
    this.logger.warn(`${report.kind} event store is down: ${report.error ?? message}`);
    return indicator.down({ ...details, message });
  }

  private async probe(timeoutMs: number): Promise<HealthReport> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HealthReport>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            kind: this.store.kind,
            reachable: false,
            schemaVersion: null,
            error: `no answer in ${timeoutMs} ms`,
          }),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.store.health(), timeout]);
    } catch (error) {
      return { kind: this.store.kind, reachable: false, schemaVersion: null, error: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
