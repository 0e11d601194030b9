import { createHash, randomUUID } from 'node:crypto';
import {
  type AppendResult,
  type EventStore,
  type JsonObject,
  type NewEvent,
  TransactionConflictError,
  WrongExpectedVersionError,
} from '@muskel/event-store';
import type { CommandContext, EventMetadata } from './command-context';

/** A stream's decider in Emmett's shape, over plain `{ type, data }` events. */
export interface Decider<Command, Event extends { type: string; data: object }, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface CommandResult<Event> {
  events: Event[];
  /** Revision of the stream's last event after the command (`-1`: the stream still does not exist). */
  revision: number;
  /** Log position of the last event written (opaque). */
  position: string;
  /** Ids of the events written, in order (their audit-log leaves are found by them). */
  eventIds: string[];
}

export interface ExecuteOptions {
  /** The revision the client last saw (If-Match): a stale one is a conflict even if deciding again would pass. */
  expectedRevision?: number;
  /**
   * Decide again on a fresh state when another writer got in first. Only for commands whose outcome cannot
   * depend on what the client saw (the decider re-checks every rule on the new state). Default false.
   */
  retryOnConflict?: boolean;
  /**
   * Derives the id of the i-th event written (default: random). Reactors and imports pass ids derived from their
   * cause (`deterministicId`), so a replay appends events the store recognises as already written.
   */
  eventId?: (index: number) => string;
}

const MAX_RETRIES = 3;

/**
 * A UUID (version 8 layout: name-based, SHA-256) derived from its parts, so the same cause always yields the same
 * event or entity id. Written by hand: node:crypto has no name-based UUIDs and one hash call is all it takes.
 */
