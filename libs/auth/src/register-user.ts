import { randomUUID } from 'node:crypto';
import type { CommandContext, CommandPipeline } from '@muskel/application';
import {
  userDecider,
  userStreamName,
  type GrantRole,
  type RecordCredentialChange,
  type RegisterUser,
  type Role,
  type UserCommand,
} from '@muskel/domain';
import { ApiError } from '@muskel/http';
import { AuthRepository } from './auth.repository';
import { normaliseUsername } from './auth.service';
import { hashPassword } from './passwords/password-hasher';
import { passwordProblem, PASSWORD_PROBLEM_MESSAGES } from './passwords/password-policy';

export interface RegisterUserInput {
  username: string;
  displayName: string;
  homeRegion: string;
  password: string;
  grants: { role: Role; scope: string }[];
}

export function assertAcceptablePassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) {
    throw new ApiError(422, 'WEAK_PASSWORD', PASSWORD_PROBLEM_MESSAGES[problem], {
      errors: [{ field: 'password', code: problem, message: PASSWORD_PROBLEM_MESSAGES[problem] }],
    });
  }
}

function command<C extends UserCommand>(type: C['type'], data: C['data'], context: CommandContext): C {
  return { type, data, metadata: { actor: context.actor, occurredAt: context.occurredAt } } as C;
}

const digitsOnly = (code: string): string => code.replace(/\./g, '');

/**
 * Registers a user with their grants and first password (the API's POST /users and the CLI's create-admin). The
 * username is reserved with the credential before the events are appended, so two administrators creating the
 * same username cannot both succeed; every rule is checked before anything is stored.
 */
export async function registerUser(
  pipeline: CommandPipeline,
  credentials: AuthRepository,
  input: RegisterUserInput,
  context: CommandContext,
): Promise<{ userId: string; revision: number; position: string; eventIds: string[] }> {
  const userId = randomUUID();
  const username = normaliseUsername(input.username);
  const commands: UserCommand[] = [
    command<RegisterUser>(
      'RegisterUser',
      { userId, username, displayName: input.displayName, homeRegion: digitsOnly(input.homeRegion) },
      context,
    ),
    ...input.grants.map((grant) =>
      command<GrantRole>(
        'GrantRole',
        { userId, grantId: randomUUID(), role: grant.role, scope: digitsOnly(grant.scope) },
        context,
      ),
    ),
    command<RecordCredentialChange>('RecordCredentialChange', { userId, change: 'INITIAL' }, context),
  ];
  let state = userDecider.initialState();
  for (const next of commands)
    for (const event of userDecider.decide(next, state)) state = userDecider.evolve(state, event);
  assertAcceptablePassword(input.password, username);

  const reserved = await credentials.setCredential(userId, username, await hashPassword(input.password));
  if (!reserved) throw new ApiError(409, 'USERNAME_TAKEN', 'This username is already in use; choose another.');
  try {
    const result = await pipeline.executeAll(userStreamName(userId), userDecider, commands, context);
    return { userId, revision: result.revision, position: result.position, eventIds: result.eventIds };
  } catch (error) {
    await credentials.deleteCredential(userId);
    throw error;
  }
}
