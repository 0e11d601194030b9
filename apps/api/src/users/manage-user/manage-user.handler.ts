import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { AuthRepository } from '@muskel/auth';
import {
  userDecider,
  userStreamName,
  type DisableUser,
  type EnableUser,
  type GrantRole,
  type RevokeRole,
  type Role,
  type UserCommand,
} from '@muskel/domain';
import { newId, userCommand } from '../user-commands';

export interface UserChange {
  revision: number;
  position: string;
  eventIds: string[];
}

/** Grants, revocations, disabling and enabling: each one command on the user's stream. */
@Injectable()
export class ManageUserHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(AuthRepository) private readonly sessions: AuthRepository,
  ) {}

  grant(userId: string, role: Role, scope: string, context: CommandContext, expectedRevision?: number) {
    const grantId = newId();
    const command = userCommand<GrantRole>('GrantRole', { userId, grantId, role, scope }, context);
    return this.run(userId, command, context, expectedRevision).then((change) => ({ grantId, ...change }));
  }

  revoke(userId: string, grantId: string, reason: string, context: CommandContext, expectedRevision?: number) {
    const command = userCommand<RevokeRole>('RevokeRole', { userId, grantId, reason }, context);
    return this.run(userId, command, context, expectedRevision);
  }

  async disable(userId: string, reason: string, context: CommandContext, expectedRevision?: number) {
    const command = userCommand<DisableUser>('DisableUser', { userId, reason }, context);
    const change = await this.run(userId, command, context, expectedRevision);
    // The guard already refuses a disabled user's tokens; ending the sessions also stops their refresh tokens.
    await this.sessions.revokeAllSessions(userId, 'USER_DISABLED');
    return change;
  }

  enable(userId: string, context: CommandContext, expectedRevision?: number) {
    const command = userCommand<EnableUser>('EnableUser', { userId }, context);
    return this.run(userId, command, context, expectedRevision);
  }

  private async run(
    userId: string,
    command: UserCommand,
    context: CommandContext,
    expectedRevision: number | undefined,
  ): Promise<UserChange> {
    const result = await this.pipeline.execute(userStreamName(userId), userDecider, command, context, {
      expectedRevision,
    });
    return { revision: result.revision, position: result.position, eventIds: result.eventIds };
  }
}
