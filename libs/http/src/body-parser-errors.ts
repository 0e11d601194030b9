import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { defaultDetail, statusCode } from './problem';

export const MALFORMED_JSON = 'MALFORMED_JSON';
export const PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE';

interface HttpErrorLike extends Error {
  type: string;
  status: number;
  limit?: unknown;
}

/** body-parser (and raw-body) errors carry a `type` such as `entity.parse.failed` and an HTTP `status`. */
function isBodyParserError(error: unknown): error is HttpErrorLike {
  return (
    error instanceof Error &&
    typeof (error as Partial<HttpErrorLike>).type === 'string' &&
    typeof (error as Partial<HttpErrorLike>).status === 'number'
  );
}

/**
 * The `ApiError` for an error of the body parsers, or `undefined` for anything else. Never copies the parser's
 * message: for malformed JSON it quotes the start of the body.
 */
export function bodyParserErrorToApiError(error: unknown): ApiError | undefined {
  if (!isBodyParserError(error)) return undefined;
  const cause = { cause: error };
  switch (error.type) {
    case 'entity.parse.failed':
      return new ApiError(400, MALFORMED_JSON, 'The request body is not valid JSON.', cause);
    case 'entity.too.large': {
      const limit = typeof error.limit === 'number' ? ` of ${error.limit} bytes` : '';
      return new ApiError(413, PAYLOAD_TOO_LARGE, `The request body is larger than the limit${limit}.`, cause);
    }
    case 'parameters.too.many':
      return new ApiError(413, 'TOO_MANY_PARAMETERS', 'The request body has too many parameters.', cause);
    case 'encoding.unsupported':
      return new ApiError(415, 'UNSUPPORTED_CONTENT_ENCODING', 'The Content-Encoding is not supported.', cause);
    case 'charset.unsupported':
      return new ApiError(415, 'UNSUPPORTED_CHARSET', 'The charset of the request body is not supported.', cause);
    case 'request.aborted':
      return new ApiError(400, 'REQUEST_ABORTED', 'The request was aborted before its body arrived.', cause);
    case 'request.size.invalid':
      return new ApiError(400, 'REQUEST_SIZE_MISMATCH', 'The request body does not match its Content-Length.', cause);
    default:
      // Anything else the parsers raise with a 4xx status; 5xx ones are bugs and stay unexpected errors.
      if (error.status >= 400 && error.status < 500) {
        return new ApiError(error.status, statusCode(error.status), defaultDetail(error.status), cause);
      }
      return undefined;
  }
}

/**
 * Express error middleware placed right after the body parsers: turns their errors into `ApiError`s before Nest
 * sees them (Nest would otherwise turn malformed JSON into a 400 whose message quotes the body).
 */
export function bodyParserErrorHandler(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  next(bodyParserErrorToApiError(error) ?? error);
}
