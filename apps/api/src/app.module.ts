import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { type AppConfig, AppConfigModule } from '@muskel/config';
import { EventStoreModule } from '@muskel/nest-event-store';
import { HealthModule } from './health/health.module';
import { loggerParams } from './logging';

export interface AppModuleOptions {
  /** Where logs go instead of stdout (tests). */
  logDestination?: DestinationStream;
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
        EventStoreModule.forRoot({ databaseUrl: config.DATABASE_URL, dataDir: config.MUSKEL_DATA_DIR }),
        HealthModule,
      ],
    };
  }
}
