import { applyDecorators, SetMetadata, type Type } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Role } from '@muskel/domain';
import type { Principal } from '../principal';

export const ACCESS_RULE = 'muskel:access-rule';

/**
 * Finds the region a request is about: the resource's region (a village or regency code, or 'NATIONAL'), or
 * `null` when the resource does not exist. Resolved through Nest's container, so it can read the store.
 */
export interface ScopeResolver {
  resolve(
    request: { params: Record<string, string>; body: unknown; query: Record<string, unknown> },
    principal: Principal,
  ): Promise<string | null>;
}

export type AccessRule =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | {
      kind: 'roles';
      roles: readonly Role[];
      /**
       * `resource`: the request names an existing thing (an id in the path); outside the caller's scope it is
       * answered like a thing that does not exist (404), so existence never leaks. `request`: the request itself
       * names a region (in the body or query); outside the caller's scope it is refused with 403.
       */
      scope?: { source: 'resource' | 'request'; resolver: Type<ScopeResolver> };
    };

/** Anyone, without a token. */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/** Any signed-in user or API token, whatever their grants. */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_RULE, { kind: 'authenticated' } satisfies AccessRule), ApiBearerAuth());

/** Holders of one of `roles`, in a scope that covers the region the request is about (when `scope` is given). */
export const Allow = (
  roles: readonly Role[],
  scope?: { source: 'resource' | 'request'; resolver: Type<ScopeResolver> },
): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_RULE, { kind: 'roles', roles, scope } satisfies AccessRule), ApiBearerAuth());
