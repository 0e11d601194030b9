import { DomainError } from '../domain-error';
import { isCanonicalRegionCode, parseRegionCode, type RegionCode, type RegionLevel } from '../regions/region-code';

/** The roles of DESIGN.md section 1. */
export const ROLES = ['VILLAGE_OPERATOR', 'VERIFIER', 'AUDITOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** The scope that covers the whole country. */
export const NATIONAL = 'NATIONAL';

/** Where a grant applies: `'NATIONAL'`, or a region code in digits only (e.g. `1872`). */
export type Scope = string;

/** A role held over a scope. A user may hold several. */
export type Grant = {
  readonly grantId: string;
  readonly role: Role;
  readonly scope: Scope;
};

/**
 * Who issues a command, as the edge established it: the user, the role they act in and that grant's scope.
 * `SYSTEM` is an operator command run from the CLI on the server (bootstrap); its scope is always NATIONAL.
 */
export type Actor = {
  readonly userId: string;
  readonly role: Role | 'SYSTEM';
  readonly scope: Scope;
};

/** What each role's scope may be. */
const SCOPE_RULES: Readonly<Record<Role, { readonly national: boolean; readonly levels: readonly RegionLevel[] }>> = {
  VILLAGE_OPERATOR: { national: false, levels: ['village'] },
  VERIFIER: { national: false, levels: ['regency'] },
  AUDITOR: { national: true, levels: ['province', 'regency'] },
  ADMIN: { national: true, levels: ['province', 'regency'] },
};

const SCOPE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  VILLAGE_OPERATOR: 'a village code (10 digits)',
  VERIFIER: 'a regency code (4 digits)',
  AUDITOR: 'NATIONAL, a province code (2 digits) or a regency code (4 digits)',
  ADMIN: 'NATIONAL, a province code (2 digits) or a regency code (4 digits)',
};

export function isRole(input: string): input is Role {
  return (ROLES as readonly string[]).includes(input);
}

/** Throws DomainError `INVALID_ROLE` unless `input` is one of ROLES. */
export function parseRole(input: string): Role {
  if (!isRole(input)) throw new DomainError('invalid', 'INVALID_ROLE', `A role is one of ${ROLES.join(', ')}.`);
  return input;
}

/**
 * Validates a scope for a role and returns it normalised (`NATIONAL` or digits only; dotted codes accepted):
 * VILLAGE_OPERATOR a village, VERIFIER a regency, AUDITOR and ADMIN NATIONAL, a province or a regency.
 * Throws DomainError `INVALID_SCOPE`.
 */
export function parseScope(role: Role, input: string): Scope {
  const checkedRole = parseRole(role);
  const rule = SCOPE_RULES[checkedRole];
  const rejection = (why: string) =>
    new DomainError(
      'invalid',
      'INVALID_SCOPE',
      `The scope of ${checkedRole} must be ${SCOPE_DESCRIPTIONS[checkedRole]}${why}`,
      { role: checkedRole },
    );
  const text = input.trim();
  if (text === NATIONAL) {
    if (rule.national) return NATIONAL;
    throw rejection(', not NATIONAL.');
  }
  const region = regionOrRejection(text, rejection);
  if (!rule.levels.includes(region.level)) throw rejection(` (got a ${region.level} code).`);
  return region.code;
}

function regionOrRejection(text: string, rejection: (why: string) => DomainError): RegionCode {
  try {
    return parseRegionCode(text);
  } catch (error) {
    throw rejection(error instanceof DomainError ? `: ${error.message}` : '.');
  }
}

/**
 * True when scope `outer` contains scope `inner`: NATIONAL contains everything, a region contains itself and the
 * regions inside it, and nothing but NATIONAL contains NATIONAL. Anything that is neither NATIONAL nor a region
 * code in digits only contains nothing and is contained in nothing (fails closed).
 */
export function scopeContains(outer: Scope, inner: Scope): boolean {
  const innerValid = inner === NATIONAL || isCanonicalRegionCode(inner);
  if (!innerValid) return false;
  if (outer === NATIONAL) return true;
  return inner !== NATIONAL && isCanonicalRegionCode(outer) && inner.startsWith(outer);
}

/** True when `scope` covers the region `regionCode` (digits only): NATIONAL covers all, a region its sub-regions. */
export function scopeCovers(scope: Scope, regionCode: string): boolean {
  return scopeContains(scope, regionCode);
}
