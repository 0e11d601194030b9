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
} from '@muskel/domain';
import { newId, userCommand } from '../user-commands';

export interface UserChange {
  revision: number;
  position: string;
}

/** Grants, revocations, disabling and enabling: each one command on the user's stream. */
@Injectable()
export class ManageUserHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(AuthRepository) private readonly sessions: AuthRepository,
  ) {}

  async grant(
    userId: string,
    role: Role,
    scope: string,
    context: CommandContext,
    expectedRevision?: number,
  ): Promise<UserChange & { grantId: string }> {
    const grantId = newId();
    const result = await this.pipeline.execute(
      userStreamName(userId),
      userDecider,
      userCommand<GrantRole>('GrantRole', { userId, grantId, role, scope: scope.replace(/\./g, '') }, context),
      context,
      { expectedRevision },
    );
    return { grantId, revision: result.revision, position: result.position };
  }

  async revoke(
    userId: string,
    grantId: string,
    reason: string,
    context: CommandContext,
    expectedRevision?: number,
  ): Promise<UserChange> {
    const result = await this.pipeline.execute(
      userStreamName(userId),
      userDecider,
      userCommand<RevokeRole>('RevokeRole', { userId, grantId, reason }, context),
      context,
      { expectedRevision },
    );
    return { revision: result.revision, position: result.position };
  }

  async disable(
    userId: string,
    reason: string,
    context: CommandContext,
    expectedRevision?: number,
  ): Promise<UserChange> {
    const result = await this.pipeline.execute(
      userStreamName(userId),
      userDecider,
      userCommand<DisableUser>('DisableUser', { userId, reason }, context),
      context,
      { expectedRevision },
    );
    // The guard already refuses a disabled user's tokens; ending the sessions also stops their refresh tokens.
    await this.sessions.revokeAllSessions(userId, 'USER_DISABLED');
    return { revision: result.revision, position: result.position };
  }

  async enable(userId: string, context: CommandContext, expectedRevision?: number): Promise<UserChange> {
    const result = await this.pipeline.execute(
      userStreamName(userId),
      userDecider,
      userCommand<EnableUser>('EnableUser', { userId }, context),
      context,
      { expectedRevision },
    );
    return { revision: result.revision, position: result.position };
  }
}
