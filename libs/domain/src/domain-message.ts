import type { Actor } from './access/roles';

/**
 * What every command carries besides its data: who acts (taken from the verified token, or `SYSTEM` for the
 * operator CLI) and when the act happened (ISO 8601, supplied by the caller: the domain has no clock). The command
 * handler copies both into the metadata of the events the decider returns (DESIGN.md section 4).
 */
export type CommandMetadata = {
  readonly actor: Actor;
  readonly occurredAt: string;
};

/** A command in Emmett's shape: `decide(command, state) -> events`. */
export type DomainCommand<Type extends string, Data> = {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandMetadata;
};

/** An event as the decider returns it and `evolve` folds it; metadata is the command handler's business. */
export type DomainEvent<Type extends string, Data> = {
  readonly type: Type;
  readonly data: Data;
};
