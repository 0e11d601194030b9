import type { Principal } from '@muskel/auth';
import type { Role } from '@muskel/domain';

/** The scopes in which the principal holds one of `roles`: what a list is filtered to (never refused). */
export function scopesOf(principal: Principal, roles: readonly Role[]): string[] {
  return principal.grants.filter((grant) => roles.includes(grant.role)).map((grant) => grant.scope);
}

export const WORKFLOW_READERS: readonly Role[] = ['VILLAGE_OPERATOR', 'VERIFIER', 'AUDITOR'];
