/**
 * The signed-in user. Tokens live in sessionStorage (gone when the tab closes: shared village computers); the
 * access token is refreshed shortly before it expires with the single-use refresh token.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setTokenSource } from '../api/client';

export interface Grant {
  grantId?: string;
  role: string;
  scope: string;
}

export interface Me {
  userId: string;
  username: string;
  displayName: string;
  homeRegion: string;
  grants: Grant[];
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

interface TokensResponse {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const STORAGE_KEY = 'muskel.session';

function loadTokens(): Tokens | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : undefined;
  } catch {
    return undefined;
  }
}

function saveTokens(tokens: Tokens | undefined): void {
  if (tokens) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  else sessionStorage.removeItem(STORAGE_KEY);
}

const toTokens = (response: TokensResponse): Tokens => ({
  accessToken: response.accessToken,
  refreshToken: response.refreshToken,
  expiresAt: Date.now() + response.expiresIn * 1000,
});

let current: Tokens | undefined = loadTokens();
let refreshing: Promise<Tokens | undefined> | undefined;

async function freshAccessToken(): Promise<string | undefined> {
  if (!current) return undefined;
  if (current.expiresAt - Date.now() > 30_000) return current.accessToken;
  // One refresh at a time: the refresh token is single use.
  refreshing ??= api
    .post<TokensResponse>('/auth/refresh', { refreshToken: current.refreshToken }, { anonymous: true })
    .then(toTokens)
    .catch(() => undefined)
    .finally(() => (refreshing = undefined));
  current = await refreshing;
  saveTokens(current);
  return current?.accessToken;
}

interface SessionValue {
  me: Me | undefined;
  loading: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  hasRole: (role: string) => boolean;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | undefined>();
  const [loading, setLoading] = useState(current !== undefined);

  const signOutLocally = useCallback(() => {
    current = undefined;
    saveTokens(undefined);
    setMe(undefined);
  }, []);

  useEffect(() => {
    setTokenSource({ accessToken: freshAccessToken, onUnauthorized: signOutLocally });
    if (!current) return;
    api
      .get<Me>('/me')
      .then(setMe)
      .catch(() => signOutLocally())
      .finally(() => setLoading(false));
  }, [signOutLocally]);

  const value = useMemo<SessionValue>(
    () => ({
      me,
      loading,
      login: async (username, password) => {
        const response = await api.post<TokensResponse>('/auth/login', { username, password }, { anonymous: true });
        current = toTokens(response);
        saveTokens(current);
        setMe(await api.get<Me>('/me'));
      },
      logout: async () => {
        await api.post('/auth/logout').catch(() => undefined);
        signOutLocally();
      },
      hasRole: (role) => me?.grants.some((grant) => grant.role === role) ?? false,
    }),
    [me, loading, signOutLocally],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The first scope the user holds `role` in (a village or regency code, or NATIONAL). */
export function scopeOf(me: Me | undefined, role: string): string | undefined {
  return me?.grants.find((grant) => grant.role === role)?.scope;
}
