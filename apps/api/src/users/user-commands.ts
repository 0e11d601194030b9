import { randomUUID } from 'node:crypto';
import type { CommandContext } from '@muskel/application';
import type { UserCommand } from '@muskel/domain';

/** A domain command with the request's actor and time as its metadata. */
export function userCommand<C extends UserCommand>(type: C['type'], data: C['data'], context: CommandContext): C {
  return { type, data, metadata: { actor: context.actor, occurredAt: context.occurredAt } } as C;
}

export const newId = (): string => randomUUID();
