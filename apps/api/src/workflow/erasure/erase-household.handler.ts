import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { eventMetadata, type CommandContext } from '@muskel/application';
import {
  erasureDecider,
  erasureStreamName,
  type EraseHousehold,
  type ErasureEvent,
  type ErasureState,
} from '@muskel/domain';
import {
  EVENT_STORE,
  SqlEventStore,
  type EventStore,
  type SqlQueryable,
  type StoreTransaction,
} from '@muskel/event-store';
import { ApiError } from '@muskel/http';
import { PERSONAL_DATA_CODEC } from '@muskel/nest-event-store';
import {
  HouseholdKeys,
  collectHouseholdValues,
  eventsAboutHousehold,
  householdValuesIn,
  scrubPersonalValues,
  type HouseholdPersonalValues,
  type PersonalDataCodec,
  type ScrubTerms,
} from '@muskel/personal-data';
import { BlindIndex, createProjections, searchableName } from '@muskel/projections';
import type { ChangeResult } from '../../common/http-conditions';
import { waitForPosition } from '../../common/read-your-writes';

/** How long the erasure waits for the projections to pass it before blanking their rows a second time. */
const PROJECTIONS_WAIT_MS = 10_000;

/**
 * Erases a household's personal data (crypto-shredding). In one transaction: HouseholdErased on
 * `erasure-<householdId>` (no personal data), the household's data key deleted (every encrypted field of every
 * event about it now reads as erased), its blind-index rows deleted and every copy in the read models and other
 * mutable tables blanked. The event log and the audit log are untouched, so every leaf and proof stays valid.
 */
@Injectable()
export class EraseHouseholdHandler {
  private readonly logger = new Logger('Erasure');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA_CODEC) private readonly codec: PersonalDataCodec | null,
  ) {}

  async execute(command: EraseHousehold, context: CommandContext): Promise<ChangeResult & { householdId: string }> {
    const store = this.store;
    const codec = this.codec;
    if (codec === null || !(codec.keys instanceof HouseholdKeys)) {
      throw new ApiError(503, 'ERASURE_UNAVAILABLE', 'This store does not encrypt personal data; nothing to erase.');
    }
    const keys = codec.keys;
    const stream = erasureStreamName(command.data.householdId);
    const householdId = command.data.householdId;
    const toEvents = (events: readonly ErasureEvent[], eventIds: readonly string[]) =>
      events.map((event, index) => ({
        id: eventIds[index],
        type: event.type,
        data: { ...event.data },
        metadata: eventMetadata(context, eventIds[index]!),
      }));
    /** Blind-index rows deleted, the key deleted, the copies blanked: on the transaction's connection. */
    const shred = async (q: SqlQueryable, values: HouseholdPersonalValues): Promise<ScrubTerms> => {
      const index = await blindIndexOf(q);
      const hmacs = index
        ? values.identifiers.flatMap((value) => [index.nik(value), index.kk(value)])
        : ([] as string[]);
      if (hmacs.length > 0) {
        // Blind-index rows are deleted, not blanked: every table keyed by a NIK HMAC (person history, the identity
        // checks' index of pending NIKs), so that a blanked key never collides with another row's.
        const indexed = await q.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'nik_hmac' AND table_name !~ '^(es_|audit_|pd_)'`,
        );
        for (const { table_name: table } of indexed) {
          await q.query(`DELETE FROM "${table.replace(/"/g, '""')}" WHERE nik_hmac = ANY($1::text[])`, [hmacs]);
        }
      }
      await keys.shred(q, householdId);
      const scrubTerms: ScrubTerms = {
        inText: [...values.identifiers, ...values.names, ...values.names.map(searchableName), ...hmacs],
        whole: values.texts,
        birthDates: values.birthDates,
      };
      await scrubPersonalValues(q, scrubTerms);
      return scrubTerms;
    };

    let result: { revision: number; position: string; eventIds: string[] };
    let terms: ScrubTerms;
    if (store.capabilities().transactions && store instanceof SqlEventStore) {
      // One transaction: the event, the key's deletion and the blanking commit together or not at all.
      ({ result, terms } = await store.withTransaction(async (tx) => {
        const q = sqlOf(tx);
        const { state, revision } = await foldErasure(tx, stream);
        const events = erasureDecider.decide(command, state);
        const eventIds = events.map(() => randomUUID());
        const appended = await tx.appendToStream(stream, toEvents(events, eventIds), {
          expected: revision < 0 ? 'no_stream' : revision,
        });
        // Read the values while the key still exists: they are what must disappear from the copies.
        const values = await collectHouseholdValues(q, codec, householdId);
        return {
          result: { revision: appended.nextExpectedRevision, position: appended.position, eventIds },
          terms: await shred(q, values),
        };
      }));
    } else {
      // The log is not in the read-model database (KurrentDB): decide, shred in one read-model transaction, then
      // record. A failure before the record leaves the key deleted and the household not yet marked erased: a retry
      // passes the decider again, finds nothing left to decrypt, and records the erasure.
      const { state, revision } = await store.withTransaction((tx) => foldErasure(tx, stream));
      const events = erasureDecider.decide(command, state);
      const eventIds = events.map(() => randomUUID());
      const stored = await store.withTransaction((tx) => eventsAboutHousehold(store.raw(), sqlOf(tx), householdId));
      terms = await store.withTransaction(async (tx) => {
        const q = sqlOf(tx);
        return shred(q, await householdValuesIn(q, codec, householdId, stored));
      });
      const appended = await store.appendToStream(stream, toEvents(events, eventIds), {
        expected: revision < 0 ? 'no_stream' : revision,
      });
      result = { revision: appended.nextExpectedRevision, position: appended.position, eventIds };
    }
    // A projection may have read an event while the key still existed and write it after the blanking above: once
    // every projection has passed the erasure, blank again (the values are forgotten when this returns).
    const names = createProjections().map((projection) => projection.name);
    const passed = await waitForPosition(store, names, result.position, PROJECTIONS_WAIT_MS);
    if (!passed) this.logger.warn(`projections did not reach erasure ${result.eventIds[0]} in time; blanking anyway`);
    await store.withTransaction((tx) => scrubPersonalValues(sqlOf(tx), terms));
    return { householdId, ...result };
  }
}

/** The read-model database's connection of a transaction (every store's transactions carry it). */
function sqlOf(tx: StoreTransaction): SqlQueryable {
  const sql = (tx as { sql?: SqlQueryable }).sql;
  if (!sql) throw new Error('this transaction has no SQL connection for the read models');
  return sql;
}

async function foldErasure(tx: StoreTransaction, stream: string): Promise<{ state: ErasureState; revision: number }> {
  let state = erasureDecider.initialState();
  let revision = -1;
  for (const event of await tx.readStream(stream)) {
    state = erasureDecider.evolve(state, { type: event.type, data: event.data } as unknown as ErasureEvent);
    revision = event.revision;
  }
  return { state, revision };
}

async function tableExists(q: SqlQueryable, table: string): Promise<boolean> {
  const [row] = await q.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]);
  return row?.found != null;
}

/** The projections' blind index, if they have set it up (an API process before its first projection has not). */
async function blindIndexOf(q: SqlQueryable): Promise<BlindIndex | undefined> {
  if (!(await tableExists(q, 'projection_blind_index_keys'))) return undefined;
  return BlindIndex.load(q);
}
