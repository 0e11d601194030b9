import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { assertAcceptablePassword, AuthRepository, hashPassword } from '@muskel/auth';
import { userDecider, userStreamName, type RecordCredentialChange } from '@muskel/domain';
import { ApiError } from '@muskel/http';
import { userCommand } from '../user-commands';

/** An administrator sets a new password for a user; the user's sessions end at once. */
@Injectable()
export class ResetPasswordHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(AuthRepository) private readonly credentials: AuthRepository,
  ) {}

  async execute(
    userId: string,
    password: string,
    context: CommandContext,
  ): Promise<{ revision: number; position: string; eventIds: string[] }> {
    const stream = userStreamName(userId);
    const { state } = await this.pipeline.fold(stream, userDecider);
    const command = userCommand<RecordCredentialChange>(
      'RecordCredentialChange',
      { userId, change: 'RESET_BY_ADMIN' },
      context,
    );
    userDecider.decide(command, state);
    const credential = await this.credentials.findCredentialByUser(userId);
    if (!credential) throw new ApiError(404, 'NOT_FOUND', 'Nothing was found here.');
    assertAcceptablePassword(password, credential.username);
    await this.credentials.setCredential(userId, credential.username, await hashPassword(password));
    await this.credentials.revokeAllSessions(userId, 'PASSWORD_RESET');
    const result = await this.pipeline.execute(stream, userDecider, command, context, { retryOnConflict: true });
    return { revision: result.revision, position: result.position, eventIds: result.eventIds };
  }
}
