import { parseRole, parseScope, scopeContains, type Actor, type Grant, type Scope } from '../access/roles';
import { DomainError } from '../domain-error';
import {
  CREDENTIAL_CHANGES,
  type DisableUser,
  type EnableUser,
  type GrantRole,
  type RecordCredentialChange,
  type RegisterUser,
  type RevokeRole,
  type UserCommand,
} from './user.commands';
import type { UserEvent } from './user.events';
import { parseDisplayName, parseHomeRegion, parseId, parseReason, parseUsername } from './user.validation';

/** A user folded from their stream. Revision-independent: the handler tracks the stream revision. */
export type UserState = {
  readonly status: 'none' | 'active' | 'disabled';
  readonly userId?: string;
  readonly username?: string;
  readonly displayName?: string;
  readonly homeRegion?: Scope;
  /** Grants currently held (kept while the user is disabled; see `activeGrants`). */
  readonly grants: readonly Grant[];
  /** Ids of revoked grants: a grant id is never reused. */
  readonly revokedGrantIds: readonly string[];
  /** Whether a credential was ever recorded (INITIAL is accepted only before). */
  readonly credentialSet: boolean;
};

export function initialState(): UserState {
  return { status: 'none', grants: [], revokedGrantIds: [], credentialSet: false };
}

/** An existing user, as the rules need it. */
type ExistingUser = UserState & { readonly status: 'active' | 'disabled'; readonly homeRegion: Scope };

const conflict = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('conflict', code, message, details);
const forbidden = (code: string, message: string, details?: DomainError['details']) =>
  new DomainError('forbidden', code, message, details);

function requireAdministrator(actor: Actor): void {
  if (actor.role !== 'ADMIN' && actor.role !== 'SYSTEM') {
    throw forbidden('ADMIN_REQUIRED', 'Only an administrator may manage users.', { role: actor.role });
  }
}

function requireWithinAdminScope(actor: Actor, scope: Scope, what: string): void {
  if (!scopeContains(actor.scope, scope)) {
    throw forbidden('OUTSIDE_ADMIN_SCOPE', `The ${what} lies outside this administrator's scope.`, {
      adminScope: actor.scope,
      scope,
    });
  }
}

/**
 * An administrator manages a user only when the user's home region and every scope the user holds lie within the
 * administrator's scope: a regional administrator may not reset, disable or enable a user who holds wider powers.
 */
function requireManageable(actor: Actor, user: ExistingUser): void {
  requireWithinAdminScope(actor, user.homeRegion, "user's home region");
  for (const grant of user.grants) requireWithinAdminScope(actor, grant.scope, "user's role scope");
}

function requireExisting(state: UserState): ExistingUser {
  if (state.status === 'none' || state.homeRegion === undefined) {
    throw new DomainError('not_found', 'USER_NOT_FOUND', 'No user with this id exists.');
  }
  return { ...state, status: state.status, homeRegion: state.homeRegion };
}

function register({ data, metadata: { actor } }: RegisterUser, state: UserState): UserEvent[] {
  requireAdministrator(actor);
  const userId = parseId(data.userId, 'userId');
  const username = parseUsername(data.username);
  const displayName = parseDisplayName(data.displayName);
  const homeRegion = parseHomeRegion(data.homeRegion);
  requireWithinAdminScope(actor, homeRegion, "user's home region");
  if (state.status !== 'none') throw conflict('USER_ALREADY_EXISTS', 'A user with this id already exists.');
  return [{ type: 'UserRegistered', data: { userId, username, displayName, homeRegion } }];
}

function grant({ data, metadata: { actor } }: GrantRole, state: UserState): UserEvent[] {
  requireAdministrator(actor);
  parseId(data.userId, 'userId');
  const grantId = parseId(data.grantId, 'grantId');
  const role = parseRole(data.role);
  const scope = parseScope(role, data.scope);
  const user = requireExisting(state);
  requireWithinAdminScope(actor, user.homeRegion, "user's home region");
  requireWithinAdminScope(actor, scope, 'granted scope');
  if (actor.role === 'ADMIN' && actor.userId === data.userId) {
    throw forbidden('SELF_GRANT', 'An administrator may not grant a role to themself.');
  }
  if (user.status === 'disabled') throw conflict('USER_DISABLED', 'The user is disabled.');
  if (user.grants.some((held) => held.grantId === grantId) || user.revokedGrantIds.includes(grantId)) {
    throw conflict('GRANT_ID_ALREADY_USED', 'This grant id is already used.', { grantId });
  }
  if (user.grants.some((held) => held.role === role && held.scope === scope)) {
    throw conflict('GRANT_ALREADY_HELD', 'The user already holds this role over this scope.', { role, scope });
  }
  return [{ type: 'RoleGranted', data: { grantId, role, scope } }];
}

