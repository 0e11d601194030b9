import { STATUS_CODES } from 'node:http';
import type { FieldError } from './api-error';

/** Media type of every error answer (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types are `<base><code in kebab case>`, e.g. `https://muskel.id/problems/validation-failed`. */
export const PROBLEM_TYPE_BASE = 'https://muskel.id/problems/';

export const INTERNAL_ERROR = 'INTERNAL_ERROR';

/** The body of an error answer. Extension members (from `ApiError.extensions`) may sit beside these. */
export interface ProblemDetails {
  /** URI naming the kind of problem: `https://muskel.id/problems/<code-kebab>`. */
  type: string;
  /** Short summary of the kind of problem (the status's reason phrase). */
  title: string;
  status: number;
  /** Stable English UPPER_SNAKE identifier clients may switch on. */
  code: string;
  /** What went wrong this time, for a human. */
  detail: string;
  /** The request path (no query string). */
  instance: string;
  /** Every bad field, for validation failures. */
  errors?: FieldError[];
  /** Id of the request in the server's logs (also the `X-Request-Id` response header). */
  requestId: string;
  [extension: string]: unknown;
}

/** `WRONG_EXPECTED_VERSION` -> `https://muskel.id/problems/wrong-expected-version`. */
export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`;
}

/** `404` -> `Not Found`. */
export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

const STATUS_CODE_NAMES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  410: 'GONE',
  411: 'LENGTH_REQUIRED',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  428: 'PRECONDITION_REQUIRED',
  429: 'TOO_MANY_REQUESTS',
  500: INTERNAL_ERROR,
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/** The generic code of an HTTP status: `404` -> `NOT_FOUND`, `429` -> `TOO_MANY_REQUESTS`. */
export function statusCode(status: number): string {
  const known = STATUS_CODE_NAMES[status];
  if (known) return known;
  const phrase = STATUS_CODES[status];
  if (phrase) return phrase.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return status >= 500 ? INTERNAL_ERROR : 'BAD_REQUEST';
}

const DEFAULT_DETAILS: Readonly<Record<number, string>> = {
  400: 'The request is malformed.',
  401: 'Authentication is required: send a valid bearer token.',
  403: 'You are not allowed to do this.',
  404: 'The resource does not exist.',
  405: 'This method is not allowed on this resource.',
  409: 'The request conflicts with the current state of the resource.',
  412: 'A precondition of the request does not hold.',
  413: 'The request body is too large.',
  415: 'The request body has a media type this endpoint does not accept.',
  422: 'The request is invalid.',
  428: 'This request must be conditional: send If-Match.',
  429: 'Too many requests; try again later.',
  500: 'An unexpected error occurred. The request id identifies it in the server logs.',
  502: 'An upstream service failed.',
  503: 'The service is temporarily unavailable; try again shortly.',
  504: 'An upstream service did not answer in time.',
};

/** A generic human sentence for a status, used when nothing more specific may be said. */
export function defaultDetail(status: number): string {
  return DEFAULT_DETAILS[status] ?? (status >= 500 ? DEFAULT_DETAILS[500]! : statusTitle(status));
}
