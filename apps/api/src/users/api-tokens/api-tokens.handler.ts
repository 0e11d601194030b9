import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { AuthRepository, type ApiTokenRecord } from '@muskel/auth';
import { userDecider, userStreamName, type RecordCredentialChange } from '@muskel/domain';
import { ApiError } from '@muskel/http';
import { userCommand } from '../user-commands';

/**
 * API tokens for machine clients: they act as the user they belong to; only a hash is kept and the token is shown
 * once. Issuing and revoking one is recorded on the user's stream (with the token's id, never the token).
 */
@Injectable()
export class ApiTokensHandler {
  constructor(
    @Inject(AuthRepository) private readonly repository: AuthRepository,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
  ) {}

  async create(
    userId: string,
    name: string,
    context: CommandContext,
  ): Promise<{ tokenId: string; token: string; note: string }> {
    const stream = userStreamName(userId);
    const probe = '00000000-0000-4000-8000-000000000000';
    // Every rule first (administrator in scope, user active), before a token exists.
    userDecider.decide(
      userCommand<RecordCredentialChange>(
        'RecordCredentialChange',
        { userId, change: 'API_TOKEN_ISSUED', credentialId: probe },
        context,
      ),
      (await this.pipeline.fold(stream, userDecider)).state,
    );
    const { tokenId, token } = await this.repository.createApiToken(userId, name, context.actor.userId);
    try {
      await this.pipeline.execute(
        stream,
        userDecider,
        userCommand<RecordCredentialChange>(
          'RecordCredentialChange',
          { userId, change: 'API_TOKEN_ISSUED', credentialId: tokenId },
          context,
        ),
        context,
        { retryOnConflict: true },
      );
    } catch (error) {
      await this.repository.revokeApiToken(userId, tokenId);
      throw error;
    }
    return { tokenId, token, note: 'Store this token now: it is shown only once.' };
  }

  list(userId: string): Promise<ApiTokenRecord[]> {
    return this.repository.listApiTokens(userId);
  }

  async revoke(userId: string, tokenId: string, context: CommandContext): Promise<void> {
    const stream = userStreamName(userId);
    const command = userCommand<RecordCredentialChange>(
      'RecordCredentialChange',
      { userId, change: 'API_TOKEN_REVOKED', credentialId: tokenId },
      context,
    );
    // Every rule first (administrator in scope): a refused revocation must leave the token working.
    userDecider.decide(command, (await this.pipeline.fold(stream, userDecider)).state);
    if (!(await this.repository.revokeApiToken(userId, tokenId))) {
      throw new ApiError(404, 'NOT_FOUND', 'Nothing was found here.');
    }
    await this.pipeline.execute(stream, userDecider, command, context, { retryOnConflict: true });
  }
}
