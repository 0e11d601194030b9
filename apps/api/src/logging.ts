import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '@muskel/config';

/**
 * Request headers that carry credentials; logged as `[Redacted]`. Paths into the log record pino-http writes
 * (`req`/`res` serialised by pino-std-serializers).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function canLoad(moduleName: string): boolean {
  try {
    require.resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

/**
 * nestjs-pino options: JSON lines on stdout (or `destination`, for tests), human-readable through pino-pretty when
 * NODE_ENV=development and it is installed. Each request gets an id (a sane incoming `X-Request-Id`, else a UUID)
 * echoed in the response.
 */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  const pretty = config.NODE_ENV === 'development' && destination === undefined && canLoad('pino-pretty');
  const options = {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    genReqId: (req: IncomingMessage, res: ServerResponse): string => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  } as const;
  return { pinoHttp: destination ? [options, destination] : options };
}
