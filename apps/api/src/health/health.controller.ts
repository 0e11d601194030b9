import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '@muskel/auth';
import { EventStoreHealthIndicator } from '@muskel/nest-event-store';

/** `GET /health` (public): 200 when every dependency is up, 503 with the failing ones otherwise. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventStore: EventStoreHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.eventStore.check('eventStore')]);
  }
}
