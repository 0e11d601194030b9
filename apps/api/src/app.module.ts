import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { type AppConfig, AppConfigModule } from '@muskel/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule, type AuthModuleOptions } from '@muskel/auth';
import type { EventStore } from '@muskel/event-store';
import { EventStoreModule } from '@muskel/nest-event-store';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { AuditModule } from './audit/audit.module';
import { CheckpointScheduleModule } from './audit/checkpoint-schedule.module';
import { JobsModule } from './jobs/jobs.module';
import { JobStatusModule } from './jobs/job-status/job-status.module';
import { ReferenceListsModule } from './reference-lists/reference-lists.module';
import { ApplicationModule } from './common/application.module';
import { UsersModule } from './users/users.module';
import { WorkerModule } from './workflow/worker.module';
import { WorkflowModule } from './workflow/workflow.module';
import { loggerParams } from './logging';

export interface AppModuleOptions {
  /** Where logs go instead of stdout (tests). */
  logDestination?: DestinationStream;
  /** Overrides of the authentication settings (tests: short lockouts). */
  auth?: AuthModuleOptions;
  /** Tests: the opened store seen as another adapter would present it (PostgreSQL shaped like KurrentDB). */
  eventStoreView?: (store: EventStore) => EventStore;
}

function authOptions(config: AppConfig): AuthModuleOptions {
  return {
    tokenSecret: config.AUTH_TOKEN_SECRET,
    accessTokenTtlSeconds: config.AUTH_ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: config.AUTH_REFRESH_TOKEN_TTL,
    loginPolicy: { lockoutMs: config.AUTH_LOCKOUT_SECONDS * 1000 },
  };
}

/** The API application, built from a configuration already validated by `validateConfig`. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, options.logDestination)),
        EventStoreModule.forRoot({
          databaseUrl: config.DATABASE_URL,
          kurrentdbUrl: config.KURRENTDB_URL,
          dataDir: config.MUSKEL_DATA_DIR,
          personalDataKek: config.PERSONAL_DATA_KEK,
          view: options.eventStoreView,
        }),
        // Limits are declared per route (@Throttle); in memory, per process.
        ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: 600 }]),
        AuthModule.forRoot({ ...authOptions(config), ...options.auth }),
        HealthModule,
        // GET /metrics in every role (Prometheus): projection lag, leases, oldest transaction, process figures.
        MetricsModule,
        ApplicationModule,
        // MUSKEL_ROLE: `api` serves HTTP only, `worker` runs projections and reactors only, `all` (default) both.
        ...(config.MUSKEL_ROLE === 'worker'
          ? []
          : [UsersModule, WorkflowModule, AuditModule, JobStatusModule, ReferenceListsModule]),
        ...(config.MUSKEL_ROLE === 'api' ? [] : [WorkerModule, CheckpointScheduleModule, JobsModule]),
      ],
    };
  }
}
