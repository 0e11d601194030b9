import { scopeCovers, type Grant, type Role } from '../access/roles';
import type { UserState } from './user.decider';

/** True when the user exists and is not disabled. */
export function isActive(state: UserState): boolean {
  return state.status === 'active';
}

/** The grants that count now: those held by an active user; none while the user is disabled or unknown. */
export function activeGrants(state: UserState): readonly Grant[] {
  return isActive(state) ? state.grants : [];
}

/** The active grants of `role` whose scope covers `regionCode` (digits only, or NATIONAL). */
export function grantsCovering(state: UserState, role: Role, regionCode: string): readonly Grant[] {
  return activeGrants(state).filter((grant) => grant.role === role && scopeCovers(grant.scope, regionCode));
}
