import { ApiError } from '@muskel/http';

/**
 * Authentication and authorisation failures, with stable codes, rendered as problem+json by the edge's filter.
 * Messages never say whether a user or a resource exists.
 */
export class AuthError extends ApiError {
  constructor(status: 401 | 403 | 404 | 429, code: string, message: string, headers: Record<string, string> = {}) {
    super(status, code, message, { headers });
  }
  override get name(): string {
    return 'AuthError';
  }
}

export const unauthenticated = (code: string, message: string): AuthError =>
  new AuthError(401, code, message, { 'WWW-Authenticate': 'Bearer' });

export const AUTH_MESSAGES = {
  AUTHENTICATION_REQUIRED: 'This request needs a bearer token (sign in at POST /auth/login).',
  TOKEN_INVALID: 'The bearer token is malformed, tampered with or not signed by this service.',
  TOKEN_EXPIRED: 'The access token has expired; get a new one at POST /auth/refresh.',
  SESSION_ENDED: 'This session has ended (signed out, disabled or revoked); sign in again.',
  INVALID_CREDENTIALS: 'The username or password is wrong.',
  REFRESH_TOKEN_INVALID: 'The refresh token is not valid any more; sign in again.',
  NOT_FOUND: 'Nothing was found here.',
} as const;
