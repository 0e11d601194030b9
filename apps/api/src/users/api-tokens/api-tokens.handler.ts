import { Inject, Injectable } from '@nestjs/common';
import type { CommandContext } from '@muskel/application';
import { AuthRepository, type ApiTokenRecord } from '@muskel/auth';
import { ApiError } from '@muskel/http';

/** API tokens for machine clients: they act as the user they belong to; only a hash is kept, shown once. */
@Injectable()
export class ApiTokensHandler {
  constructor(@Inject(AuthRepository) private readonly repository: AuthRepository) {}

  async create(
    userId: string,
    name: string,
    context: CommandContext,
  ): Promise<{ tokenId: string; token: string; note: string }> {
    const { tokenId, token } = await this.repository.createApiToken(userId, name, context.actor.userId);
    return { tokenId, token, note: 'Store this token now: it is shown only once.' };
  }

  list(userId: string): Promise<ApiTokenRecord[]> {
    return this.repository.listApiTokens(userId);
  }

  async revoke(userId: string, tokenId: string): Promise<void> {
    if (!(await this.repository.revokeApiToken(userId, tokenId))) {
      throw new ApiError(404, 'NOT_FOUND', 'Nothing was found here.');
    }
  }
}