function revoke({ data, metadata: { actor } }: RevokeRole, state: UserState): UserEvent[] {
  requireAdministrator(actor);
  parseId(data.userId, 'userId');
  const grantId = parseId(data.grantId, 'grantId');
  const reason = parseReason(data.reason);
  const user = requireExisting(state);
  requireWithinAdminScope(actor, user.homeRegion, "user's home region");
  const held = user.grants.find((candidate) => candidate.grantId === grantId);
  if (held === undefined) {
    if (user.revokedGrantIds.includes(grantId)) {
      throw conflict('GRANT_ALREADY_REVOKED', 'This grant was already revoked.', { grantId });
    }
    throw new DomainError('not_found', 'GRANT_NOT_FOUND', 'The user holds no grant with this id.', { grantId });
  }
  requireWithinAdminScope(actor, held.scope, 'scope of this grant');
  const adminGrants = user.grants.filter((candidate) => candidate.role === 'ADMIN').length;
  if (actor.userId === data.userId && held.role === 'ADMIN' && adminGrants === 1) {
    throw forbidden('SELF_LOCKOUT', 'An administrator may not revoke their own last ADMIN grant.');
  }
  return [{ type: 'RoleRevoked', data: { grantId, role: held.role, scope: held.scope, reason } }];
}

function disable({ data, metadata: { actor } }: DisableUser, state: UserState): UserEvent[] {
  requireAdministrator(actor);
  parseId(data.userId, 'userId');
  const reason = parseReason(data.reason);
  const user = requireExisting(state);
  requireManageable(actor, user);
  if (actor.userId === data.userId) throw forbidden('SELF_LOCKOUT', 'An administrator may not disable themself.');
  if (user.status === 'disabled') throw conflict('USER_ALREADY_DISABLED', 'The user is already disabled.');
  return [{ type: 'UserDisabled', data: { reason } }];
}

function enable({ data, metadata: { actor } }: EnableUser, state: UserState): UserEvent[] {
  requireAdministrator(actor);
  parseId(data.userId, 'userId');
  const user = requireExisting(state);
  requireManageable(actor, user);
  if (user.status === 'active') throw conflict('USER_ALREADY_ACTIVE', 'The user is already active.');
  return [{ type: 'UserEnabled', data: {} }];
}

function recordCredentialChange({ data, metadata: { actor } }: RecordCredentialChange, state: UserState): UserEvent[] {
  parseId(data.userId, 'userId');
  const change = data.change;
  if (!(CREDENTIAL_CHANGES as readonly string[]).includes(change)) {
    throw new DomainError(
      'invalid',
      'INVALID_CREDENTIAL_CHANGE',
      `A credential change is one of ${CREDENTIAL_CHANGES.join(', ')}.`,
      {
        field: 'change',
      },
    );
  }
  switch (change) {
    case 'CHANGED_BY_USER': {
      if (actor.userId !== data.userId) {
        throw forbidden('NOT_OWN_CREDENTIAL', 'Only the user themself may change their credential this way.');
      }
      const user = requireExisting(state);
      if (user.status === 'disabled') throw conflict('USER_DISABLED', 'The user is disabled.');
      break;
    }
    case 'INITIAL':
    case 'RESET_BY_ADMIN': {
      requireAdministrator(actor);
      const user = requireExisting(state);
      requireManageable(actor, user);
      if (change === 'INITIAL' && user.credentialSet) {
        throw conflict('CREDENTIAL_ALREADY_SET', 'The user already has a credential; reset it instead.');
      }
      break;
    }
    case 'API_TOKEN_ISSUED':
    case 'API_TOKEN_REVOKED': {
      requireAdministrator(actor);
      const user = requireExisting(state);
      requireManageable(actor, user);
      if (change === 'API_TOKEN_ISSUED' && user.status === 'disabled') {
        throw conflict('USER_DISABLED', 'The user is disabled.');
      }
      const credentialId = parseId(data.credentialId ?? '', 'credentialId');
      return [{ type: 'CredentialChanged', data: { change, credentialId } }];
    }
    default: {
      const _exhaustive: never = change;
      break;
    }
  }
  return [{ type: 'CredentialChanged', data: { change } }];
}

/** Decides what a command on a user's stream appends, or throws DomainError. */
export function decide(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'RegisterUser':
      return register(command, state);
    case 'GrantRole':
      return grant(command, state);
    case 'RevokeRole':
      return revoke(command, state);
    case 'DisableUser':
      return disable(command, state);
    case 'EnableUser':
      return enable(command, state);
    case 'RecordCredentialChange':
      return recordCredentialChange(command, state);
    default: {
      const _exhaustive: never = command;
      throw new DomainError('invalid', 'UNKNOWN_COMMAND', 'This command is not known for a user.');
    }
  }
}

/** Folds one event into the state. Events of unknown types leave it unchanged. */
export function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, username, displayName, homeRegion } = event.data;
      return { ...state, status: 'active', userId, username, displayName, homeRegion };
    }
    case 'RoleGranted':
      return { ...state, grants: [...state.grants, { ...event.data }] };
    case 'RoleRevoked':
      return {
        ...state,
        grants: state.grants.filter((held) => held.grantId !== event.data.grantId),
        revokedGrantIds: [...state.revokedGrantIds, event.data.grantId],
      };
    case 'UserDisabled':
      return { ...state, status: 'disabled' };
    case 'UserEnabled':
      return { ...state, status: 'active' };
    case 'CredentialChanged':
      // API tokens are credentials of their own; the password credential is what INITIAL waits for.
      return event.data.change === 'API_TOKEN_ISSUED' || event.data.change === 'API_TOKEN_REVOKED'
        ? state
        : { ...state, credentialSet: true };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** The user decider (Emmett style). */
export const userDecider = { decide, evolve, initialState } as const;
