import { randomUUID } from 'node:crypto';
import {
  createPgliteEventStore,
  TransactionConflictError,
  WrongExpectedVersionError,
  type EventStore,
  type RecordedEvent,
  type StoreTransaction,
} from '@muskel/event-store';
import type { CommandContext } from './command-context';
import { CommandPipeline, type Decider } from './command-pipeline';
import { ProjectionRunner, type Projection } from './projection-runner';

/** A tiny counter stream: enough to exercise the pipeline without a real domain. */
type CounterEvent = { type: 'Incremented'; data: { by: number } };
type CounterCommand = { type: 'Increment'; by: number; max: number };
const counter: Decider<CounterCommand, CounterEvent, number> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.data.by,
  decide: (command, state) => {
    if (state + command.by > command.max) throw new Error('COUNTER_FULL');
    return command.by === 0 ? [] : [{ type: 'Incremented', data: { by: command.by } }];
  },
};

const context = (userId = 'u-1'): CommandContext => ({
  actor: { userId, role: 'VERIFIER', scope: '3515' },
  correlationId: 'corr-1',
  causationId: 'cause-1',
  occurredAt: '2026-11-22T09:00:00.000Z',
});

describe('application layer on PGlite', () => {
  let store: EventStore;
  let template: Blob;

  beforeAll(async () => {
    const first = await createPgliteEventStore({});
    await first.init();
    template = await first.dumpDataDir();
    await first.close();
  }, 120_000);

  beforeEach(async () => {
    store = await createPgliteEventStore({ loadDataDir: template });
    await store.init();
  });
  afterEach(() => store.close());

  describe('CommandPipeline', () => {
    it('folds, decides, appends, and writes the command context into every event', async () => {
      const pipeline = new CommandPipeline(store);
      const stream = `counter-${randomUUID()}`;
      const first = await pipeline.execute(stream, counter, { type: 'Increment', by: 2, max: 10 }, context());
      expect(first.revision).toBe(0);
      const both = await pipeline.executeAll(
        stream,
        counter,
        [
          { type: 'Increment', by: 3, max: 10 },
          { type: 'Increment', by: 4, max: 10 },
        ],
        context('u-2'),
      );
      expect(both.revision).toBe(2);
      const events: RecordedEvent[] = [];
      for await (const event of store.readStream(stream)) events.push(event);
      expect(events.map((e) => e.data)).toEqual([{ by: 2 }, { by: 3 }, { by: 4 }]);
      // The answer names the events written, in order (the API turns them into audit-log leaf indexes).
      expect([...first.eventIds, ...both.eventIds]).toEqual(events.map((e) => e.id));
      expect(events[2]!.metadata).toEqual({
        eventId: events[2]!.id,
        correlationId: 'corr-1',
        causationId: 'cause-1',
        actor: { userId: 'u-2', role: 'VERIFIER', scope: '3515' },
        occurredAt: '2026-11-22T09:00:00.000Z',
        schema: 1,
      });
      expect((await pipeline.fold(stream, counter)).state).toBe(9);
    });

    it('decides the later commands of a batch on the state the earlier ones made', async () => {
      const pipeline = new CommandPipeline(store);
      const stream = `counter-${randomUUID()}`;
      await expect(
        pipeline.executeAll(
          stream,
          counter,
          [
            { type: 'Increment', by: 6, max: 10 },
            { type: 'Increment', by: 6, max: 10 },
          ],
          context(),
        ),
      ).rejects.toThrow('COUNTER_FULL');
      expect(await store.getStreamState(stream)).toBe('no_stream');
    });

    it('writes nothing when the decider decides nothing', async () => {
      const pipeline = new CommandPipeline(store);
      const stream = `counter-${randomUUID()}`;
      const result = await pipeline.execute(stream, counter, { type: 'Increment', by: 0, max: 10 }, context());
      expect(result).toEqual({ events: [], revision: -1, position: '', eventIds: [] });
    });

    it('refuses a stale If-Match revision even when deciding again would pass', async () => {
      const pipeline = new CommandPipeline(store);
      const stream = `counter-${randomUUID()}`;
      await pipeline.execute(stream, counter, { type: 'Increment', by: 1, max: 10 }, context());
      await pipeline.execute(stream, counter, { type: 'Increment', by: 1, max: 10 }, context());
      const stale = pipeline.execute(stream, counter, { type: 'Increment', by: 1, max: 10 }, context(), {
        expectedRevision: 0,
      });
      await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersionError);
    });

    it('decides again on the new state after losing a race, when asked to, and not otherwise', async () => {
      const stream = `counter-${randomUUID()}`;
      // A store whose first append loses a race, as if another writer got in between read and append.
      const racing = (): EventStore => {
        let raced = false;
        return new Proxy(store, {
          get(target, property, receiver) {
            if (property === 'appendToStream' && !raced) {
              return async (...args: Parameters<EventStore['appendToStream']>) => {
                raced = true;
                await target.appendToStream(stream, [{ type: 'Incremented', data: { by: 5 } }], { expected: 'any' });
                return target.appendToStream(...args);
              };
            }
            return Reflect.get(target, property, receiver) as unknown;
          },
        });
      };
      await expect(
        new CommandPipeline(racing()).execute(stream, counter, { type: 'Increment', by: 1, max: 20 }, context()),
      ).rejects.toBeInstanceOf(WrongExpectedVersionError);
      const retried = await new CommandPipeline(racing()).execute(
        stream,
        counter,
        { type: 'Increment', by: 1, max: 20 },
        context(),
        { retryOnConflict: true },
      );
      expect(retried.revision).toBe(2);
      expect((await new CommandPipeline(store).fold(stream, counter)).state).toBe(11);
    });

    it('runs a transaction across streams again after a conflict inside it, when asked to, and not otherwise', async () => {
      const first = `counter-${randomUUID()}`;
      const second = `counter-${randomUUID()}`;
      // A store whose first transaction ends as the SQL store ends one that meets another writer's commit inside it
      // (a unique violation on the stream's revision): TransactionConflictError, everything rolled back.
      const conflicting = (): EventStore => {
        let conflicted = false;
        return new Proxy(store, {
          get(target, property, receiver) {
            if (property === 'withTransaction' && !conflicted) {
              return async (work: Parameters<EventStore['withTransaction']>[0]) => {
                conflicted = true;
                await target.withTransaction(async (tx) => {
                  await work(tx);
                  throw new TransactionConflictError(second);
                });
              };
            }
            return Reflect.get(target, property, receiver) as unknown;
          },
        });
      };
      const steps = [
        { stream: first, decider: counter, commands: [{ type: 'Increment', by: 1, max: 20 }] },
        { stream: second, decider: counter, commands: [{ type: 'Increment', by: 2, max: 20 }] },
      ] as unknown as Parameters<CommandPipeline['executeAcross']>[0];
      await expect(new CommandPipeline(conflicting()).executeAcross(steps, context())).rejects.toBeInstanceOf(
        TransactionConflictError,
      );
      expect((await new CommandPipeline(store).fold(first, counter)).state).toBe(0);
      const results = await new CommandPipeline(conflicting()).executeAcross(steps, context(), {
        retryOnConflict: true,
      });
      expect(results.map((r) => r.revision)).toEqual([0, 0]);
      expect((await new CommandPipeline(store).fold(first, counter)).state).toBe(1);
      expect((await new CommandPipeline(store).fold(second, counter)).state).toBe(2);
    });
  });

  describe('ProjectionRunner', () => {
    const projection = (name: string, seen: string[]): Projection => ({
      name,
      filter: { categories: ['counter'] },
      async setup(tx: StoreTransaction) {
        await tx.query(`CREATE TABLE IF NOT EXISTS ${name.replace(/-/g, '_')} (event_id uuid, revision int)`);
      },
      async apply(event: RecordedEvent, tx: StoreTransaction) {
        seen.push(event.id);
        await tx.query(`INSERT INTO ${name.replace(/-/g, '_')} VALUES ($1, $2)`, [event.id, event.revision]);
      },
    });

    const append = async (count: number) => {
      let position = '';
      for (let i = 0; i < count; i++) {
        position = (
          await store.appendToStream(`counter-${randomUUID()}`, [{ type: 'Incremented', data: { by: 1 } }], {
            expected: 'no_stream',
          })
        ).position;
      }
      await store.appendToStream(`other-${randomUUID()}`, [{ type: 'Noise', data: {} }], { expected: 'no_stream' });
      return position;
    };

    it('applies each event once with its checkpoint, resumes after a stop, and lets read-your-writes wait', async () => {
      const seen: string[] = [];
      const name = `proj-${randomUUID().slice(0, 8)}`;
      const first = new ProjectionRunner(store, projection(name, seen), { leaseTtlMs: 1_000 });
      await first.setup();
      const upTo = await append(5);
      first.start();
      expect(await first.waitFor(upTo)).toBe(true);
      await first.stop();

      const more = await append(3);
      const second = new ProjectionRunner(store, projection(name, seen), { leaseTtlMs: 1_000 });
      second.start();
      expect(await second.waitFor(more)).toBe(true);
      // The checkpoint also moves past the filtered-out event at the end.
      expect(await second.waitFor(await store.headPosition())).toBe(true);
      await second.stop();

      expect(seen).toHaveLength(8);
      expect(new Set(seen).size).toBe(8);
      const rows = await store.withTransaction((tx) =>
        tx.query(`SELECT count(*)::int AS n FROM ${name.replace(/-/g, '_')}`),
      );
      expect(rows[0]).toEqual({ n: 8 });
      expect(await store.checkpoints.load(name)).toBe(await store.headPosition());
    });

    it('runs one instance at a time: a second runner waits for the lease', async () => {
      const seenA: string[] = [];
      const seenB: string[] = [];
      const name = `proj-${randomUUID().slice(0, 8)}`;
      const a = new ProjectionRunner(store, projection(name, seenA), { leaseTtlMs: 60_000 });
      const b = new ProjectionRunner(store, projection(name, seenB), { leaseTtlMs: 60_000 });
      await a.setup();
      a.start();
      const upTo = await append(4);
      expect(await a.waitFor(upTo)).toBe(true);
      b.start();
      const later = await append(2);
      expect(await a.waitFor(later)).toBe(true);
      expect(seenA).toHaveLength(6);
      expect(seenB).toHaveLength(0);
      await a.stop();
      await b.stop();
    });

    it('never applies an event twice when another instance took over after its lease expired', async () => {
      const seenA: string[] = [];
      const seenB: string[] = [];
      const name = `proj-${randomUUID().slice(0, 8)}`;
      const a = new ProjectionRunner(store, projection(name, seenA), { leaseTtlMs: 60_000 });
      await a.setup();
      a.start();
      const upTo = await append(3);
      expect(await a.waitFor(upTo)).toBe(true);
      // B takes the lease as if A's had expired (A paused, say), and applies what follows.
      await store.leases.release(name, (a as unknown as { instanceId: string }).instanceId);
      const b = new ProjectionRunner(store, projection(name, seenB), { leaseTtlMs: 60_000 });
      expect(await store.leases.tryAcquire(name, 'someone-else', 1)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      b.start();
      const later = await append(3);
      expect(await b.waitFor(later)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await a.stop();
      await b.stop();
      const all = [...seenA, ...seenB];
      const rows = await store.withTransaction((tx) =>
        tx.query<{ n: number; distinct: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct FROM ${name.replace(/-/g, '_')}`,
        ),
      );
      // Every event is in the table exactly once, whichever instance applied it.
      expect(rows[0]).toEqual({ n: 6, distinct: 6 });
      expect(new Set(all).size).toBe(6);
    });

    it('reports a timeout from waitFor when the position is never reached', async () => {
      const name = `proj-${randomUUID().slice(0, 8)}`;
      const runner = new ProjectionRunner(store, projection(name, []));
      await runner.setup();
      expect(await runner.waitFor('99999999999999999999:00000000000000000001', 200)).toBe(false);
    });
  });
});
