/**
 * Erasure on PostgreSQL, without HTTP: the workflow writes a synthetic household (and a control household), the
 * projections and the audit log catch up, then the household is erased. Before: no NIK, KK number or name of it
 * is in the event log in the clear. After: a scan of every table finds none of them anywhere, the control still
 * decrypts, the blind-index rows are gone, reads show the erased marker, and the audit log's leaves are unchanged.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CommandPipeline, ProjectionRunner, type CommandContext } from '@muskel/application';
import { AuditLog, AuditLogProjection } from '@muskel/audit-log';
import {
  householdDecider,
  householdStreamName,
  proposalDecider,
  proposalStreamName,
  type Actor,
  type EraseHousehold,
  type HouseholdCommand,
  type ProposalCommand,
} from '@muskel/domain';
import { createPostgresEventStore, type EventStore, type SqlEventStore } from '@muskel/event-store';
import {
  ERASED,
  enablePersonalData,
  personalDataCodecOf,
  protectPersonalData,
  type PersonalDataCodec,
} from '@muskel/personal-data';
import { BlindIndex, createProjections } from '@muskel/projections';
import { kurrentDbShaped } from '../../../../../libs/reactors/src/testing/test-stores';
import { EraseHouseholdHandler } from './erase-household.handler';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const VILLAGE = '3515142001';
const SYSTEM: Actor = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' };
const OPERATOR: Actor = { userId: randomUUID(), role: 'VILLAGE_OPERATOR', scope: VILLAGE };
const ADMIN: Actor = { userId: randomUUID(), role: 'ADMIN', scope: '3515' };

// Canaries: synthetic people, unique to this test.
const ERASED_NIK = '3515140508689911';
const ERASED_KK = '3515140101099911';
const ERASED_NEW_KK = '3515140101099933';
const ERASED_NAME = 'Kanari Sulastri Wibowo';
const KEPT_NIK = '3515140508689922';
const KEPT_KK = '3515140101099922';
const KEPT_NAME = 'Kontrol Hartono Saputra';
/** How long the runners may take to catch up (see catchUp). */
const CATCH_UP_MS = 150_000;

function context(actor: Actor): CommandContext {
  const id = randomUUID();
  return { actor, correlationId: id, causationId: id, occurredAt: new Date().toISOString() };
}

/** Every table's every row as text: what a pg_dump of the data would show. */
async function scanDatabase(store: SqlEventStore): Promise<Map<string, string>> {
  const tables = await store.executor.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const dump = new Map<string, string>();
  for (const { table_name } of tables) {
    const rows = await store.executor.query<{ t: string }>(`SELECT t::text AS t FROM "${table_name}" t`);
    dump.set(table_name, rows.map((row) => row.t).join('\n'));
  }
  return dump;
}

function tablesContaining(dump: Map<string, string>, needle: string): string[] {
  return [...dump].filter(([, text]) => text.toLowerCase().includes(needle.toLowerCase())).map(([table]) => table);
}

/**
 * `sql`: the store whose codec encrypts inside its own statements. `kurrentdb-shaped`: the same PostgreSQL seen as
 * KurrentDB is (no appends in transactions, no SQL store to recognise; no KurrentDB server can run on this
 * machine), with the codec around it as the service installs it there: the erasure's path for a log outside SQL.
 */
