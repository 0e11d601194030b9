/**
 * The HTTP edge through the whole Nest application (AppModule on the embedded PGlite, set up by the same
 * `configureHttpApp` as main.ts): problem+json errors, validation, security headers, CORS, body limits, OpenAPI.
 * A throwaway controller, added beside the real AppModule, throws each kind of error the filter maps.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpException,
  Param,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { Logger } from 'nestjs-pino';
import request from 'supertest';
import { Public } from '@muskel/auth';
import { validateConfig } from '@muskel/config';
import { isolatedJobsEnv, removeRedisKeys } from './support/redis-keys';
import {
  EVENT_STORE,
  type EventStore,
  InvalidArgumentError,
  StoreUnavailableError,
  WrongExpectedVersionError,
} from '@muskel/event-store';
import { ApiError, ApiProblemResponses, configureHttpApp, versionConflict } from '@muskel/http';
import { AppModule } from '../../apps/api/src/app.module';
import { version } from '../../package.json';

/** Log lines the application wrote (JSON), kept off the test output. */
class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** What libs/domain's DomainError looks like; the filter recognises it by shape. */
class FakeDomainError extends Error {
  constructor(
    readonly kind: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

class AddressDto {
  @IsString()
  @IsNotEmpty()
  city!: string;
}

class CreateThingDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsInt()
  @Min(1)
  count!: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto;
}

/** Personal-looking data and internals that must never reach a response. */
const SECRET_NIK = '3201010101010001';
const INTERNAL_MESSAGE = `connection to 10.0.0.5 failed: SELECT nik FROM households WHERE nik = '${SECRET_NIK}'`;

@Public()
@Controller('probe')
class ProbeController {
  @Post('things')
  @HttpCode(201)
  create(@Body() dto: CreateThingDto): { name: string; count: number; isDto: boolean } {
    return { name: dto.name.slice(0, 20), count: dto.count, isDto: dto instanceof CreateThingDto };
  }

  @Post('wrong-version')
  @ApiProblemResponses(409, 412)
  wrongVersion(): never {
    throw new WrongExpectedVersionError('proposal-7', 1, 2);
  }

  @Post('always-409')
  always409(): never {
    throw versionConflict({ ifMatch: false, cause: new WrongExpectedVersionError('proposal-7', 1, 2) });
  }

  @Post('invalid-argument')
  invalidArgument(): never {
    throw new InvalidArgumentError('INVALID_STREAM_NAME', `stream "${SECRET_NIK}" must look like …`, 'stream');
  }

  @Get('store-unavailable')
  storeUnavailable(): never {
    throw new StoreUnavailableError(INTERNAL_MESSAGE);
  }

  @Get('domain/:kind')
  domain(@Param('kind') kind: string): never {
    throw new FakeDomainError(kind, 'PROPOSAL_ALREADY_DECIDED', 'The proposal was already decided.');
  }

  @Get('api-error')
  apiError(): never {
    throw new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for another request.', {
      extensions: { retryable: false },
    });
  }

  @Get('boom')
  boom(): never {
    throw new Error(INTERNAL_MESSAGE);
  }

  @Get('unauthorized')
  unauthorized(): never {
    throw new UnauthorizedException();
  }

  @Get('forbidden')
  forbidden(): never {
    throw new ForbiddenException('Only a verifier of this regency may do this.');
  }

  @Get('throttled')
  throttled(): never {
    // What @nestjs/throttler's ThrottlerException is: an HttpException with 429 and this message.
    throw new HttpException('ThrottlerException: Too Many Requests', 429);
  }
}

interface Started {
  app: NestExpressApplication;
  logs: LogCapture;
  dataDir: string;
}

/** Each app's jobs prefix, removed from Redis once the file is done. */
const JOB_PREFIXES: string[] = [];
afterAll(async () => {
  for (const prefix of JOB_PREFIXES) await removeRedisKeys(prefix);
});

async function startApp(env: Record<string, string> = {}): Promise<Started> {
  const logs = new LogCapture();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-e2e-http-'));
  const jobs = isolatedJobsEnv();
  JOB_PREFIXES.push(jobs.JOBS_PREFIX);
  const config = validateConfig({ LOG_LEVEL: 'info', MUSKEL_DATA_DIR: dataDir, ...jobs, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config, { logDestination: logs })],
    controllers: [ProbeController],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  app.useLogger(app.get(Logger));
  configureHttpApp(app, config);
  await app.init();
  return { app, logs, dataDir };
}

