export { ApiError, RESERVED_PROBLEM_MEMBERS, type ApiErrorOptions, type FieldError } from './api-error';
export {
  INTERNAL_ERROR,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  defaultDetail,
  problemType,
  statusCode,
  statusTitle,
  type ProblemDetails,
} from './problem';
export {
  DOMAIN_ERROR_STATUS,
  PRECONDITION_FAILED,
  WRONG_EXPECTED_VERSION,
  hasIfMatch,
  isDomainErrorLike,
  resolveProblem,
  versionConflict,
  type DomainErrorKindLike,
  type DomainErrorLike,
  type ErrorContext,
  type ResolvedProblem,
} from './error-mapping';
export {
  MALFORMED_JSON,
  PAYLOAD_TOO_LARGE,
  bodyParserErrorHandler,
  bodyParserErrorToApiError,
} from './body-parser-errors';
export {
  ProblemValidationPipe,
  VALIDATION_FAILED,
  constraintCode,
  createValidationPipe,
  flattenValidationErrors,
  validationExceptionFactory,
  validationFailed,
} from './validation';
export { ProblemDetailsFilter, buildProblemBody } from './problem-details.filter';
export {
  API_TITLE,
  API_VERSION,
  ApiProblemResponses,
  BEARER_AUTH,
  DOCS_PATH,
  FieldErrorSchema,
  OPENAPI_JSON_PATH,
  ProblemSchema,
  buildOpenApiDocument,
  setupOpenApi,
} from './openapi';
export {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  DOCS_CSP_DIRECTIVES,
  configureHttpApp,
  type HttpAppConfig,
} from './configure-http-app';
