import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { AuthRepository, registerUser, type RegisterUserInput } from '@muskel/auth';

/** POST /users: see `registerUser`. */
@Injectable()
export class RegisterUserHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(AuthRepository) private readonly credentials: AuthRepository,
  ) {}

  execute(
    input: RegisterUserInput,
    context: CommandContext,
  ): Promise<{ userId: string; revision: number; position: string; eventIds: string[] }> {
    return registerUser(this.pipeline, this.credentials, input, context);
  }
}
