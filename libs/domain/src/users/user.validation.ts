import { NATIONAL, type Scope } from '../access/roles';
import { DomainError } from '../domain-error';
import { parseRegionCode } from '../regions/region-code';
import { FORBIDDEN_IN_TEXT, invalidStreamId, lengthOf, STREAM_ID } from '../shared/fields';

const USERNAME = /^[a-z0-9._-]{3,64}$/;

export const DISPLAY_NAME_MAX_LENGTH = 120;
export const REASON_MAX_LENGTH = 500;

/**
 * A login name (not a person's name): 3 to 64 characters among lowercase letters, digits, `.`, `_` and `-`.
 * Throws DomainError `INVALID_USERNAME`.
 */
export function parseUsername(input: string): string {
  if (!USERNAME.test(input)) {
    throw new DomainError(
      'invalid',
      'INVALID_USERNAME',
      'A username has 3 to 64 characters among lowercase letters, digits, dot, underscore and hyphen.',
      { field: 'username' },
    );
  }
  return input;
}

/** The name shown for a user: trimmed, 1 to 120 characters, no control characters. Throws `INVALID_DISPLAY_NAME`. */
export function parseDisplayName(input: string): string {
  const name = input.trim();
  if (lengthOf(name) < 1 || lengthOf(name) > DISPLAY_NAME_MAX_LENGTH || FORBIDDEN_IN_TEXT.test(name)) {
    throw new DomainError(
      'invalid',
      'INVALID_DISPLAY_NAME',
      `A display name has 1 to ${DISPLAY_NAME_MAX_LENGTH} characters (after trimming) and no control characters.`,
      { field: 'displayName' },
    );
  }
  return name;
}

/** Why a role was revoked or a user disabled: trimmed, 1 to 500 characters. Throws `INVALID_REASON`. */
export function parseReason(input: string): string {
  const reason = input.trim();
  if (lengthOf(reason) < 1 || lengthOf(reason) > REASON_MAX_LENGTH) {
    throw new DomainError(
      'invalid',
      'INVALID_REASON',
      `A reason has 1 to ${REASON_MAX_LENGTH} characters (after trimming).`,
      { field: 'reason' },
    );
  }
  return reason;
}

/**
 * Where a user belongs: NATIONAL or a region code of any level (dotted accepted), returned in digits only.
 * Throws `INVALID_HOME_REGION`.
 */
export function parseHomeRegion(input: string): Scope {
  const text = input.trim();
  if (text === NATIONAL) return NATIONAL;
  try {
    return parseRegionCode(text).code;
  } catch (error) {
    const why = error instanceof DomainError ? ` ${error.message}` : '';
    throw new DomainError('invalid', 'INVALID_HOME_REGION', `A home region is NATIONAL or a region code.${why}`, {
      field: 'homeRegion',
    });
  }
}

/**
 * An id that may end a stream name (`user-<id>`): 1 to 100 letters, digits, `_` or `-`, starting with a letter or
 * digit (a UUID fits). Throws `INVALID_ID`.
 */
export function parseId(input: string, field: string): string {
  if (!STREAM_ID.test(input)) throw invalidStreamId(field);
  return input;
}
