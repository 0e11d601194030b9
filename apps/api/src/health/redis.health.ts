import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { AppConfig } from '@muskel/config';

// Long enough for a loaded machine to answer a PING; short enough that an outage shows at once.
const TIMEOUT_MS = 2000;

/**
 * Redis for /health: one PING with a short timeout on a connection of its own that never queues commands while
 * disconnected, so a Redis outage answers "down" at once instead of hanging the health check. The API itself does
 * not need Redis; only background work waits for it.
 */
@Injectable()
export class RedisHealthIndicator implements OnModuleInit, OnApplicationShutdown {
  private client: Redis | undefined;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Connects at start, so the first health check does not pay for the connection. */
  onModuleInit(): void {
    this.connection()
      .connect()
      .catch(() => undefined); // Redis down: reported by the checks, and reconnected in the background
  }

  async check<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    try {
      const answer = await Promise.race([
        this.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS).unref()),
      ]);
      if (answer === 'PONG') return indicator.up();
      return indicator.down({ message: 'unexpected answer' });
    } catch {
      return indicator.down({ message: 'unreachable' });
    }
  }

  private async ping(): Promise<string> {
    const client = this.connection();
    if (client.status === 'wait') await client.connect();
    else if (client.status !== 'ready') {
      // Connecting or reconnecting: wait for it (the caller's timeout bounds the wait).
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    }
    return client.ping();
  }

  private connection(): Redis {
    this.client ??= new Redis(this.config.REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: TIMEOUT_MS,
      // Reconnects in the background every few seconds; the jobs module reports the outage in the log.
      retryStrategy: () => 3000,
    });
    // Without a listener ioredis prints every failed reconnection to the console.
    this.client.on('error', () => undefined);
    return this.client;
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}
