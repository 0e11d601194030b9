import { Inject, Injectable } from '@nestjs/common';
import { UserDirectory, type ScopeResolver } from '@muskel/auth';

/** The region of the user named by `:id` (their home region), or null when there is no such user. */
@Injectable()
export class UserRegionResolver implements ScopeResolver {
  constructor(@Inject(UserDirectory) private readonly users: UserDirectory) {}

  async resolve(request: { params: Record<string, string> }): Promise<string | null> {
    const { state } = await this.users.load(request.params.id ?? '');
    return state.status === 'none' || !state.homeRegion ? null : state.homeRegion;
  }
}

/** The home region a new user is registered in (request body). */
@Injectable()
export class NewUserRegionResolver implements ScopeResolver {
  resolve(request: { body: unknown }): Promise<string | null> {
    const region = (request.body as { homeRegion?: unknown } | undefined)?.homeRegion;
    return Promise.resolve(typeof region === 'string' ? region.replace(/\./g, '') : 'NATIONAL');
  }
}
