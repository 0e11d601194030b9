import { Logger } from '@nestjs/common';

/**
 * Says once, in plain words, that Redis is unreachable (and once that it is back): ioredis reports every failed
 * reconnection, and the queues, workers and schedulers each hold a connection, so an outage would otherwise fill
 * the log. Background work waits meanwhile; the API and the projections do not depend on Redis.
 */
export class RedisStatus {
  private readonly logger = new Logger('Jobs');
  private down = false;

  constructor(private readonly url: string) {}

  get isDown(): boolean {
    return this.down;
  }

  failed(error: Error): void {
    if (this.down) return;
    this.down = true;
    this.logger.error(
      `Redis at ${this.url} is unreachable (${error.message}); background jobs wait and resume by themselves when it answers`,
    );
  }

  ready(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.log(`Redis at ${this.url} answers again; background jobs resume`);
  }
}
