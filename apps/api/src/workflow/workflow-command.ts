import type { CommandContext } from '@muskel/application';

/**
 * The request's data as plain JSON: DTO class instances become plain objects and absent optional fields disappear
 * (rather than travelling as `undefined`, which an event cannot store).
 */
function plain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(plain) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = plain(inner);
    return out as T;
  }
  return value;
}

/** A domain command with the request's actor and time as its metadata (the domain has no clock). */
export function domainCommand<C extends { type: string; data: object }>(
  type: C['type'],
  data: C['data'],
  context: CommandContext,
): C {
  return {
    type,
    data: plain(data),
    metadata: { actor: context.actor, occurredAt: context.occurredAt },
  } as unknown as C;
}