async function stopApp(started: Started | undefined): Promise<void> {
  if (!started) return;
  await started.app.close();
  fs.rmSync(started.dataDir, { recursive: true, force: true });
}

/** Every problem answer: the media type, the RFC 9457 members, the code and the request id. */
function expectProblem(response: request.Response, status: number, code: string): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(response.text) as Record<string, unknown>;
  expect(body).toMatchObject({
    type: `https://muskel.id/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: expect.any(String),
    status,
    code,
    detail: expect.any(String),
    instance: expect.stringMatching(/^\//),
    requestId: expect.any(String),
  });
  expect(body.requestId).toBe(response.headers['x-request-id']);
  expect(response.text).not.toContain(SECRET_NIK);
  expect(response.text).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack
  return body;
}

describe('HTTP edge (default configuration)', () => {
  let started: Started;
  const server = () => started.app.getHttpServer() as Parameters<typeof request>[0];

  beforeAll(async () => {
    started = await startApp();
  });

  afterAll(async () => {
    await stopApp(started);
  });

  describe('problem+json for framework errors', () => {
    it('an unknown route is a 404 problem, without echoing the query string', async () => {
      const response = await request(server()).get(`/nowhere/at/all?nik=${SECRET_NIK}`);
      const body = expectProblem(response, 404, 'NOT_FOUND');
      expect(body).toEqual({
        type: 'https://muskel.id/problems/not-found',
        title: 'Not Found',
        status: 404,
        code: 'NOT_FOUND',
        detail: 'No resource matches this method and path.',
        instance: '/nowhere/at/all',
        requestId: expect.any(String),
      });
    });

    it('keeps a sane incoming X-Request-Id as the requestId', async () => {
      const response = await request(server()).get('/nowhere').set('X-Request-Id', 'probe-404');
      expect(expectProblem(response, 404, 'NOT_FOUND').requestId).toBe('probe-404');
    });

    it('malformed JSON is a 400 MALFORMED_JSON problem that does not quote the body', async () => {
      const response = await request(server())
        .post('/probe/things')
        .set('Content-Type', 'application/json')
        .send(`{"name": "${SECRET_NIK}", "count": `);
      const body = expectProblem(response, 400, 'MALFORMED_JSON');
      expect(body.detail).toBe('The request body is not valid JSON.');
      expect(body.instance).toBe('/probe/things');
    });

    it('a body over BODY_LIMIT (1mb) is a 413 PAYLOAD_TOO_LARGE problem; one under it is read', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024), count: 1 });
      const response = await request(server()).post('/probe/things').set('Content-Type', 'application/json').send(big);
      const body = expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
      expect(body.detail).toBe('The request body is larger than the limit of 1048576 bytes.');

      const fits = JSON.stringify({ name: 'x'.repeat(1000 * 1000), count: 1 });
      await request(server()).post('/probe/things').set('Content-Type', 'application/json').send(fits).expect(201);
    });

    it.each([
      ['/probe/unauthorized', 401, 'UNAUTHORIZED', 'Authentication is required: send a valid bearer token.'],
      ['/probe/forbidden', 403, 'FORBIDDEN', 'Only a verifier of this regency may do this.'],
      ['/probe/throttled', 429, 'TOO_MANY_REQUESTS', 'Too many requests; try again later.'],
    ])('GET %s -> %d %s', async (url, status, code, detail) => {
      const body = expectProblem(await request(server()).get(url), status, code);
      expect(body.detail).toBe(detail);
    });
  });

  describe('validation (global ValidationPipe)', () => {
    it('accepts a valid body and hands the controller a DTO instance', async () => {
      const response = await request(server()).post('/probe/things').send({ name: 'Sari', count: 2 }).expect(201);
      expect(response.body).toEqual({ name: 'Sari', count: 2, isDto: true });
    });

    it('two bad fields are a 400 VALIDATION_FAILED naming both', async () => {
      const response = await request(server()).post('/probe/things').send({ name: '', count: 'many' });
      const body = expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(body.detail).toBe('The request has 2 invalid fields.');
      const errors = body.errors as { field: string; code: string; message: string }[];
      expect(errors).toHaveLength(2);
      expect(errors.map((e) => e.field).sort()).toEqual(['count', 'name']);
      expect(errors.find((e) => e.field === 'name')).toEqual({
        field: 'name',
        code: 'IS_NOT_EMPTY',
        message: 'name should not be empty',
      });
      for (const error of errors) {
        expect(error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(error.message).not.toContain('many');
      }
    });

    it('names nested fields by dotted path, unknown fields, and never echoes values', async () => {
      const response = await request(server())
        .post('/probe/things')
        .send({ name: 'Sari', count: 1, address: { city: '' }, nik: SECRET_NIK });
      const body = expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { field: 'address.city', code: 'IS_NOT_EMPTY', message: 'city should not be empty' },
          { field: 'nik', code: 'UNKNOWN_FIELD', message: 'property nik should not exist' },
        ]),
      );
      expect(body.errors).toHaveLength(2);
    });

    it('a JSON array where an object is expected is a 400 naming the body', async () => {
      const response = await request(server()).post('/probe/things').send([1, 2]);
      expect(expectProblem(response, 400, 'VALIDATION_FAILED').errors).toEqual([
        { field: '', code: 'INVALID_BODY', message: 'The request body must be a JSON object.' },
      ]);
    });
  });

  describe('event-store and domain errors', () => {
    it('WrongExpectedVersionError is a 409 WRONG_EXPECTED_VERSION problem', async () => {
      const body = expectProblem(await request(server()).post('/probe/wrong-version'), 409, 'WRONG_EXPECTED_VERSION');
      expect(body.detail).not.toContain('proposal-7');
    });

    it('... and a 412 PRECONDITION_FAILED when the request had If-Match', async () => {
      const response = await request(server()).post('/probe/wrong-version').set('If-Match', '"1"');
      expectProblem(response, 412, 'PRECONDITION_FAILED');
    });

    it('a controller can choose 409 with versionConflict()', async () => {
      const response = await request(server()).post('/probe/always-409').set('If-Match', '"1"');
      expectProblem(response, 409, 'WRONG_EXPECTED_VERSION');
    });

    it('InvalidArgumentError is a 422 with its code', async () => {
      const response = await request(server()).post('/probe/invalid-argument');
      expect(expectProblem(response, 422, 'INVALID_STREAM_NAME').detail).toBe(
        'A value in the request cannot be stored.',
      );
    });

    it('StoreUnavailableError is a 503 with Retry-After, saying nothing internal', async () => {
      const response = await request(server()).get('/probe/store-unavailable');
      expectProblem(response, 503, 'STORE_UNAVAILABLE');
      expect(response.headers['retry-after']).toBe('5');
      expect(response.text).not.toContain('10.0.0.5');
    });

    it.each([
      ['invalid', 422],
      ['conflict', 409],
      ['forbidden', 403],
      ['not_found', 404],
    ])('a domain error of kind %s is a %d with its code and message', async (kind, status) => {
      const body = expectProblem(
        await request(server()).get(`/probe/domain/${kind}`),
        status,
        'PROPOSAL_ALREADY_DECIDED',
      );
      expect(body.detail).toBe('The proposal was already decided.');
    });

    it('an object with an unknown kind is an unexpected error (500)', async () => {
      expectProblem(await request(server()).get('/probe/domain/teapot'), 500, 'INTERNAL_ERROR');
    });

    it('ApiError keeps its status, code, message and extensions', async () => {
      const body = expectProblem(await request(server()).get('/probe/api-error'), 409, 'IDEMPOTENCY_KEY_REUSED');
      expect(body.detail).toBe('This Idempotency-Key was used for another request.');
      expect(body.retryable).toBe(false);
    });

    it('anything else is a generic 500 INTERNAL_ERROR, logged with the request id, never echoed', async () => {
      const response = await request(server()).get('/probe/boom').set('X-Request-Id', 'probe-boom');
      const body = expectProblem(response, 500, 'INTERNAL_ERROR');
      expect(body.detail).toBe('An unexpected error occurred. The request id identifies it in the server logs.');
      expect(response.text).not.toContain('10.0.0.5');
      expect(response.text).not.toContain('SELECT');

      const entry = started.logs.records().find((r) => r.requestId === 'probe-boom' && r.context === 'HttpErrors');
      expect(entry).toMatchObject({
        level: 50,
        msg: 'GET /probe/boom failed: 500 INTERNAL_ERROR',
        status: 500,
        code: 'INTERNAL_ERROR',
        error: { type: 'Error', message: INTERNAL_MESSAGE, stack: expect.stringContaining('ProbeController') },
      });
    });
  });

  describe('security headers', () => {
    it.each([['/health'], ['/nowhere'], ['/openapi.json']])(
      '%s has helmet headers and no X-Powered-By',
      async (url) => {
        const response = await request(server()).get(url);
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['x-powered-by']).toBeUndefined();
        // JSON answers carry no CSP; the Swagger UI does (below).
        expect(response.headers['content-security-policy']).toBeUndefined();
      },
    );

    it('error answers are not cached', async () => {
      const response = await request(server()).get('/nowhere');
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  describe('CORS (CORS_ORIGINS unset: off)', () => {
    it('sends no Access-Control-Allow-Origin, even to a preflight', async () => {
      const simple = await request(server()).get('/health').set('Origin', 'https://app.muskel.id');
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await request(server())
        .options('/probe/things')
        .set('Origin', 'https://app.muskel.id')
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    });
  });

  describe('OpenAPI', () => {
    it('GET /openapi.json is the OpenAPI 3 document of the API', async () => {
      const response = await request(server()).get('/openapi.json').expect(200);
      expect(response.headers['content-type']).toContain('application/json');
      const document = response.body as {
        openapi: string;
        info: { title: string; version: string };
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
        components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      };
      expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(document.info).toMatchObject({ title: 'Muskel API', version });
      expect(document.paths['/health']?.get).toBeDefined();
      expect(document.components.securitySchemes.bearer).toEqual({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
      });
      expect(document.components.schemas.Problem).toMatchObject({
        type: 'object',
        required: expect.arrayContaining(['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId']),
      });
      expect(document.components.schemas.FieldError).toBeDefined();
      expect(document.paths['/health']?.get?.responses.default).toEqual({
        description: expect.any(String),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      });
      // @ApiProblemResponses(409, 412) documents specific statuses.
      const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
      expect(document.paths['/probe/wrong-version']?.post?.responses).toMatchObject({
        '409': { description: 'Conflict', content: problemContent },
        '412': { description: 'Precondition Failed', content: problemContent },
        default: { content: problemContent },
      });
    });

    it('GET /docs is the Swagger UI, with a CSP, and its assets load', async () => {
      const response = await request(server()).get('/docs').expect(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.text).toContain('swagger-ui');
      const csp = response.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers['x-powered-by']).toBeUndefined();

      const init = await request(server()).get('/docs/swagger-ui-init.js').expect(200);
      expect(init.text).toContain('Muskel API');
      await request(server()).get('/docs/swagger-ui-bundle.js').expect(200);
      await request(server()).get('/docs/swagger-ui.css').expect(200);
    });

    it('serves no YAML or -json variants besides /openapi.json', async () => {
      expectProblem(await request(server()).get('/docs-yaml'), 404, 'NOT_FOUND');
      expectProblem(await request(server()).get('/docs-json'), 404, 'NOT_FOUND');
    });
  });
});

describe('HTTP edge (CORS_ORIGINS and BODY_LIMIT set)', () => {
  let started: Started;
  const server = () => started.app.getHttpServer() as Parameters<typeof request>[0];

  beforeAll(async () => {
    started = await startApp({ CORS_ORIGINS: 'https://app.muskel.id, http://localhost:5173', BODY_LIMIT: '2kb' });
  });

  afterAll(async () => {
    await stopApp(started);
  });

  it('allows a configured origin, and exposes the headers clients need', async () => {
    const response = await request(server()).get('/health').set('Origin', 'http://localhost:5173').expect(200);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(response.headers['access-control-expose-headers']).toContain('ETag');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers a preflight from a configured origin', async () => {
    const response = await request(server())
      .options('/probe/things')
      .set('Origin', 'https://app.muskel.id')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type, if-match');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.muskel.id');
    expect(response.headers['access-control-allow-methods']).toContain('POST');
    expect(response.headers['access-control-allow-headers']).toContain('Authorization');
    expect(response.headers['access-control-allow-headers']).toContain('If-Match');
  });

  it('says nothing to another origin', async () => {
    const response = await request(server()).get('/health').set('Origin', 'https://evil.example.org');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('applies BODY_LIMIT=2kb', async () => {
    const over = JSON.stringify({ name: 'x'.repeat(3000), count: 1 });
    const body = expectProblem(
      await request(server()).post('/probe/things').set('Content-Type', 'application/json').send(over),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(body.detail).toBe('The request body is larger than the limit of 2048 bytes.');
    await request(server())
      .post('/probe/things')
      .send({ name: 'x'.repeat(1500), count: 1 })
      .expect(201);
  });

  it('GET /health keeps its own terminus body when the store is down (not a problem)', async () => {
    await started.app.get<EventStore>(EVENT_STORE).close();
    const response = await request(server()).get('/health').expect(503);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.body).toMatchObject({ status: 'error', error: { eventStore: { status: 'down' } } });
  });
});
