import type { Role, Scope } from '../access/roles';
import type { DomainEvent } from '../domain-message';
import type { CredentialChange } from './user.commands';
import { parseId } from './user.validation';

/** The stream of one user: `user-<userId>`. Throws DomainError `INVALID_ID` for an id unfit for a stream name. */
export function userStreamName(userId: string): string {
  return `user-${parseId(userId, 'userId')}`;
}

export type UserRegistered = DomainEvent<
  'UserRegistered',
  { readonly userId: string; readonly username: string; readonly displayName: string; readonly homeRegion: Scope }
>;
export type RoleGranted = DomainEvent<
  'RoleGranted',
  { readonly grantId: string; readonly role: Role; readonly scope: Scope }
>;
export type RoleRevoked = DomainEvent<
  'RoleRevoked',
  { readonly grantId: string; readonly role: Role; readonly scope: Scope; readonly reason: string }
>;
export type UserDisabled = DomainEvent<'UserDisabled', { readonly reason: string }>;
export type UserEnabled = DomainEvent<'UserEnabled', Record<string, never>>;
/** That a credential was set or changed, and how; never a password or a hash. */
export type CredentialChanged = DomainEvent<
  'CredentialChanged',
  { readonly change: CredentialChange; readonly credentialId?: string }
>;

export type UserEvent = UserRegistered | RoleGranted | RoleRevoked | UserDisabled | UserEnabled | CredentialChanged;
export type UserEventType = UserEvent['type'];

export const USER_EVENT_TYPES = [
  'UserRegistered',
  'RoleGranted',
  'RoleRevoked',
  'UserDisabled',
  'UserEnabled',
  'CredentialChanged',
] as const satisfies readonly UserEventType[];

/** Compile-time check that USER_EVENT_TYPES lists every event type. */
const _allListed: UserEventType extends (typeof USER_EVENT_TYPES)[number] ? true : never = true;

export function isUserEventType(type: string): type is UserEventType {
  return (USER_EVENT_TYPES as readonly string[]).includes(type);
}
