import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RESERVED_PROBLEM_MEMBERS } from './api-error';
import { hasIfMatch, resolveProblem, type ResolvedProblem } from './error-mapping';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, problemType, statusTitle } from './problem';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the one pino-http gave it (`req.id`, echoed as `X-Request-Id`), else a sane incoming
 * `X-Request-Id`, else a new UUID (errors raised before the logging middleware ran, e.g. by the body parsers).
 */
function requestIdOf(request: Request, response: Response): string {
  const id: unknown = (request as { id?: unknown }).id;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  const echoed = response.getHeader('x-request-id');
  if (typeof echoed === 'string') return echoed;
  const incoming = request.headers['x-request-id'];
  const chosen = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  if (!response.headersSent) response.setHeader('X-Request-Id', chosen);
  return chosen;
}

/** The path of the request, without its query string (which is never echoed). */
function pathOf(request: Request): string {
  const url = request.originalUrl || request.url || '/';
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

/** What may be logged of an unexpected error: its type, message, code and stack, not its other properties. */
function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: error.stack,
  };
}

/** terminus's health answer (`{ status: 'error', info, error, details }`) keeps its own well-known shape. */
function isHealthCheckBody(body: unknown): body is Record<string, unknown> {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { status?: unknown }).status === 'error' &&
    typeof (body as { details?: unknown }).details === 'object' &&
    typeof (body as { info?: unknown }).info === 'object'
  );
}

/** The problem body: the standard members, then the error's extension members (never overriding the standard ones). */
export function buildProblemBody(problem: ResolvedProblem, instance: string, requestId: string): ProblemDetails {
  const body: ProblemDetails = {
    type: problemType(problem.code),
    title: statusTitle(problem.status),
    status: problem.status,
    code: problem.code,
    detail: problem.detail,
    instance,
    ...(problem.errors === undefined ? {} : { errors: problem.errors.map((e) => ({ ...e })) }),
    requestId,
  };
  for (const [name, value] of Object.entries(problem.extensions ?? {})) {
    if (!(RESERVED_PROBLEM_MEMBERS as readonly string[]).includes(name)) body[name] = value;
  }
  return body;
}

/**
 * The one place where errors become HTTP answers: every error escaping a handler, guard, pipe, interceptor or the
 * body parsers, and every unknown route, is answered as `application/problem+json` (RFC 9457; see `resolveProblem`
 * for the mapping). Unexpected errors are logged with the request id; their message never reaches the client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();

    if (exception instanceof HttpException && isHealthCheckBody(exception.getResponse())) {
      if (!response.headersSent) response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }

    const problem = resolveProblem(exception, { ifMatch: hasIfMatch(request) });
    const requestId = requestIdOf(request, response);
    const instance = pathOf(request);
    this.log(problem, exception, { requestId, method: request.method, path: instance });

    if (response.headersSent) {
      // Part of a answer already left: nothing sensible can be added; end it.
      response.end();
      return;
    }
    const body = buildProblemBody(problem, instance, requestId);
    response.status(problem.status);
    for (const [name, value] of Object.entries(problem.headers ?? {})) response.setHeader(name, value);
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.setHeader('Cache-Control', 'no-store');
    response.send(JSON.stringify(body));
  }

  private log(problem: ResolvedProblem, exception: unknown, where: Record<string, string>): void {
    if (problem.log === 'error') {
      this.logger.error({
        msg: `${where.method} ${where.path} failed: ${problem.status} ${problem.code}`,
        ...where,
        status: problem.status,
        code: problem.code,
        error: loggableError(exception),
      });
    } else if (problem.log === 'warn') {
      this.logger.warn({
        msg: `${where.method} ${where.path} rejected: ${problem.status} ${problem.code}`,
        ...where,
        status: problem.status,
        ...problem.logFields,
      });
    }
  }
}
