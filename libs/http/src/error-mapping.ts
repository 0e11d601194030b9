import type { IncomingHttpHeaders } from 'node:http';
import { HttpException } from '@nestjs/common';
import {
  AppendContentionError,
  DuplicateEventIdError,
  EventStoreError,
  InvalidArgumentError,
  StoreClosedError,
  StoreUnavailableError,
  TransactionConflictError,
  WrongExpectedVersionError,
} from '@muskel/event-store';
import { ApiError, type FieldError } from './api-error';
import { bodyParserErrorToApiError } from './body-parser-errors';
import { INTERNAL_ERROR, defaultDetail, statusCode, statusTitle } from './problem';

export const WRONG_EXPECTED_VERSION = 'WRONG_EXPECTED_VERSION';
export const PRECONDITION_FAILED = 'PRECONDITION_FAILED';

/** HTTP status of each kind of domain rejection. */
export const DOMAIN_ERROR_STATUS = { invalid: 422, conflict: 409, forbidden: 403, not_found: 404 } as const;
export type DomainErrorKindLike = keyof typeof DOMAIN_ERROR_STATUS;

/**
 * The shape of libs/domain's `DomainError(kind, code, message, details?)`, recognised structurally so this library
 * does not depend on the domain.
 */
export interface DomainErrorLike {
  kind: DomainErrorKindLike;
  code: string;
  message: string;
  details?: Readonly<Record<string, unknown>>;
}

export function isDomainErrorLike(error: unknown): error is DomainErrorLike {
  if (typeof error !== 'object' || error === null) return false;
  const { kind, code, message } = error as Partial<Record<keyof DomainErrorLike, unknown>>;
  return (
    typeof kind === 'string' &&
    Object.hasOwn(DOMAIN_ERROR_STATUS, kind) &&
    typeof code === 'string' &&
    code !== '' &&
    typeof message === 'string'
  );
}

