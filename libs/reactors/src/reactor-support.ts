import {
  CommandPipeline,
  deterministicId,
  type CommandContext,
  type Decider,
  type Projection,
} from '@muskel/application';
import { DomainError, NATIONAL, type Actor } from '@muskel/domain';
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type RecordedEvent,
  type StoreTransaction,
} from '@muskel/event-store';

/** Reactors act as the system, never on behalf of a user (DESIGN.md section 4: "a reactor then appends ..."). */
export const SYSTEM_ACTOR: Actor = { userId: 'system', role: 'SYSTEM', scope: NATIONAL };

/** Refusals that mean the effect is already there: a replay, not a failure. */
const ALREADY_APPLIED_CODES: ReadonlySet<string> = new Set(['PROPOSAL_ALREADY_APPLIED']);

export const REACTOR_FAILURES_DDL = `
CREATE TABLE IF NOT EXISTS reactor_failures (
  event_id    text        NOT NULL,
  reactor     text        NOT NULL,
  target      text        NOT NULL,
  code        text        NOT NULL,
  message     text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, reactor, target)
)`;

/** One stored event as a reactor reads it inside its transaction. */
export interface StoredEvent {
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

/** Reads a stream through the reactor's own transaction (`StoreTransaction.readStream`: decoded, its appends seen). */
export async function readStreamInTransaction(tx: StoreTransaction, stream: string): Promise<StoredEvent[]> {
  return (await tx.readStream(stream)).map(({ revision, id, type, data, metadata }) => ({
    revision,
    id,
    type,
    data,
    metadata,
  }));
}

/**
 * A CommandPipeline whose reads and appends go through `tx`, so the reactor's commands commit together with its
 * checkpoint (a crash between them is impossible, and a replay finds the effect in the state). Only the two
 * methods the pipeline uses are provided.
 */
export function transactionalPipeline(tx: StoreTransaction): CommandPipeline {
  const view: Pick<EventStore, 'readStream' | 'appendToStream'> = {
    readStream: (stream: string) => {
      return (async function* () {
        yield* await tx.readStream(stream);
      })() as AsyncIterable<RecordedEvent>;
    },
    appendToStream: (stream: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> =>
      tx.appendToStream(stream, events, options),
  };
  return new CommandPipeline(view as EventStore);
}

/** The command context of everything a causing event makes a reactor do. */
export function reactorContext(event: RecordedEvent): CommandContext {
  const correlation = event.metadata['correlationId'];
  const occurred = event.metadata['occurredAt'];
  return {
    actor: SYSTEM_ACTOR,
    correlationId: typeof correlation === 'string' ? correlation : event.id,
    causationId: event.id,
    occurredAt: typeof occurred === 'string' ? occurred : event.recordedAt.toISOString(),
  };
}

export async function recordFailure(
  tx: StoreTransaction,
  failure: { eventId: string; reactor: string; target: string; code: string; message: string },
): Promise<void> {
  // A replay may meet the same refusal again: one row per (event, reactor, target).
  await tx.query(
    `INSERT INTO reactor_failures (event_id, reactor, target, code, message) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [failure.eventId, failure.reactor, failure.target, failure.code, failure.message.slice(0, 500)],
  );
}

export type Outcome = 'applied' | 'skipped' | 'failed';

/**
 * Executes one command for a causing event with event ids derived from (reactor, event, target), so a replay
 * appends ids the store already holds. A domain refusal never blocks the reactor: "already applied" is skipped,
 * anything else recorded in reactor_failures (codes and DomainError messages carry no personal data). Other errors
 * (database, conflicts) propagate: the runner retries the event.
 */
export async function runCommand<Command, Event extends { type: string; data: object }, State>(
  tx: StoreTransaction,
  reactor: string,
  event: RecordedEvent,
  target: { stream: string; key: string },
  decider: Decider<Command, Event, State>,
  commands: readonly Command[],
): Promise<Outcome> {
  try {
    const result = await transactionalPipeline(tx).executeAll(target.stream, decider, commands, reactorContext(event), {
      eventId: (index) => deterministicId(reactor, event.id, target.key, index),
    });
    return result.events.length > 0 ? 'applied' : 'skipped';
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (ALREADY_APPLIED_CODES.has(error.code)) return 'skipped';
    await recordFailure(tx, {
      eventId: event.id,
      reactor,
      target: target.key,
      code: error.code,
      message: error.message,
    });
    return 'failed';
  }
}

/** A reactor: a projection whose effects are commands. */
export type Reactor = Projection;

export async function setupFailures(tx: StoreTransaction): Promise<void> {
  await tx.query(REACTOR_FAILURES_DDL);
}

export interface ReactorFailure {
  eventId: string;
  reactor: string;
  target: string;
  code: string;
  message: string;
}

/** What the reactors could not apply, oldest first. */
export async function listReactorFailures(store: EventStore): Promise<ReactorFailure[]> {
  return store.withTransaction(async (tx) => {
    await setupFailures(tx);
    const rows = await tx.query<{ event_id: string; reactor: string; target: string; code: string; message: string }>(
      'SELECT event_id, reactor, target, code, message FROM reactor_failures ORDER BY recorded_at, event_id, target',
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      reactor: row.reactor,
      target: row.target,
      code: row.code,
      message: row.message,
    }));
  });
}
