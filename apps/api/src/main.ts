import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { type AppConfig, ConfigValidationError, validateConfig } from '@muskel/config';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { configureHttpApp } from '@muskel/http';
import { AppModule } from './app.module';

/** Validates the environment first: a bad variable ends the process with a message naming it, exit code 1. */
function readConfig(): AppConfig | undefined {
  try {
    return validateConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`muskel: ${error.message}\nSee .env.example for every variable, its default and meaning.\n`);
    process.exitCode = 1;
    return undefined;
  }
}

/**
 * BullMQ 5 can close a Redis connection that is still being set up when the process is told to stop right after it
 * started; the set-up then emits "Connection is closed." on a connection with no listener left, which Node turns
 * into an unhandled rejection that ends an otherwise clean shutdown with exit code 1. That error alone, and only
 * once stopping has begun, is not a failure; anything else still ends the process as Node would.
 */
function toleratingBullMqCloseAtShutdown(): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.prependListener(signal, () => (stopping = true));
  const closedDuringShutdown = (reason: unknown) =>
    stopping && reason instanceof Error && reason.message === 'Connection is closed.';
  process.on('unhandledRejection', (reason) => {
    if (closedDuringShutdown(reason)) return;
    throw reason;
  });
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  if (!config) return;

  // abortOnError: false lets a failed start (e.g. an unreachable database) reach the catch below instead of
  // process.abort().
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  // Security headers, CORS, body limits, validation, problem+json errors, /openapi.json and /docs.
  configureHttpApp(app, config);
  // SIGTERM/SIGINT: stop taking requests, close the event store, then exit 0 (after the logs are flushed).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  toleratingBullMqCloseAtShutdown();

  try {
    await app.listen(config.PORT);
  } catch (error) {
    await app.close();
    throw error;
  }
  const store = app.get<EventStore>(EVENT_STORE);
  // Only the port, the store kind and the role: never the database URL or anything personal.
  logger.log(
    `Muskel API listening on http://localhost:${config.PORT} (event store: ${store.kind}, role: ${config.MUSKEL_ROLE})`,
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  // Errors from the module graph were already logged with their stack by Nest; this line names the cause.
  process.stderr.write(`muskel: the API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
