import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CommandPipeline } from '@muskel/application';
import { assertAcceptablePassword, AuthRepository, AuthService, hashPassword, type Principal } from '@muskel/auth';
import { userDecider, userStreamName, type RecordCredentialChange } from '@muskel/domain';
import { ApiError } from '@muskel/http';
import { userCommand } from '../user-commands';

/** A user changes their own password, proving the current one; their other sessions end. */
@Injectable()
export class ChangeOwnPasswordHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(AuthRepository) private readonly credentials: AuthRepository,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async execute(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const credential = await this.credentials.findCredentialByUser(principal.userId);
    // Same lockout as sign-in: a stolen token must not allow unlimited guesses at the current password.
    if (!credential || !(await this.auth.checkPassword(credential.username, currentPassword))) {
      throw new ApiError(403, 'CURRENT_PASSWORD_WRONG', 'The current password is wrong.');
    }
    assertAcceptablePassword(newPassword, credential.username);
    const grant = principal.grants[0];
    if (!grant) throw new ApiError(403, 'MISSING_PERMISSION', 'A user with no grant cannot change a password here.');
    const requestId = randomUUID();
    const context = {
      actor: { userId: principal.userId, role: grant.role, scope: grant.scope },
      correlationId: requestId,
      causationId: requestId,
      occurredAt: new Date().toISOString(),
    };
    await this.credentials.setCredential(principal.userId, credential.username, await hashPassword(newPassword));
    await this.pipeline.execute(
      userStreamName(principal.userId),
      userDecider,
      userCommand<RecordCredentialChange>(
        'RecordCredentialChange',
        { userId: principal.userId, change: 'CHANGED_BY_USER' },
        context,
      ),
      context,
      { retryOnConflict: true },
    );
    await this.credentials.revokeOtherSessions(principal.userId, principal.sessionId, 'PASSWORD_CHANGED');
  }
}
