import type { Role, Scope } from '../access/roles';
import type { DomainCommand } from '../domain-message';

/** How a credential came to be set; the password or its hash never enters the event log. */
export const CREDENTIAL_CHANGES = [
  'INITIAL',
  'RESET_BY_ADMIN',
  'CHANGED_BY_USER',
  /** An administrator issued an API token for this user (a machine client acting as the user). */
  'API_TOKEN_ISSUED',
  'API_TOKEN_REVOKED',
] as const;
export type CredentialChange = (typeof CREDENTIAL_CHANGES)[number];

export type RegisterUser = DomainCommand<
  'RegisterUser',
  {
    readonly userId: string;
    /** Login name: lowercase letters, digits, `.`, `_`, `-`. */
    readonly username: string;
    readonly displayName: string;
    /** NATIONAL or a region code: where the user belongs; admins manage users whose home region is in their scope. */
    readonly homeRegion: Scope;
  }
>;

export type GrantRole = DomainCommand<
  'GrantRole',
  { readonly userId: string; readonly grantId: string; readonly role: Role; readonly scope: Scope }
>;

export type RevokeRole = DomainCommand<
  'RevokeRole',
  { readonly userId: string; readonly grantId: string; readonly reason: string }
>;

export type DisableUser = DomainCommand<'DisableUser', { readonly userId: string; readonly reason: string }>;

export type EnableUser = DomainCommand<'EnableUser', { readonly userId: string }>;

/** Records that a credential was set; the credential itself is kept outside the event log. */
export type RecordCredentialChange = DomainCommand<
  'RecordCredentialChange',
  {
    readonly userId: string;
    readonly change: CredentialChange;
    /** The API token concerned (its id, never the token). */
    readonly credentialId?: string;
  }
>;

export type UserCommand = RegisterUser | GrantRole | RevokeRole | DisableUser | EnableUser | RecordCredentialChange;
