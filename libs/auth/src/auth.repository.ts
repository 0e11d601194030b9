import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { SqlExecutor } from '@muskel/event-store';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Credential {
  userId: string;
  username: string;
  passwordHash: string;
}

export interface LoginThrottle {
  failures: number;
  /** Milliseconds until attempts are checked again; 0 when they are checked now. */
  lockedForMs: number;
}

export interface SessionRecord {
  sessionId: string;
  userId: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface ApiTokenRecord {
  tokenId: string;
  userId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const API_TOKEN = /^mkt_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** SQL of the authentication tables. Only hashes of secrets are stored. */
export class AuthRepository {
  constructor(private readonly db: SqlExecutor) {}

  // ------------------------------------------------------------ credentials

  async findCredentialByUsername(username: string): Promise<Credential | undefined> {
    const [row] = await this.db.query<{ user_id: string; username: string; password_hash: string }>(
      'SELECT user_id::text, username, password_hash FROM auth_credentials WHERE username = $1',
      [username],
    );
    return row && { userId: row.user_id, username: row.username, passwordHash: row.password_hash };
  }

  async findCredentialByUser(userId: string): Promise<Credential | undefined> {
    const [row] = await this.db.query<{ user_id: string; username: string; password_hash: string }>(
      'SELECT user_id::text, username, password_hash FROM auth_credentials WHERE user_id = $1',
      [userId],
    );
    return row && { userId: row.user_id, username: row.username, passwordHash: row.password_hash };
  }

  /** False when the username is taken by another user. */
  async setCredential(userId: string, username: string, passwordHash: string): Promise<boolean> {
    const rows = await this.db
      .query(
        `INSERT INTO auth_credentials (user_id, username, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, changed_at = now()
       WHERE auth_credentials.username = EXCLUDED.username
       RETURNING 1`,
        [userId, username, passwordHash],
      )
      .catch((error: { code?: string }) => {
        if (error.code === '23505') return [];
        throw error;
      });
    return rows.length > 0;
  }

  async anyCredential(): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM auth_credentials LIMIT 1')).length > 0;
  }

  async deleteCredential(userId: string): Promise<void> {
    await this.db.query('DELETE FROM auth_credentials WHERE user_id = $1', [userId]);
  }

  // ------------------------------------------------------------ login throttling

  /** How long attempts on this username are still refused unchecked (by the database's clock). */
  async throttleOf(username: string): Promise<LoginThrottle> {
    const [row] = await this.db.query<{ failures: number; locked_ms: number | null }>(
      `SELECT failures,
              greatest(0, date_part('epoch', locked_until - clock_timestamp()) * 1000) AS locked_ms
         FROM auth_login_attempts WHERE username = $1`,
      [username],
    );
    return { failures: row?.failures ?? 0, lockedForMs: Math.ceil(Number(row?.locked_ms ?? 0)) };
  }

  /**
   * Counts an attempt on `username` as a failure before its password is checked, in one statement, and refuses it
   * (nothing counted) while the username is locked: attempts sent in parallel cannot all slip through before the
   * first failure is recorded. The lock that the new count calls for is set in the same statement. A successful
   * check then clears the count (`clearFailures`).
   */
  async beginAttempt(
    username: string,
    policy: { backoffAfter: number; backoffBaseMs: number; lockAfter: number; lockoutMs: number },
  ): Promise<{ allowed: true; failures: number } | { allowed: false; lockedForMs: number }> {
    const [row] = await this.db.query<{ failures: number }>(
      `INSERT INTO auth_login_attempts AS a (username, failures, last_failure, locked_until)
       VALUES ($1, 1, clock_timestamp(), CASE WHEN 1 >= $4 THEN clock_timestamp() + $5 * interval '1 millisecond'
                                            WHEN 1 >= $2 THEN clock_timestamp() + $3 * interval '1 millisecond' END)
       ON CONFLICT (username) DO UPDATE SET
         failures = a.failures + 1,
         last_failure = clock_timestamp(),
         locked_until = CASE
           WHEN a.failures + 1 >= $4 THEN clock_timestamp() + $5 * interval '1 millisecond'
           WHEN a.failures + 1 >= $2 THEN clock_timestamp() + ($3 * power(2, a.failures + 1 - $2)) * interval '1 millisecond'
           ELSE NULL END
       WHERE a.locked_until IS NULL OR a.locked_until <= clock_timestamp()
       RETURNING failures`,
      [username, policy.backoffAfter, policy.backoffBaseMs, policy.lockAfter, policy.lockoutMs],
    );
    if (row) return { allowed: true, failures: row.failures };
    const throttle = await this.throttleOf(username);
    return { allowed: false, lockedForMs: Math.max(1, throttle.lockedForMs) };
  }

  async clearFailures(username: string): Promise<void> {
    await this.db.query('DELETE FROM auth_login_attempts WHERE username = $1', [username]);
  }

  // ------------------------------------------------------------ sessions (refresh tokens)

  /** A new session and its first refresh token `<sessionId>.<secret>`. */
  async createSession(userId: string, ttlMs: number): Promise<{ sessionId: string; refreshToken: string }> {
    const sessionId = randomUUID();
    const refreshToken = `${sessionId}.${randomBytes(32).toString('base64url')}`;
    await this.db.query(
      `INSERT INTO auth_sessions (session_id, user_id, refresh_hash, expires_at)
       VALUES ($1, $2, $3, clock_timestamp() + $4 * interval '1 millisecond')`,
      [sessionId, userId, sha256(refreshToken), ttlMs],
    );
    return { sessionId, refreshToken };
  }

  async session(sessionId: string): Promise<SessionRecord | undefined> {
    const [row] = await this.db.query<{
      session_id: string;
      user_id: string;
      expires_at: Date | string;
      revoked_at: Date | string | null;
    }>('SELECT session_id::text, user_id::text, expires_at, revoked_at FROM auth_sessions WHERE session_id = $1', [
      sessionId,
    ]);
    return (
      row && {
        sessionId: row.session_id,
        userId: row.user_id,
        expiresAt: new Date(row.expires_at),
        revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
      }
    );
  }

  /** Whether the session can still be used: not revoked, not expired (by the database's clock). */
  async sessionActive(sessionId: string): Promise<boolean> {
    const rows = await this.db.query(
      'SELECT 1 FROM auth_sessions WHERE session_id = $1 AND revoked_at IS NULL AND expires_at > clock_timestamp()',
      [sessionId],
      // Prepared once per connection: every authenticated request asks.
      'auth_session_active',
    );
    return rows.length > 0;
  }

  /**
   * Rotates a refresh token: the presented one must be the session's current one. Presenting the one before
   * (already rotated) means it was copied: the whole session is revoked. Returns the new token, or why not.
   */
  async rotateRefreshToken(
    refreshToken: string,
  ): Promise<{ ok: true; sessionId: string; userId: string; refreshToken: string } | { ok: false; reused: boolean }> {
    const dot = refreshToken.indexOf('.');
    const sessionId = dot > 0 ? refreshToken.slice(0, dot) : '';
    if (!/^[0-9a-f-]{36}$/.test(sessionId)) return { ok: false, reused: false };
    const presented = sha256(refreshToken);
    const [row] = await this.db.query<{
      user_id: string;
      refresh_hash: string;
      previous_hash: string | null;
      usable: boolean;
    }>(
      `SELECT user_id::text, refresh_hash, previous_hash,
              (revoked_at IS NULL AND expires_at > clock_timestamp()) AS usable
         FROM auth_sessions WHERE session_id = $1`,
      [sessionId],
    );
    if (!row || !row.usable) return { ok: false, reused: false };
    if (row.previous_hash && sameHash(row.previous_hash, presented)) {
      await this.revokeSession(sessionId, 'REFRESH_TOKEN_REUSED');
      return { ok: false, reused: true };
    }
    if (!sameHash(row.refresh_hash, presented)) return { ok: false, reused: false };
    const next = `${sessionId}.${randomBytes(32).toString('base64url')}`;
    // Compare-and-set on the current hash: two refreshes racing with the same token cannot both win.
    const updated = await this.db.query(
      `UPDATE auth_sessions SET previous_hash = refresh_hash, refresh_hash = $3, refreshed_at = clock_timestamp()
        WHERE session_id = $1 AND refresh_hash = $2 AND revoked_at IS NULL RETURNING 1`,
      [sessionId, presented, sha256(next)],
    );
    if (updated.length === 0) return { ok: false, reused: false };
    return { ok: true, sessionId, userId: row.user_id, refreshToken: next };
  }

  async revokeSession(sessionId: string, reason: string): Promise<void> {
    await this.db.query(
      'UPDATE auth_sessions SET revoked_at = clock_timestamp(), revoked_reason = $2 WHERE session_id = $1 AND revoked_at IS NULL',
      [sessionId, reason],
    );
  }

  async revokeAllSessions(userId: string, reason: string): Promise<void> {
    await this.db.query(
      'UPDATE auth_sessions SET revoked_at = clock_timestamp(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL',
      [userId, reason],
    );
  }

  async revokeOtherSessions(userId: string, keepSessionId: string | undefined, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE auth_sessions SET revoked_at = clock_timestamp(), revoked_reason = $3
        WHERE user_id = $1 AND revoked_at IS NULL AND session_id IS DISTINCT FROM $2::uuid`,
      [userId, keepSessionId ?? null, reason],
    );
  }

  // ------------------------------------------------------------ API tokens

  /** A new API token `mkt_<id>_<secret>`; only its hash is kept, so it is shown once. */
  async createApiToken(userId: string, name: string, createdBy: string): Promise<{ tokenId: string; token: string }> {
    const tokenId = randomUUID();
    const token = `mkt_${tokenId.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
    await this.db.query(
      'INSERT INTO auth_api_tokens (token_id, user_id, name, token_hash, created_by) VALUES ($1, $2, $3, $4, $5)',
      [tokenId, userId, name, sha256(token), createdBy],
    );
    return { tokenId, token };
  }

  static isApiToken(token: string): boolean {
    return API_TOKEN.test(token);
  }

  /** The user an API token acts for, when it is known, unrevoked and matches. */
  async resolveApiToken(token: string): Promise<{ tokenId: string; userId: string } | undefined> {
    const match = API_TOKEN.exec(token);
    if (!match) return undefined;
    const hex = match[1]!;
    const tokenId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const [row] = await this.db.query<{ user_id: string; token_hash: string }>(
      'SELECT user_id::text, token_hash FROM auth_api_tokens WHERE token_id = $1 AND revoked_at IS NULL',
      [tokenId],
    );
    if (!row || !sameHash(row.token_hash, sha256(token))) return undefined;
    await this.db.query('UPDATE auth_api_tokens SET last_used_at = clock_timestamp() WHERE token_id = $1', [tokenId]);
    return { tokenId, userId: row.user_id };
  }

  async listApiTokens(userId: string): Promise<ApiTokenRecord[]> {
    const rows = await this.db.query<{
      token_id: string;
      user_id: string;
      name: string;
      created_at: Date | string;
      last_used_at: Date | string | null;
      revoked_at: Date | string | null;
    }>(
      `SELECT token_id::text, user_id::text, name, created_at, last_used_at, revoked_at
         FROM auth_api_tokens WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    );
    return rows.map((r) => ({
      tokenId: r.token_id,
      userId: r.user_id,
      name: r.name,
      createdAt: new Date(r.created_at),
      lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
      revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    }));
  }

  async revokeApiToken(userId: string, tokenId: string): Promise<boolean> {
    const rows = await this.db.query(
      'UPDATE auth_api_tokens SET revoked_at = clock_timestamp() WHERE token_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING 1',
      [tokenId, userId],
    );
    return rows.length > 0;
  }

  // ------------------------------------------------------------ signing key

  /**
   * The secret that signs access tokens: shared by every process through the database, created once. An
   * operator may supply one instead (AUTH_TOKEN_SECRET).
   */
  async signingSecret(): Promise<string> {
    await this.db.query(
      `INSERT INTO auth_signing_keys (key_id, secret) VALUES ('access', $1) ON CONFLICT (key_id) DO NOTHING`,
      [randomBytes(48).toString('base64url')],
    );
    const [row] = await this.db.query<{ secret: string }>(
      "SELECT secret FROM auth_signing_keys WHERE key_id = 'access'",
    );
    return row!.secret;
  }
}
