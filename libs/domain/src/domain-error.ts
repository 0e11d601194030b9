/**
 * How the edge reports a rejection: `invalid` -> 422, `conflict` -> 409, `forbidden` -> 403, `not_found` -> 404.
 */
export type DomainErrorKind = 'invalid' | 'conflict' | 'forbidden' | 'not_found';

/** A value that may travel in `details` (and so in a problem+json body). */
export type DomainErrorDetail = string | number | boolean;

/**
 * A rule of the domain said no. `code` is a stable English UPPER_SNAKE identifier that clients may switch on;
 * `message` is a plain English sentence for API clients and never carries personal data; `details` holds a few
 * safe scalars (a field name, a role, a region code).
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, DomainErrorDetail>,
  ) {
    super(message);
  }
}
