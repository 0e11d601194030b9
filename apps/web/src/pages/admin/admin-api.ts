/** Shapes of apps/api/src/users and the words for them. */
import { hasMessage, t } from '../../i18n';

export const ROLES = ['VILLAGE_OPERATOR', 'VERIFIER', 'AUDITOR', 'ADMIN'] as const;

export interface Grant {
  grantId: string;
  role: string;
  scope: string;
}

export interface UserSummary {
  userId: string;
  username: string;
  displayName: string;
  homeRegion: string;
  status: string;
  grants: Grant[];
}

export interface UserDetail extends UserSummary {
  history: { type: string; recordedAt: string; revision: number }[];
}

export interface ApiToken {
  tokenId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const label = (key: string, fallback: string): string => (hasMessage(key) ? t(key) : fallback);

export const roleText = (role: string): string => label(`role.${role}`, role);
export const statusText = (status: string): string => label(`admin.status.${status}`, status);
export const grantText = (grant: Pick<Grant, 'role' | 'scope'>): string =>
  t('admin.grant', { role: roleText(grant.role), scope: grant.scope });
