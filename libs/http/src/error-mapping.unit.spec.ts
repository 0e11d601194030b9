import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import {
  AppendContentionError,
  DuplicateEventIdError,
  InvalidArgumentError,
  StoreClosedError,
  StoreUnavailableError,
  WrongExpectedVersionError,
} from '@muskel/event-store';
import { ApiError } from './api-error';
import { bodyParserErrorToApiError } from './body-parser-errors';
import { hasIfMatch, isDomainErrorLike, resolveProblem, versionConflict } from './error-mapping';
import { buildProblemBody } from './problem-details.filter';
import { problemType, statusCode } from './problem';

/** What libs/domain's DomainError looks like (recognised structurally). */
class FakeDomainError extends Error {
  constructor(
    readonly kind: string,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function bodyParserError(type: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new SyntaxError('Unexpected token } in JSON at position 12: {"nik":"3201..."}'), {
    type,
    status,
    statusCode: status,
    expose: true,
    ...extra,
  });
}

describe('resolveProblem', () => {
  it('ApiError keeps its status, code, message, errors, extensions and headers', () => {
    const error = new ApiError(422, 'VALIDATION_FAILED', 'The request has 1 invalid field.', {
      errors: [{ field: 'nik', code: 'IS_NIK', message: 'nik must be 16 digits' }],
      extensions: { hint: 'x' },
      headers: { 'Retry-After': '3' },
    });
    expect(resolveProblem(error)).toEqual({
      status: 422,
      code: 'VALIDATION_FAILED',
      detail: 'The request has 1 invalid field.',
      errors: [{ field: 'nik', code: 'IS_NIK', message: 'nik must be 16 digits' }],
      extensions: { hint: 'x' },
      headers: { 'Retry-After': '3' },
    });
  });

  it.each([
    [
      new NotFoundException('Cannot GET /nowhere?nik=3201'),
      404,
      'NOT_FOUND',
      'No resource matches this method and path.',
    ],
    [new NotFoundException(), 404, 'NOT_FOUND', 'The resource does not exist.'],
    [new NotFoundException('Household not found'), 404, 'NOT_FOUND', 'Household not found'],
    [new UnauthorizedException(), 401, 'UNAUTHORIZED', 'Authentication is required: send a valid bearer token.'],
    [
      new ForbiddenException('Only a Dinsos verifier may do this'),
      403,
      'FORBIDDEN',
      'Only a Dinsos verifier may do this',
    ],
    [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.'],
    [
      new HttpException('ThrottlerException: Too Many Requests', 429),
      429,
      'TOO_MANY_REQUESTS',
      'Too many requests; try again later.',
    ],
    [new BadRequestException(['a is bad', 'b is bad']), 400, 'BAD_REQUEST', 'a is bad; b is bad'],
    [
      new HttpException({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'Key reused' }, 422),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'Key reused',
    ],
    [
      new InternalServerErrorException('SELECT * FROM households failed'),
      500,
      'INTERNAL_ERROR',
      expect.not.stringContaining('SELECT'),
    ],
  ])('HttpException %#', (error, status, code, detail) => {
    expect(resolveProblem(error)).toMatchObject({ status, code, detail });
  });

  it('a 500 HttpException is logged as an error, 4xx ones are not', () => {
    expect(resolveProblem(new InternalServerErrorException()).log).toBe('error');
    expect(resolveProblem(new NotFoundException()).log).toBeUndefined();
  });

  it('WrongExpectedVersionError: 409 without If-Match, 412 with it', () => {
    const error = new WrongExpectedVersionError('proposal-1', 3, 5);
    expect(resolveProblem(error)).toMatchObject({ status: 409, code: 'WRONG_EXPECTED_VERSION' });
    expect(resolveProblem(error, { ifMatch: true })).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED' });
    expect(resolveProblem(error).detail).not.toContain('proposal-1');
  });

  it('versionConflict lets a controller choose', () => {
    expect(versionConflict({ ifMatch: false })).toMatchObject({ status: 409, code: 'WRONG_EXPECTED_VERSION' });
    expect(versionConflict({ ifMatch: true })).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED' });
  });

  it('InvalidArgumentError: 422 with its code, without its message (which may quote the value)', () => {
    const error = new InvalidArgumentError('INVALID_STREAM_NAME', 'stream "Budi Santoso" must look like …', 'stream');
    const problem = resolveProblem(error);
    expect(problem).toMatchObject({ status: 422, code: 'INVALID_STREAM_NAME', log: 'warn' });
    expect(problem.detail).not.toContain('Budi');
    expect(problem.logFields).toEqual({ code: 'INVALID_STREAM_NAME', field: 'stream' });
  });

  it('StoreUnavailableError and StoreClosedError: 503 with Retry-After, logged', () => {
    for (const error of [new StoreUnavailableError('connect ECONNREFUSED 10.0.0.5:5432'), new StoreClosedError()]) {
      const problem = resolveProblem(error);
      expect(problem).toMatchObject({ status: 503, code: error.code, headers: { 'Retry-After': '5' }, log: 'error' });
      expect(problem.detail).not.toContain('10.0.0.5');
    }
  });

  it('other event-store errors', () => {
    expect(resolveProblem(new AppendContentionError('proposal-1', 5))).toMatchObject({ status: 503 });
    expect(resolveProblem(new DuplicateEventIdError('proposal-1', 'e1', 'x'))).toMatchObject({
      status: 409,
      code: 'DUPLICATE_EVENT_ID',
    });
  });

  it.each([
    ['invalid', 422],
    ['conflict', 409],
    ['forbidden', 403],
    ['not_found', 404],
  ])('domain error of kind %s -> %d with its code and message', (kind, status) => {
    const error = new FakeDomainError(kind, 'PROPOSAL_ALREADY_DECIDED', 'The proposal was already decided.');
    expect(resolveProblem(error)).toEqual({
      status,
      code: 'PROPOSAL_ALREADY_DECIDED',
      detail: 'The proposal was already decided.',
    });
  });

  it('domain details: safe scalars become an extension, a field of an invalid one becomes errors[]', () => {
    const error = new FakeDomainError('invalid', 'NIK_CHECK_FAILED', 'The NIK is not valid.', {
      field: 'members[0].nik',
      nested: { no: 'objects' },
    });
    expect(resolveProblem(error)).toEqual({
      status: 422,
      code: 'NIK_CHECK_FAILED',
      detail: 'The NIK is not valid.',
      errors: [{ field: 'members[0].nik', code: 'NIK_CHECK_FAILED', message: 'The NIK is not valid.' }],
      extensions: { details: { field: 'members[0].nik' } },
    });
  });

  it('recognises domain errors structurally only', () => {
    expect(isDomainErrorLike({ kind: 'conflict', code: 'X', message: 'm' })).toBe(true);
    expect(isDomainErrorLike(new FakeDomainError('teapot', 'X', 'm'))).toBe(false);
    expect(isDomainErrorLike({ kind: 'conflict', code: '', message: 'm' })).toBe(false);
    expect(isDomainErrorLike({ kind: 'toString', code: 'X', message: 'm' })).toBe(false);
    expect(isDomainErrorLike(null)).toBe(false);
  });

  it('body-parser errors: malformed JSON and too large, never quoting the body', () => {
    expect(resolveProblem(bodyParserError('entity.parse.failed', 400))).toEqual({
      status: 400,
      code: 'MALFORMED_JSON',
      detail: 'The request body is not valid JSON.',
    });
    expect(resolveProblem(bodyParserError('entity.too.large', 413, { limit: 1024 }))).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      detail: 'The request body is larger than the limit of 1024 bytes.',
    });
    expect(bodyParserErrorToApiError(bodyParserError('encoding.unsupported', 415))?.code).toBe(
      'UNSUPPORTED_CONTENT_ENCODING',
    );
    expect(bodyParserErrorToApiError(new Error('plain'))).toBeUndefined();
  });

  it('anything else: 500 INTERNAL_ERROR, generic, logged', () => {
    const problem = resolveProblem(new Error('relation "households" does not exist; nik=3201010101010001'));
    expect(problem).toEqual({
      status: 500,
      code: 'INTERNAL_ERROR',
      detail: 'An unexpected error occurred. The request id identifies it in the server logs.',
      log: 'error',
    });
    expect(resolveProblem('a string')).toMatchObject({ status: 500 });
    expect(resolveProblem(undefined)).toMatchObject({ status: 500 });
  });
});

