import type { CommandContext } from '@muskel/application';

/** A domain command with the request's actor and time as its metadata (the domain has no clock). */
export function domainCommand<C extends { type: string; data: object }>(
  type: C['type'],
  data: C['data'],
  context: CommandContext,
): C {
  return { type, data, metadata: { actor: context.actor, occurredAt: context.occurredAt } } as unknown as C;
}
