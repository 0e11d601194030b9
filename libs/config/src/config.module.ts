import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './app-config';

/**
 * Makes the validated `AppConfig` injectable everywhere. The configuration is validated before the Nest application
 * is created (see apps/api/src/main.ts), so a bad variable stops the process with a clear message instead of a
 * stack trace from inside the module graph; tests pass their own `validateConfig({...})` result.
 */
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
