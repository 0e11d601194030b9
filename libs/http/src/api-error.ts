/** One bad input field of a request: `field` is a dotted path into the body or query (`address.city`, `items[2].nik`). */
export interface FieldError {
  /** Where in the input: dotted path, array indices in brackets; `''` for the input as a whole. */
  field: string;
  /** Stable UPPER_SNAKE identifier of the rule broken, e.g. `IS_NOT_EMPTY`, `UNKNOWN_FIELD`. */
  code: string;
  /** English sentence for a developer; never the submitted value. */
  message: string;
}

/** Members of a problem body that `extensions` may not override. */
export const RESERVED_PROBLEM_MEMBERS = [
  'type',
  'title',
  'status',
  'code',
  'detail',
  'instance',
  'errors',
  'requestId',
] as const;

export interface ApiErrorOptions {
  /** Every bad field, for validation failures. */
  errors?: readonly FieldError[];
  /**
   * Extra top-level members of the problem body (RFC 9457 extension members), e.g. `{ currentRevision: 4 }`. Safe
   * values only: never personal data, secrets or internal details. Reserved member names are ignored.
   */
  extensions?: Readonly<Record<string, unknown>>;
  /** Response headers to add, e.g. `{ 'Retry-After': '5' }`. */
  headers?: Readonly<Record<string, string>>;
  /** The error this one translates; logged server-side at most, never sent. */
  cause?: unknown;
}

/**
 * An error the API reports to its client as `application/problem+json` (RFC 9457), with the given status, a stable
 * English UPPER_SNAKE `code` clients may switch on, and a human `message` (the problem's `detail`). Throw it from
 * controllers, guards, pipes or services; the global `ProblemDetailsFilter` renders it.
 */
export class ApiError extends Error {
  readonly errors?: readonly FieldError[];
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.errors !== undefined) this.errors = options.errors;
    if (options.extensions !== undefined) this.extensions = options.extensions;
    if (options.headers !== undefined) this.headers = options.headers;
  }

  override get name(): string {
    return 'ApiError';
  }
}