/** Whether the request is conditional on a version (`If-Match`). */
export function hasIfMatch(request: { headers: IncomingHttpHeaders }): boolean {
  const value = request.headers['if-match'];
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * The answer to a lost optimistic-concurrency race (`WrongExpectedVersionError`): 412 `PRECONDITION_FAILED` when the
 * client named the version it expected (`If-Match`), else 409 `WRONG_EXPECTED_VERSION`. The exception filter picks
 * by the request's `If-Match` header; a controller that knows better throws this itself.
 */
export function versionConflict(options: { ifMatch: boolean; cause?: unknown }): ApiError {
  return options.ifMatch
    ? new ApiError(
        412,
        PRECONDITION_FAILED,
        'The resource has changed since the version named in If-Match; fetch it again and retry.',
        { cause: options.cause },
      )
    : new ApiError(
        409,
        WRONG_EXPECTED_VERSION,
        'The resource was changed by another request at the same time; fetch it again and retry.',
        { cause: options.cause },
      );
}

/** What an error becomes at the edge. */
export interface ResolvedProblem {
  status: number;
  code: string;
  detail: string;
  errors?: readonly FieldError[];
  extensions?: Readonly<Record<string, unknown>>;
  headers?: Readonly<Record<string, string>>;
  /**
   * How to log it: `error` for unexpected errors (with the error's type, message and stack), `warn` for errors that
   * point at a bug but are safe to answer (with `logFields`), nothing for ordinary client errors.
   */
  log?: 'error' | 'warn';
  /** Safe fields for a `warn` log line (codes and internal field names, no values). */
  logFields?: Readonly<Record<string, string>>;
}

export interface ErrorContext {
  /** The request carried `If-Match`. */
  ifMatch: boolean;
}

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
/** Nest's "no route" 404 says `Cannot GET /path?query`; the path is already the problem's `instance`. */
const NO_ROUTE = /^Cannot [A-Z]+ \//;

function fromHttpException(error: HttpException): ResolvedProblem {
  const status = error.getStatus();
  const response = error.getResponse();
  let message: string | undefined;
  let code: string | undefined;
  if (typeof response === 'string') {
    message = response;
  } else if (typeof response === 'object' && response !== null) {
    const body = response as { message?: unknown; code?: unknown };
    if (typeof body.message === 'string') message = body.message;
    else if (Array.isArray(body.message)) message = body.message.filter((m) => typeof m === 'string').join('; ');
    if (typeof body.code === 'string' && UPPER_SNAKE.test(body.code)) code = body.code;
  }

  // Nest's own messages (a reason phrase, "Cannot GET /path?query", "ThrottlerException: ...") and anything a 5xx
  // says are replaced by a generic sentence; a 4xx message written by our code is kept.
  let detail = defaultDetail(status);
  if (message !== undefined && NO_ROUTE.test(message)) {
    detail = 'No resource matches this method and path.';
  } else if (
    message !== undefined &&
    status < 500 &&
    message.trim() !== '' &&
    message.toLowerCase() !== statusTitle(status).toLowerCase() &&
    !/^ThrottlerException/.test(message)
  ) {
    detail = message;
  }
  return { status, code: code ?? statusCode(status), detail, ...(status === 500 ? { log: 'error' as const } : {}) };
}

function fromEventStoreError(error: EventStoreError, context: ErrorContext): ResolvedProblem {
  if (error instanceof WrongExpectedVersionError) return fromApiError(versionConflict({ ifMatch: context.ifMatch }));
  if (error instanceof InvalidArgumentError) {
    // The store's message may quote part of the value; the code and the internal field name are safe.
    return {
      status: 422,
      code: error.code,
      detail: 'A value in the request cannot be stored.',
      log: 'warn',
      logFields: { code: error.code, ...(error.field === undefined ? {} : { field: error.field }) },
    };
  }
  if (error instanceof StoreUnavailableError || error instanceof StoreClosedError) {
    return {
      status: 503,
      code: error.code,
      detail: defaultDetail(503),
      headers: { 'Retry-After': '5' },
      log: 'error',
    };
  }
  if (error instanceof AppendContentionError) {
    return {
      status: 503,
      code: error.code,
      detail: 'The resource is busy; try again shortly.',
      headers: { 'Retry-After': '1' },
    };
  }
  if (error instanceof TransactionConflictError) {
    return { status: 409, code: error.code, detail: defaultDetail(409) };
  }
  if (error instanceof DuplicateEventIdError) {
    return { status: 409, code: error.code, detail: 'This request was already applied differently.' };
  }
  return unexpected();
}

function fromApiError(error: ApiError): ResolvedProblem {
  return {
    status: error.status,
    code: error.code,
    detail: error.message,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
    ...(error.extensions === undefined ? {} : { extensions: error.extensions }),
    ...(error.headers === undefined ? {} : { headers: error.headers }),
  };
}

/** Domain details are a few safe scalars (a field name, a role, a region code). */
function safeDetails(details: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  if (details === undefined || typeof details !== 'object' || details === null) return undefined;
  const entries = Object.entries(details).filter(
    ([, value]) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean',
  );
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

function fromDomainError(error: DomainErrorLike): ResolvedProblem {
  const details = safeDetails(error.details);
  const field = details?.field;
  return {
    status: DOMAIN_ERROR_STATUS[error.kind],
    code: error.code,
    detail: error.message,
    ...(error.kind === 'invalid' && typeof field === 'string'
      ? { errors: [{ field, code: error.code, message: error.message }] }
      : {}),
    ...(details === undefined ? {} : { extensions: { details } }),
  };
}

function unexpected(): ResolvedProblem {
  return { status: 500, code: INTERNAL_ERROR, detail: defaultDetail(500), log: 'error' };
}

/**
 * Maps anything thrown while serving a request to what the client is told; the one place errors are translated.
 * `ApiError` -> its status; Nest `HttpException`s -> their status with a generic code (`NOT_FOUND`,
 * `TOO_MANY_REQUESTS`...); body-parser errors -> 400 `MALFORMED_JSON`, 413 `PAYLOAD_TOO_LARGE`...; event-store errors
 * -> 409/412/422/503; domain errors (`kind` + `code`) -> 422/409/403/404; anything else -> 500 `INTERNAL_ERROR`
 * with a generic message.
 */
export function resolveProblem(error: unknown, context: ErrorContext = { ifMatch: false }): ResolvedProblem {
  if (error instanceof ApiError) return fromApiError(error);
  if (error instanceof HttpException) return fromHttpException(error);
  if (error instanceof EventStoreError) return fromEventStoreError(error, context);
  if (isDomainErrorLike(error)) return fromDomainError(error);
  const bodyError = bodyParserErrorToApiError(error);
  if (bodyError) return fromApiError(bodyError);
  return unexpected();
}
