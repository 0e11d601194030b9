import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '@muskel/auth';
import { EventStoreHealthIndicator } from '@muskel/nest-event-store';
import { RedisHealthIndicator } from './redis.health';

/** `GET /health` (public): 200 when every dependency (event store, Redis) is up, 503 naming the failing ones. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventStore: EventStoreHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    // Redis down makes /health 503 while every other route keeps working: background jobs wait, nothing else does.
    return this.health.check([() => this.eventStore.check('eventStore'), () => this.redis.check('redis')]);
  }
}
