import type { Actor } from '@muskel/domain';

/**
 * Who is acting, on whose behalf and when: every command carries it from the edge, and the pipeline writes it into
 * the metadata of every event the command causes (handlers never build metadata themselves).
 */
export interface CommandContext {
  actor: Actor;
  /** Ties together everything one request or job caused. */
  correlationId: string;
  /** The event or request that caused this command. */
  causationId: string;
  /** When the act happened (ISO 8601), as the edge saw it: the domain has no clock. */
  occurredAt: string;
}

/** The metadata stored with every event (DESIGN §4). `recordedAt` is the store's own time. */
export interface EventMetadata {
  [key: string]: string | number | { userId: string; role: string; scope: string };
  eventId: string;
  correlationId: string;
  causationId: string;
  actor: { userId: string; role: string; scope: string };
  occurredAt: string;
  schema: number;
}