export function deterministicId(...parts: readonly (string | number)[]): string {
  const hash = createHash('sha256').update(parts.map(String).join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function eventMetadata(context: CommandContext, eventId: string): EventMetadata {
  return {
    eventId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    actor: { userId: context.actor.userId, role: context.actor.role, scope: context.actor.scope },
    occurredAt: context.occurredAt,
    schema: 1,
  };
}

/**
 * The thin shell every command handler is: read the stream, fold it, decide, append with the expected revision,
 * and the command's context written into each event's metadata.
 */
export class CommandPipeline {
  constructor(private readonly store: EventStore) {}

  async fold<Command, Event extends { type: string; data: object }, State>(
    stream: string,
    decider: Decider<Command, Event, State>,
  ): Promise<{ state: State; revision: number }> {
    let state = decider.initialState();
    let revision = -1;
    for await (const recorded of this.store.readStream(stream)) {
      state = decider.evolve(state, { type: recorded.type, data: recorded.data } as unknown as Event);
      revision = recorded.revision;
    }
    return { state, revision };
  }

  execute<Command, Event extends { type: string; data: object }, State>(
    stream: string,
    decider: Decider<Command, Event, State>,
    command: Command,
    context: CommandContext,
    options: ExecuteOptions = {},
  ): Promise<CommandResult<Event>> {
    return this.executeAll(stream, decider, [command], context, options);
  }

  /** Several commands decided in order on the evolving state and appended together, atomically. */
  async executeAll<Command, Event extends { type: string; data: object }, State>(
    stream: string,
    decider: Decider<Command, Event, State>,
    commands: readonly Command[],
    context: CommandContext,
    options: ExecuteOptions = {},
  ): Promise<CommandResult<Event>> {
    for (let attempt = 0; ; attempt++) {
      const { state, revision } = await this.fold(stream, decider);
      if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
        throw new WrongExpectedVersionError(stream, options.expectedRevision, revision < 0 ? 'no_stream' : revision);
      }
      const events: Event[] = [];
      let next = state;
      for (const command of commands) {
        const decided = decider.decide(command, next);
        for (const event of decided) next = decider.evolve(next, event);
        events.push(...decided);
      }
      if (events.length === 0) return { events, revision, position: '', eventIds: [] };
      const eventIds = events.map((_, index) => (options.eventId ? options.eventId(index) : randomUUID()));
      const newEvents: NewEvent[] = events.map((event, index) => {
        const id = eventIds[index]!;
        return { id, type: event.type, data: event.data as JsonObject, metadata: eventMetadata(context, id) };
      });
      try {
        const result: AppendResult = await this.store.appendToStream(stream, newEvents, {
          expected: revision < 0 ? 'no_stream' : revision,
        });
        return {
          events,
          revision: result.nextExpectedRevision,
          position: result.position,
          eventIds,
        };
      } catch (error) {
        const retry =
          error instanceof WrongExpectedVersionError &&
          options.retryOnConflict === true &&
          options.expectedRevision === undefined &&
          attempt < MAX_RETRIES;
        if (!retry) throw error;
      }
    }
  }

  /**
   * Commands on several streams decided each on its own stream and appended together (`appendToStreams`): all or
   * nothing, each with its expected revision (e.g. a meeting's agenda item and the proposal's tabling). A conflict on any
   * stream aborts all; with `retryOnConflict` the whole step is decided again on fresh state.
   */
  async executeAcross(
    steps: readonly StreamStep[],
    context: CommandContext,
    options: { retryOnConflict?: boolean } = {},
  ): Promise<CommandResult<{ type: string; data: object }>[]> {
    for (let attempt = 0; ; attempt++) {
      const decided: { step: StreamStep; events: { type: string; data: object }[]; revision: number }[] = [];
      for (const step of steps) {
        const { state, revision } = await this.fold<unknown, { type: string; data: object }, unknown>(
          step.stream,
          step.decider,
        );
        if (step.expectedRevision !== undefined && step.expectedRevision !== revision) {
          throw new WrongExpectedVersionError(
            step.stream,
            step.expectedRevision,
            revision < 0 ? 'no_stream' : revision,
          );
        }
        const events: { type: string; data: object }[] = [];
        let next: unknown = state;
        for (const command of step.commands) {
          const made: { type: string; data: object }[] = step.decider.decide(command, next);
          for (const event of made) next = step.decider.evolve(next, event);
          events.push(...made);
        }
        decided.push({ step, events, revision });
      }
      const writes = decided.map(({ step, events, revision }) => {
        const eventIds = events.map(() => randomUUID());
        const newEvents: NewEvent[] = events.map((event, index) => {
          const id = eventIds[index]!;
          return { id, type: event.type, data: event.data as JsonObject, metadata: eventMetadata(context, id) };
        });
        return { step, events, revision, eventIds, newEvents };
      });
      try {
        // Steps that decided nothing append nothing; the others all or none (one transaction, or KurrentDB's
        // multi-stream append), each with the revision it was decided on.
        const appending = writes.filter((write) => write.events.length > 0);
        const appended = await this.store.appendToStreams(
          appending.map(({ step, newEvents, revision }) => ({
            stream: step.stream,
            events: newEvents,
            expected: revision < 0 ? ('no_stream' as const) : revision,
          })),
        );
        let next = 0;
        return writes.map(({ events, revision, eventIds }): CommandResult<{ type: string; data: object }> => {
          if (events.length === 0) return { events, revision, position: '', eventIds: [] };
          const result = appended[next++]!;
          return { events, revision: result.nextExpectedRevision, position: result.position, eventIds };
        });
      } catch (error) {
        const explicit = steps.some((step) => step.expectedRevision !== undefined);
        // A TransactionConflictError is the same race seen from inside the transaction (another writer's append
        // to one of these streams committed while it ran): nothing was written, so deciding again is as safe.
        const retry =
          (error instanceof WrongExpectedVersionError || error instanceof TransactionConflictError) &&
          options.retryOnConflict === true &&
          !explicit &&
          attempt < MAX_RETRIES;
        if (!retry) throw error;
      }
    }
  }
}

/** One stream's part of `executeAcross`. */
export interface StreamStep {
  stream: string;
  // Steps mix deciders of different streams: each step's commands are its decider's own.
  decider: Decider<unknown, { type: string; data: object }, unknown>;
  commands: readonly unknown[];
  expectedRevision?: number;
}
