import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CommandContext } from '@muskel/application';
import type { AuthenticatedRequestState } from '@muskel/auth';

interface RequestWithState extends AuthenticatedRequestState {
  id?: string | number;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The command context of the current request: the actor is the grant the guard accepted (never taken from the
 * body), the correlation id is the request id, and the time is now, as the edge sees it.
 */
export const Context = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<RequestWithState>();
  if (!request.actor) throw new Error('Context() needs a route guarded by @Allow (no actor on this request)');
  const requestId = request.id === undefined ? randomUUID() : String(request.id);
  return {
    actor: request.actor,
    correlationId: requestId,
    causationId: requestId,
    occurredAt: new Date().toISOString(),
  };
});

/** The signed-in principal of the current request (routes with `@Authenticated` or `@Allow`). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<RequestWithState>();
  return request.principal;
});
