import { isActive } from '@muskel/domain';
import { AuthError, AUTH_MESSAGES, unauthenticated } from './auth.errors';
import { AuthRepository } from './auth.repository';
import { decoyHash, verifyPassword } from './passwords/password-hasher';
import { TokenService } from './token.service';
import { UserDirectory } from './user-directory';

export interface LoginPolicy {
  /** Failures in a row after which each further attempt must wait (doubling). Default 5. */
  backoffAfter: number;
  /** The first wait, in milliseconds. Default 1,000. */
  backoffBaseMs: number;
  /** Failures in a row after which the username is locked for `lockoutMs`. Default 9: the tenth is refused. */
  lockAfter: number;
  /** Default 15 minutes. */
  lockoutMs: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  backoffAfter: 5,
  backoffBaseMs: 1_000,
  lockAfter: 9,
  lockoutMs: 15 * 60_000,
};

export interface IssuedTokens {
  userId: string;
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
}

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Sign-in, token refresh and sign-out. Failures say the same thing whether or not the user exists. */
export class AuthService {
  constructor(
    private readonly repository: AuthRepository,
    private readonly tokens: TokenService,
    private readonly users: UserDirectory,
    private readonly policy: LoginPolicy,
    private readonly refreshTtlMs: number,
  ) {}

  /**
   * Checks a password for `username` under the lockout policy: the attempt is counted before the (slow) check,
   * refused unchecked while the username is locked, and the count is cleared only by a right password. Used by
   * sign-in and by changing one's own password, so both paths share one budget of guesses.
   */
  async checkPassword(username: string, password: string): Promise<{ userId: string } | undefined> {
    const attempt = await this.repository.beginAttempt(username, this.policy);
    if (!attempt.allowed) {
      const seconds = Math.ceil(attempt.lockedForMs / 1000);
      throw new AuthError(
        429,
        'LOGIN_LOCKED',
        `Too many failed sign-ins for this username; try again in ${seconds} seconds.`,
        { 'Retry-After': String(seconds) },
      );
    }
    const credential = await this.repository.findCredentialByUsername(username);
    // An unknown username costs the same time as a wrong password.
    const matches = await verifyPassword(password, credential?.passwordHash ?? (await decoyHash()));
    if (!credential || !matches) return undefined;
    await this.repository.clearFailures(username);
    return { userId: credential.userId };
  }

  async login(usernameInput: string, password: string): Promise<IssuedTokens> {
    // Failures are counted per username, known or not, so locking out tells nothing about who has an account.
    const username = normaliseUsername(usernameInput);
    const checked = await this.checkPassword(username, password);
    const active = checked ? isActive((await this.users.load(checked.userId)).state) : false;
    if (!checked || !active) throw unauthenticated('INVALID_CREDENTIALS', AUTH_MESSAGES.INVALID_CREDENTIALS);
    const session = await this.repository.createSession(checked.userId, this.refreshTtlMs);
    return this.issue(checked.userId, session.sessionId, session.refreshToken);
  }

  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const rotated = await this.repository.rotateRefreshToken(refreshToken);
    if (!rotated.ok) throw unauthenticated('REFRESH_TOKEN_INVALID', AUTH_MESSAGES.REFRESH_TOKEN_INVALID);
    if (!isActive((await this.users.load(rotated.userId)).state)) {
      await this.repository.revokeSession(rotated.sessionId, 'USER_DISABLED');
      throw unauthenticated('REFRESH_TOKEN_INVALID', AUTH_MESSAGES.REFRESH_TOKEN_INVALID);
    }
    return this.issue(rotated.userId, rotated.sessionId, rotated.refreshToken);
  }

  async logout(sessionId: string | undefined): Promise<void> {
    if (sessionId) await this.repository.revokeSession(sessionId, 'SIGNED_OUT');
  }

  private issue(userId: string, sessionId: string, refreshToken: string): IssuedTokens {
    return {
      userId,
      accessToken: this.tokens.sign(userId, sessionId),
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlSeconds,
      refreshToken,
    };
  }
}
