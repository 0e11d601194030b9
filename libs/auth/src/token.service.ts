import { createSecretKey } from 'node:crypto';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { AUTH_MESSAGES, unauthenticated } from './auth.errors';

export interface AccessClaims {
  sub: string;
  sid: string;
}

/** Short-lived signed access tokens (HS256 JWT); the session they name is checked on every request. */
export class TokenService {
  private readonly jwt: JwtService;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a public key on every
    // sign and verify (and fails), which cost a quarter of the CPU of an authenticated request.
    const key = createSecretKey(Buffer.from(secret, 'utf8'));
    this.jwt = new JwtService({
      secret: key as unknown as Buffer,
      signOptions: { algorithm: 'HS256', issuer: 'muskel' },
    });
  }

  get accessTokenTtlSeconds(): number {
    return this.ttlSeconds;
  }

  sign(userId: string, sessionId: string): string {
    return this.jwt.sign({ sid: sessionId, typ: 'access' }, { subject: userId, expiresIn: this.ttlSeconds });
  }

  verify(token: string): AccessClaims {
    try {
      const claims = this.jwt.verify<{ sub?: unknown; sid?: unknown; typ?: unknown }>(token, {
        algorithms: ['HS256'],
        issuer: 'muskel',
      });
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || claims.typ !== 'access') {
        throw unauthenticated('TOKEN_INVALID', AUTH_MESSAGES.TOKEN_INVALID);
      }
      return { sub: claims.sub, sid: claims.sid };
    } catch (error) {
      if (error instanceof TokenExpiredError) throw unauthenticated('TOKEN_EXPIRED', AUTH_MESSAGES.TOKEN_EXPIRED);
      throw unauthenticated('TOKEN_INVALID', AUTH_MESSAGES.TOKEN_INVALID);
    }
  }
}
