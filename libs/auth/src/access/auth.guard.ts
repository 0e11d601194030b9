import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { activeGrants, isActive, scopeCovers, type Grant } from '@muskel/domain';
import { AuthError, AUTH_MESSAGES, unauthenticated } from '../auth.errors';
import { AuthRepository } from '../auth.repository';
import type { AuthenticatedRequestState, Principal } from '../principal';
import { TokenService } from '../token.service';
import { UserDirectory } from '../user-directory';
import { ACCESS_RULE, type AccessRule, type ScopeResolver } from './access.decorators';

interface GuardedRequest extends AuthenticatedRequestState {
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
  body: unknown;
  query: Record<string, unknown>;
}

/**
 * Default deny: a route runs only when it declares who may call it (`@Public`, `@Authenticated`, `@Allow`) and
 * the caller fits. Identity and grants are checked on every request against the session table and the user's own
 * stream, so signing out, disabling a user or revoking a grant bites on the very next request.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly tokens: TokenService,
    private readonly repository: AuthRepository,
    private readonly users: UserDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) {
      // Caught by the route-access test before it ships; refused here all the same.
      throw new AuthError(403, 'ACCESS_UNDECLARED', 'This route does not declare who may call it, so nobody may.');
    }
    if (rule.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const principal = await this.authenticate(request);
    request.principal = principal;
    if (rule.kind === 'authenticated') return true;

    const holding = principal.grants.filter((g) => rule.roles.includes(g.role));
    if (holding.length === 0) {
      throw new AuthError(403, 'MISSING_PERMISSION', `This action needs the role ${rule.roles.join(' or ')}.`);
    }
    let grant: Grant | undefined = holding[0];
    if (rule.scope) {
      const resolver = this.moduleRef.get<ScopeResolver>(rule.scope.resolver, { strict: false });
      const region = await resolver.resolve(request, principal);
      grant = region === null ? undefined : holding.find((g) => scopeCovers(g.scope, region));
      if (!grant) {
        if (rule.scope.source === 'resource' || region === null) {
          throw new AuthError(404, 'NOT_FOUND', AUTH_MESSAGES.NOT_FOUND);
        }
        throw new AuthError(
          403,
          'OUTSIDE_SCOPE',
          `This action needs the role ${rule.roles.join(' or ')} for region ${region}.`,
        );
      }
    }
    request.actor = { userId: principal.userId, role: grant!.role, scope: grant!.scope };
    return true;
  }

  private async authenticate(request: GuardedRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header.length === 0) {
      throw unauthenticated('AUTHENTICATION_REQUIRED', AUTH_MESSAGES.AUTHENTICATION_REQUIRED);
    }
    const match = /^Bearer ([^\s]+)$/.exec(header);
    if (!match) throw unauthenticated('TOKEN_INVALID', AUTH_MESSAGES.TOKEN_INVALID);
    const token = match[1]!;

    let userId: string;
    let sessionId: string | undefined;
    let apiTokenId: string | undefined;
    if (AuthRepository.isApiToken(token)) {
      const resolved = await this.repository.resolveApiToken(token);
      if (!resolved) throw unauthenticated('TOKEN_INVALID', AUTH_MESSAGES.TOKEN_INVALID);
      ({ userId, tokenId: apiTokenId } = resolved);
    } else {
      const claims = this.tokens.verify(token);
      if (!(await this.repository.sessionActive(claims.sid))) {
        throw unauthenticated('SESSION_ENDED', AUTH_MESSAGES.SESSION_ENDED);
      }
      userId = claims.sub;
      sessionId = claims.sid;
    }
    const { state } = await this.users.load(userId);
    if (!isActive(state)) throw unauthenticated('SESSION_ENDED', AUTH_MESSAGES.SESSION_ENDED);
    return { userId, username: state.username ?? '', grants: activeGrants(state), sessionId, apiTokenId };
  }
}
