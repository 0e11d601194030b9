import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { type AppConfig, parseByteSize } from '@muskel/config';
import { bodyParserErrorHandler } from './body-parser-errors';
import { DOCS_PATH, setupOpenApi } from './openapi';
import { ProblemDetailsFilter } from './problem-details.filter';
import { createValidationPipe } from './validation';
import { serveWebApp } from './web-app';

/** What `configureHttpApp` reads from the configuration. */
export type HttpAppConfig = Pick<AppConfig, 'CORS_ORIGINS' | 'BODY_LIMIT'> & Partial<Pick<AppConfig, 'WEB_ROOT'>>;

/** Request headers a browser may send cross-origin, and response headers its scripts may read. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Request-Id'];
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After', 'X-Request-Id'];

/**
 * Content-Security-Policy of the Swagger UI under /docs: its scripts, styles and images come from this origin
 * (plus inline styles and data: images it uses), and it only talks to this origin. JSON answers get no CSP: there is
 * nothing in them to run.
 */
export const DOCS_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * Applies the HTTP edge to a Nest Express application, before `init()`/`listen()`: main.ts and the end-to-end tests
 * both call it, so tests exercise the real set-up.
 *
 * - helmet's default security headers (no CSP on the JSON API; a strict one on /docs), no `X-Powered-By`;
 * - CORS only for the origins in `CORS_ORIGINS` (none: off);
 * - JSON and URL-encoded bodies up to `BODY_LIMIT` (larger: 413 `PAYLOAD_TOO_LARGE`; malformed JSON: 400
 *   `MALFORMED_JSON`);
 * - the global `ValidationPipe` (400 `VALIDATION_FAILED` naming every bad field) and `ProblemDetailsFilter` (every
 *   error as application/problem+json);
 * - the OpenAPI document at `GET /openapi.json` and Swagger UI at `GET /docs`;
 * - the built web application at `/` when `WEB_ROOT` is given (see `serveWebApp`).
 */
export function configureHttpApp<T extends NestExpressApplication>(app: T, config: HttpAppConfig): T {
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(DOCS_PATH, helmet.contentSecurityPolicy({ useDefaults: false, directives: DOCS_CSP_DIRECTIVES }));

  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: [...config.CORS_ORIGINS],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      credentials: false,
      maxAge: 600,
    });
  }

  // Registered before init, so Nest does not add its own parsers (with their 100 kB default).
  const limit = parseByteSize(config.BODY_LIMIT) ?? config.BODY_LIMIT;
  app.useBodyParser('json', { limit });
  app.useBodyParser('urlencoded', { limit, extended: true });
  app.use(bodyParserErrorHandler);

  if (config.WEB_ROOT !== undefined) serveWebApp(app, config.WEB_ROOT);

  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  setupOpenApi(app);
  return app;
}