function describeErasure(shape: 'sql' | 'kurrentdb-shaped'): void {
  let admin: Client;
  let database: string;
  /** The PostgreSQL store: what the scans read. */
  let store: SqlEventStore;
  /** The store as the service uses it. */
  let app: EventStore;
  let codec: PersonalDataCodec;
  let runners: ProjectionRunner[];
  const erasedId = randomUUID();
  const keptId = randomUUID();
  const proposalId = randomUUID();

  /**
   * Every runner past the last event written. The runners read only settled events: below the oldest transaction
   * still writing anywhere on the server, so another suite's long transaction (in its own database) holds them back
   * until it ends. Hence the generous bound and, should it pass, the server's oldest writing transactions in the
   * failure.
   */
  const catchUp = async () => {
    const [written] = await store.executor.query<{ position: string }>(
      `SELECT lpad(tx_id::text, 20, '0') || ':' || lpad(global_position::text, 20, '0') AS position
         FROM es_events ORDER BY tx_id DESC, global_position DESC LIMIT 1`,
    );
    for (const [index, runner] of runners.entries()) {
      if (await runner.waitFor(written!.position, CATCH_UP_MS)) continue;
      const writing = await admin.query<{ datname: string; state: string; since: string; query: string }>(
        `SELECT datname, state, (now() - xact_start)::text AS since, left(query, 100) AS query FROM pg_stat_activity
          WHERE backend_xid IS NOT NULL ORDER BY xact_start LIMIT 5`,
      );
      throw new Error(
        `runner ${index} not past ${written!.position} after ${CATCH_UP_MS / 1000} s; ` +
          `oldest writing transactions: ${JSON.stringify(writing.rows)}`,
      );
    }
  };

  beforeAll(async () => {
    admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    database = `muskel_test_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`);
    const url = new URL(SERVER_URL);
    url.pathname = `/${database}`;
    store = await createPostgresEventStore({ connectionString: url.toString() });
    await store.init();
    const kek = randomBytes(32).toString('base64');
    if (shape === 'sql') {
      codec = await enablePersonalData(store, { kek });
      app = store;
    } else {
      app = await protectPersonalData(kurrentDbShaped(store), { kek });
      expect(app).not.toBe(store);
      codec = personalDataCodecOf(app)!;
      expect(store.codecInstalled).toBeUndefined();
    }
    runners = [
      ...createProjections().map((projection) => new ProjectionRunner(app, projection)),
      new ProjectionRunner(app.raw(), new AuditLogProjection()),
    ];
    for (const runner of runners) await runner.setup();
    for (const runner of runners) runner.start();

    const pipeline = new CommandPipeline(app);
    const enrol = (householdId: string, kkNumber: string, nik: string, name: string): HouseholdCommand => ({
      type: 'EnrolHousehold',
      data: {
        householdId,
        source: 'BASELINE_IMPORT',
        importId: randomUUID(),
        villageCode: VILLAGE,
        address: 'Jl. Uji 1',
        rt: '001',
        rw: '002',
        kkNumber,
        members: [{ memberId: randomUUID(), nik, name, sex: 'F', birthDate: '1968-08-05', relationship: 'HEAD' }],
      },
      metadata: { actor: SYSTEM, occurredAt: new Date().toISOString() },
    });
    for (const [id, kk, nik, name] of [
      [erasedId, ERASED_KK, ERASED_NIK, ERASED_NAME],
      [keptId, KEPT_KK, KEPT_NIK, KEPT_NAME],
    ] as const) {
      await pipeline.execute(householdStreamName(id), householdDecider, enrol(id, kk, nik, name), context(SYSTEM));
    }
    const submit: ProposalCommand = {
      type: 'SubmitProposal',
      data: {
        proposalId,
        kind: 'CORRECT',
        villageCode: VILLAGE,
        channel: 'RT_RW',
        householdId: erasedId,
        changes: { kkNumber: ERASED_NEW_KK },
      },
      metadata: { actor: OPERATOR, occurredAt: new Date().toISOString() },
    };
    await pipeline.execute(proposalStreamName(proposalId), proposalDecider, submit, context(OPERATOR));
    await catchUp();
  }, 180_000);

  afterAll(async () => {
    for (const runner of runners ?? []) await runner.stop();
    await store?.close();
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  it('before erasure: the event log, the audit log and the key table hold no NIK, KK number or name in the clear', async () => {
    const dump = await scanDatabase(store);
    for (const canary of [ERASED_NIK, ERASED_KK, ERASED_NEW_KK, ERASED_NAME, KEPT_NIK, KEPT_NAME]) {
      const found = tablesContaining(dump, canary);
      expect(found.filter((table) => /^(es_|audit_|pd_)/.test(table))).toEqual([]);
    }
    // The scan can see them: the read models (outside the log) do hold the registry's names.
    expect(tablesContaining(dump, ERASED_NAME)).toContain('registry_households');
    // And the log holds them encrypted, bound to the household.
    const [encrypted] = await store.executor.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM es_events WHERE data::text LIKE $1`,
      [`%"kid": "${erasedId}"%`],
    );
    expect(Number(encrypted!.n)).toBe(2);
  });

  it('after erasure: nothing of the household anywhere, the control intact, proofs unchanged, reads show erased', async () => {
    const log = new AuditLog(store.executor);
    const sizeBefore = await log.size();
    const rootBefore = await log.root(sizeBefore);
    const leavesBefore = await log.leaves(0, sizeBefore);
    const index = await BlindIndex.load(store.executor);

    const command: EraseHousehold = {
      type: 'EraseHousehold',
      data: {
        householdId: erasedId,
        villageCode: VILLAGE,
        legalBasisRef: 'Surat 470/77/2026',
        requestedAt: '2026-11-01',
      },
      metadata: { actor: ADMIN, occurredAt: new Date().toISOString() },
    };
    const result = await new EraseHouseholdHandler(app, codec).execute(command, context(ADMIN));
    expect(result.revision).toBe(0);
    await catchUp();

    const dump = await scanDatabase(store);
    for (const canary of [
      ERASED_NIK,
      ERASED_KK,
      ERASED_NEW_KK,
      ERASED_NAME,
      index.nik(ERASED_NIK),
      index.kk(ERASED_KK),
    ]) {
      expect([canary.slice(0, 4), tablesContaining(dump, canary)]).toEqual([canary.slice(0, 4), []]);
    }
    expect(await store.executor.query('SELECT 1 FROM pd_household_keys WHERE household_id = $1', [erasedId])).toEqual(
      [],
    );

    // Reads through the store: the erased household's personal fields are the marker; the control decrypts.
    const read = async (stream: string) => {
      const events = [];
      for await (const event of app.readStream(stream)) events.push(event);
      return events;
    };
    const [erasedEnrolled] = await read(householdStreamName(erasedId));
    expect(erasedEnrolled!.data).toMatchObject({
      kkNumber: ERASED,
      villageCode: VILLAGE,
      members: [{ nik: ERASED, name: ERASED, birthDate: ERASED, relationship: 'HEAD' }],
    });
    const [submitted] = await read(proposalStreamName(proposalId));
    expect(submitted!.data['changes']).toEqual({ kkNumber: ERASED });
    const [keptEnrolled] = await read(householdStreamName(keptId));
    expect(keptEnrolled!.data).toMatchObject({ kkNumber: KEPT_KK, members: [{ nik: KEPT_NIK, name: KEPT_NAME }] });
    expect(tablesContaining(dump, KEPT_NAME)).toContain('registry_households');

    // Blind index: the control is still found, the erased household is not.
    const [indexed] = await store.executor.query<{ kk_hmac: string }>(
      'SELECT kk_hmac FROM registry_households WHERE household_id = $1',
      [erasedId],
    );
    expect(indexed!.kk_hmac).not.toBe(index.kk(ERASED_KK));
    const niks = await store.executor.query<{ nik_hmac: string }>(
      'SELECT nik_hmac FROM registry_household_niks WHERE household_id = $1',
      [erasedId],
    );
    expect(niks.map((n) => n.nik_hmac)).not.toContain(index.nik(ERASED_NIK));
    expect(
      await store.executor.query('SELECT 1 FROM person_history WHERE nik_hmac = $1', [index.nik(ERASED_NIK)]),
    ).toEqual([]);
    expect(
      (await store.executor.query('SELECT 1 FROM person_history WHERE nik_hmac = $1', [index.nik(KEPT_NIK)])).length,
    ).toBeGreaterThan(0);

    // The audit log: every earlier leaf as it was, the old root still the root of the old size, one more leaf.
    expect(await log.root(sizeBefore)).toEqual(rootBefore);
    expect(await log.leaves(0, sizeBefore)).toEqual(leavesBefore);
    expect(await log.size()).toBe(sizeBefore + 1);
    const [erasureLeaf] = await log.leaves(sizeBefore, 1);
    expect(JSON.stringify(erasureLeaf)).not.toContain(ERASED_NIK);

    // A second erasure is refused; the household stays erased.
    await expect(new EraseHouseholdHandler(app, codec).execute(command, context(ADMIN))).rejects.toMatchObject({
      code: 'HOUSEHOLD_ALREADY_ERASED',
    });
  }, 180_000);
}

describe('erasing a household (crypto-shredding) on PostgreSQL', () => describeErasure('sql'));
describe('erasing a household (crypto-shredding) on PostgreSQL shaped like KurrentDB', () =>
  describeErasure('kurrentdb-shaped'));