describe('buildProblemBody', () => {
  it('has the RFC 9457 members, the code, the request id, and extensions that cannot override them', () => {
    const body = buildProblemBody(
      {
        status: 409,
        code: 'WRONG_EXPECTED_VERSION',
        detail: 'changed',
        extensions: { status: 200, code: 'OK', currentRevision: 4 },
      },
      '/proposals/1',
      'req-1',
    );
    expect(body).toEqual({
      type: 'https://muskel.id/problems/wrong-expected-version',
      title: 'Conflict',
      status: 409,
      code: 'WRONG_EXPECTED_VERSION',
      detail: 'changed',
      instance: '/proposals/1',
      requestId: 'req-1',
      currentRevision: 4,
    });
  });
});

describe('helpers', () => {
  it('problemType and statusCode', () => {
    expect(problemType('VALIDATION_FAILED')).toBe('https://muskel.id/problems/validation-failed');
    expect(statusCode(404)).toBe('NOT_FOUND');
    expect(statusCode(429)).toBe('TOO_MANY_REQUESTS');
    expect(statusCode(418)).toBe('I_M_A_TEAPOT');
    expect(statusCode(599)).toBe('INTERNAL_ERROR');
  });

  it('hasIfMatch', () => {
    expect(hasIfMatch({ headers: { 'if-match': '"3"' } })).toBe(true);
    expect(hasIfMatch({ headers: { 'if-match': ' ' } })).toBe(false);
    expect(hasIfMatch({ headers: {} })).toBe(false);
  });
});
