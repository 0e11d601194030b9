import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Common passwords from zxcvbn's list (about 49,000), plus words Indonesian users often choose, which that list
 * lacks. Compared case-insensitively.
 */
const INDONESIAN_COMMON = [
  'bismillah',
  'indonesia',
  'sayangku',
  'rahasia',
  'katasandi',
  'merdeka',
  'jakarta',
  'surabaya',
  'kelurahan',
  'desaku',
  'dinsos',
  'musyawarah',
  'alhamdulillah',
  'cintaku',
  'garuda',
];

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set([...dictionary['passwords-common'], ...INDONESIAN_COMMON].map((p) => p.toLowerCase()));
  return common;
}

export type PasswordProblem = 'TOO_SHORT' | 'TOO_LONG' | 'TOO_COMMON' | 'CONTAINS_USERNAME';

/** Why a new password is refused, or undefined when it is acceptable (NIST SP 800-63B: length and a blocklist). */
export function passwordProblem(password: string, username?: string): PasswordProblem | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'TOO_SHORT';
  if (password.length > MAX_PASSWORD_LENGTH) return 'TOO_LONG';
  const lower = password.toLowerCase();
  const set = commonPasswords();
  // "password123!", "Jakarta2024": a common word with digits or symbols around it is still common.
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  if (set.has(lower) || (core.length >= 4 && set.has(core))) return 'TOO_COMMON';
  if (username && username.length >= 3 && lower.includes(username.toLowerCase())) return 'CONTAINS_USERNAME';
  return undefined;
}

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  TOO_SHORT: `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`,
  TOO_LONG: `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`,
  TOO_COMMON: 'The password is too common; choose one that others are unlikely to use.',
  CONTAINS_USERNAME: 'The password must not contain the username.',
};
