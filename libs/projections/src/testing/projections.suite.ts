/**
 * One suite, run on PGlite and on PostgreSQL: the projections fed by a real history, every query, idempotence,
 * rebuild equals incremental, the blind index and the public board's lack of personal data.
 */
import { ProjectionRunner, type Projection } from '@muskel/application';
import { rebuildProjection } from '@muskel/application';
import { START, type RecordedEvent, type SqlEventStore } from '@muskel/event-store';
import { createProjections, projectionNames } from '../index';
import {
  BatchesQueries,
  MeetingsQueries,
  PersonHistoryQueries,
  ProposalsQueries,
  PublicBoardQueries,
  RegistryQueries,
} from '../queries';
import { RegistryProjection } from '../registry.projection';
import { dumpTables, type StoreHarness } from './harness';
import { KK, PEOPLE, VILLAGE_A, VILLAGE_B, VILLAGE_OTHER, writeScenario, type Scenario } from './scenario';

async function setupAll(store: SqlEventStore, projections: Projection[]): Promise<void> {
  for (const projection of projections) await store.withTransaction((tx) => projection.setup(tx));
}

/** Runs each projection with the real runner, in small pages, until it has reached the head. */
async function runIncrementally(
  store: SqlEventStore,
  projections: Projection[],
  batchSize: number,
  eventCount: number,
): Promise<void> {
  // The log shows settled events only: on a shared server another transaction may hold the head back a moment, and
  // a head read too early would let the runners stop short of the scenario.
  for (const deadline = Date.now() + 30_000; (await readEverything(store)).length < eventCount;) {
    if (Date.now() > deadline) throw new Error('the scenario did not become visible in the log');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const head = await store.headPosition();
  const runners = projections.map((p) => new ProjectionRunner(store, p, { batchSize, leaseTtlMs: 5_000 }));
  for (const runner of runners) runner.start();
  try {
    const reached = await Promise.all(runners.map((runner) => runner.waitFor(head, 30_000)));
    expect(reached.every(Boolean)).toBe(true);
  } finally {
    for (const runner of runners) await runner.stop();
  }
}

async function readEverything(store: SqlEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll({ after: START })) events.push(event);
  return events;
}

export function describeProjections(harness: StoreHarness): void {
  describe(`projections on ${harness.kind}`, () => {
    let store: SqlEventStore;
    let scenario: Scenario;

    beforeAll(async () => {
      store = await harness.fresh();
      scenario = await writeScenario(store);
      const projections = createProjections();
      await setupAll(store, projections);
      await runIncrementally(store, projections, 7, scenario.eventCount);
    }, 60_000);

    afterAll(() => harness.dispose());

    it('exports one projection per name', () => {
      expect(createProjections().map((p) => p.name)).toEqual([...projectionNames]);
    });

    describe('proposals', () => {
      it('lists within scope, newest first, with filters and cursor pagination', async () => {
        const q = new ProposalsQueries(store.executor);
        const regency = await q.list({ scopes: ['3515'], limit: 100 });
        expect(regency.items.map((p) => p.id).sort()).toEqual(
          [
            scenario.proposals.add,
            scenario.proposals.remove,
            scenario.proposals.relocate,
            scenario.proposals.correct,
            scenario.proposals.withdrawn,
          ].sort(),
        );
        expect(regency.items[0]!.submittedAt >= regency.items[1]!.submittedAt).toBe(true);
        const national = await q.list({ scopes: ['NATIONAL'], limit: 100 });
        expect(national.items).toHaveLength(6);
        expect((await q.list({ scopes: ['32'], limit: 100 })).items.map((p) => p.id)).toEqual([
          scenario.proposals.other,
        ]);
        expect((await q.list({ scopes: [], limit: 100 })).items).toHaveLength(0);

        const flagged = await q.list({ scopes: ['NATIONAL'], flag: 'CIVIL_SERVANT_MATCH' });
        expect(flagged.items.map((p) => p.id)).toEqual([scenario.proposals.other]);
        expect(flagged.items[0]!.openFlags).toEqual([
          { code: 'CIVIL_SERVANT_MATCH', severity: 'BLOCKING', source: 'BKN' },
        ]);
        expect((await q.list({ scopes: ['NATIONAL'], status: 'ACCEPTED' })).items).toHaveLength(4);
        expect((await q.list({ scopes: ['NATIONAL'], status: 'WITHDRAWN' })).items.map((p) => p.id)).toEqual([
          scenario.proposals.withdrawn,
        ]);
        expect((await q.list({ scopes: ['NATIONAL'], kind: 'REMOVE' })).items.map((p) => p.id)).toEqual([
          scenario.proposals.remove,
        ]);
        expect((await q.list({ scopes: ['NATIONAL'], villageCode: '35.15.14.0001' })).items).toHaveLength(5);
        expect((await q.list({ scopes: ['NATIONAL'], regencyCode: '3201' })).items).toHaveLength(1);
        expect((await q.list({ scopes: ['NATIONAL'], period: '2025-02' })).items).toHaveLength(6);
        expect((await q.list({ scopes: ['NATIONAL'], period: '2025-03' })).items).toHaveLength(0);

        const seen: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await q.list({ scopes: ['NATIONAL'], limit: 4, cursor });
          seen.push(...page.items.map((p) => p.id));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(national.items.map((p) => p.id));
      });

      it('shows one proposal with its whole course', async () => {
        const p = await new ProposalsQueries(store.executor).get(scenario.proposals.add);
        expect(p).toMatchObject({
          kind: 'ADD',
          villageCode: VILLAGE_A,
          regencyCode: '3515',
          channel: 'RT_RW',
          status: 'ACCEPTED',
          submittedBy: 'op-1',
          meetingId: scenario.meetingId,
          decision: { decision: 'APPROVED', meetingId: scenario.meetingId },
          verifiedBy: 'ver-1',
          batchId: scenario.batchId,
          decreeRef: 'SK-2025-03',
          memberCount: 1,
          openFlags: [{ code: 'NIK_REGION_DIFFERS', severity: 'WARNING', source: 'NIK' }],
          fieldVisits: [{ outcome: 'CONFIRMED', visitedBy: 'pkh-1' }],
        });
        expect(JSON.stringify(p)).not.toContain(PEOPLE.budi.nik);
        expect(await new ProposalsQueries(store.executor).get('nope')).toBeUndefined();
      });
    });

    it('shows meetings and batches', async () => {
      const meetings = new MeetingsQueries(store.executor);
      const m = await meetings.get(scenario.meetingId);
      expect(m).toMatchObject({
        villageCode: VILLAGE_A,
        kind: 'MUSKEL',
        status: 'CONCLUDED',
        venue: 'Balai Kelurahan',
      });
      expect(m!.agenda).toHaveLength(4);
      expect(m!.attendees).toContainEqual({ name: 'PSM Rina', role: 'PSM' });
      expect(m!.decisions).toHaveLength(4);
      expect(m!.decisions[0]!.votes).toEqual({ for: 5, against: 0, abstain: 0 });
      expect(m!.minutesDigest).toMatch(/^sha256:/);
      expect(m!.signedCopyDigest).toBe(`sha256:${'b'.repeat(64)}`);
      expect((await meetings.list({ scopes: [VILLAGE_A], limit: 10 })).items).toHaveLength(1);
      expect((await meetings.list({ scopes: [VILLAGE_B], limit: 10 })).items).toHaveLength(0);

      const batches = new BatchesQueries(store.executor);
      const b = await batches.get(`batch-${scenario.batchId}`);
      expect(b).toMatchObject({ regencyCode: '3515', period: '2025-02', status: 'COMPLETED' });
      expect(b!.included).toHaveLength(4);
      expect(b!.endorsement).toMatchObject({ letterNumber: '460/123/2025', endorsedBy: 'Bupati Sidoarjo' });
      expect(b!.results.every((r) => r.outcome === 'ACCEPTED')).toBe(true);
      expect((await batches.list({ scopes: ['3515'], limit: 5 })).items.map((x) => x.id)).toEqual([scenario.batchId]);
      expect((await batches.list({ scopes: ['3201'], limit: 5 })).items).toHaveLength(0);
    });

    describe('registry', () => {
      it('finds households by NIK, KK number and name, within scope', async () => {
        const q = new RegistryQueries(store.executor, store);
        const byNik = await q.search({ scopes: ['3515'], nik: PEOPLE.ahmad.nik });
        expect(byNik.items.map((h) => h.householdId)).toEqual([scenario.households.h1]);
        expect(byNik.items[0]!.members.map((m) => [m.memberId, m.active])).toEqual([
          [scenario.members.ahmad, true],
          [scenario.members.siti, false],
        ]);
        expect((await q.search({ scopes: ['3515'], nik: '35.15.14.0508680001' })).items).toHaveLength(1);
        expect((await q.search({ scopes: ['3201'], nik: PEOPLE.ahmad.nik })).items).toHaveLength(0);
        // The KK number changed: the old one no longer finds the household, the new one does.
        expect((await q.search({ scopes: ['NATIONAL'], kkNumber: KK.h1 })).items).toHaveLength(0);
        expect((await q.search({ scopes: ['NATIONAL'], kkNumber: KK.h1New })).items.map((h) => h.householdId)).toEqual([
          scenario.households.h1,
        ]);
        expect((await q.search({ scopes: ['NATIONAL'], name: 'SANTOSO' })).items.map((h) => h.householdId)).toEqual([
          scenario.households.h3,
        ]);
        expect((await q.search({ scopes: ['NATIONAL'], name: 'bud', nameMatch: 'prefix' })).items).toHaveLength(1);
        expect((await q.search({ scopes: ['NATIONAL'], name: 'udi', nameMatch: 'prefix' })).items).toHaveLength(0);
        expect((await q.search({ scopes: ['NATIONAL'], name: '%' })).items).toHaveLength(0);
        const inB = await q.search({ scopes: ['NATIONAL'], villageCode: VILLAGE_B });
        expect(inB.items.map((h) => h.householdId)).toEqual([scenario.households.h2]);
        const paged = await q.search({ scopes: ['3515'], limit: 2 });
        const rest = await q.search({ scopes: ['3515'], limit: 2, cursor: paged.nextCursor ?? undefined });
        expect([...paged.items, ...rest.items].map((h) => h.householdId).sort()).toEqual(
          Object.values(scenario.households).sort(),
        );
        expect(await q.household(scenario.households.h2)).toMatchObject({
          villageCode: VILLAGE_B,
          address: 'Jl. Dahlia 5',
        });
      });

      it('walks from a household to the proposal, the meeting and its attendees, the verifier, the batch and the decree', async () => {
        const q = new RegistryQueries(store.executor, store);
        const [enrolled] = await q.provenance(scenario.households.h3);
        expect(enrolled).toMatchObject({
          eventType: 'HouseholdEnrolled',
          occurredAt: '2025-03-05T01:00:00.000Z',
          importId: null,
          proposal: { id: scenario.proposals.add, kind: 'ADD', channel: 'RT_RW', submittedBy: 'op-1' },
          meeting: {
            id: scenario.meetingId,
            kind: 'MUSKEL',
            chair: 'Lurah Hartono',
            venue: 'Balai Kelurahan',
            decision: 'APPROVED',
            reason: 'agreed by the forum',
          },
          verification: { verifiedBy: 'ver-1', verifiedAt: '2025-02-13T01:00:00.000Z' },
          batch: {
            batchId: scenario.batchId,
            endorsement: { endorsedBy: 'Bupati Sidoarjo', letterNumber: '460/123/2025', signedDate: '2025-02-26' },
            submittedAt: '2025-02-27T10:00:00.000Z',
          },
          decreeRef: 'SK-2025-03',
        });
        expect(enrolled!.meeting!.attendees).toHaveLength(5);
        expect(enrolled!.verification!.fieldVisits).toHaveLength(1);

        const h1 = await q.provenance(scenario.households.h1);
        expect(h1.map((s) => [s.eventType, s.importId, s.proposal?.id ?? null, s.reason])).toEqual([
          ['HouseholdEnrolled', scenario.importId, null, null],
          ['MemberRemoved', null, scenario.proposals.remove, 'DECEASED'],
          ['HouseholdCorrected', null, scenario.proposals.correct, null],
        ]);
      });

      it('answers "as of" a date', async () => {
        const q = new RegistryQueries(store.executor, store);
        const ids = async (date: string) =>
          (await q.asOf({ villageCode: VILLAGE_A, date })).households.map((h) => h.householdId).sort();
        expect(await ids('2025-01-09')).toEqual([]);
        expect(await ids('2025-01-10')).toEqual([scenario.households.h1, scenario.households.h2].sort());
        expect(await ids('2025-03-05')).toEqual(Object.values(scenario.households).sort());
        expect(await ids('2025-03-07')).toEqual([scenario.households.h1, scenario.households.h3].sort());
        const before = await q.asOf({ villageCode: VILLAGE_A, date: '2025-03-05' });
        expect(before.households.find((h) => h.householdId === scenario.households.h1)!.members).toHaveLength(2);
        const after = await q.asOf({ villageCode: VILLAGE_A, date: '2025-03-06' });
        const h1 = after.households.find((h) => h.householdId === scenario.households.h1)!;
        expect(h1.members.map((m) => m.memberId)).toEqual([scenario.members.ahmad]);
        expect(h1.kkNumber).toBe(KK.h1);
        expect(
          (await q.asOf({ villageCode: VILLAGE_B, date: '2025-03-07' })).households.map((h) => h.householdId),
        ).toEqual([scenario.households.h2]);
      });

      it('lists who entered and left between two dates, and why', async () => {
        const q = new RegistryQueries(store.executor, store);
        const march = await q.changes({ villageCode: VILLAGE_A, from: '2025-03-01', to: '2025-03-31' });
        expect(march.entered).toEqual([
          expect.objectContaining({
            householdId: scenario.households.h3,
            eventType: 'HouseholdEnrolled',
            proposalId: scenario.proposals.add,
            members: [{ memberId: scenario.members.budi, name: PEOPLE.budi.name }],
          }),
        ]);
        expect(march.left).toEqual([
          expect.objectContaining({
            householdId: scenario.households.h1,
            eventType: 'MemberRemoved',
            reason: 'DECEASED',
            proposalId: scenario.proposals.remove,
            members: [{ memberId: scenario.members.siti, name: PEOPLE.siti.name }],
          }),
          expect.objectContaining({
            householdId: scenario.households.h2,
            eventType: 'HouseholdRelocated',
            proposalId: scenario.proposals.relocate,
          }),
        ]);
        expect(march.changed).toEqual([
          expect.objectContaining({ householdId: scenario.households.h1, eventType: 'HouseholdCorrected' }),
        ]);
        const january = await q.changes({ villageCode: VILLAGE_A, from: '2025-01-01', to: '2025-01-31' });
        expect(january.entered.map((c) => c.importId)).toEqual([scenario.importId, scenario.importId]);
        const inB = await q.changes({ villageCode: VILLAGE_B, from: '2025-03-07', to: '2025-03-07' });
        expect(inB.entered.map((c) => c.householdId)).toEqual([scenario.households.h2]);
        expect((await q.changes({ villageCode: VILLAGE_A, from: '2025-03-09', to: '2025-12-31' })).entered).toEqual([]);
      });
    });

    it('keeps a person history by blind-indexed NIK, with ids only', async () => {
      const q = new PersonHistoryQueries(store.executor);
      const siti = await q.history(PEOPLE.siti.nik);
      const types = siti.map((e) => `${e.stream.split('-')[0]}:${e.eventType}`);
      expect(types[0]).toBe('household:HouseholdEnrolled');
      expect(types).toContain('proposal:ProposalSubmitted');
      expect(types).toContain('proposal:ProposalDeliberated');
      expect(types).toContain('proposal:ProposalVerified');
      expect(types).toContain('proposal:ProposalBatched');
      expect(types).toContain('proposal:ProposalAccepted');
      expect(types).toContain('household:MemberRemoved');
      // Corrected after she left: no longer her household's change.
      expect(types).not.toContain('household:HouseholdCorrected');
      expect(siti.filter((e) => e.summary.proposalId === scenario.proposals.remove).length).toBeGreaterThan(5);
      const ahmad = await q.history(PEOPLE.ahmad.nik);
      expect(ahmad.map((e) => e.eventType)).toContain('HouseholdCorrected');
      const budi = await q.history(PEOPLE.budi.nik);
      expect(budi[0]!.summary).toMatchObject({ proposalId: scenario.proposals.add, kind: 'ADD' });
      expect(budi.map((e) => e.eventType)).toContain('HouseholdEnrolled');
      expect(budi.map((e) => e.eventType)).toContain('ProposalTabled');
      expect(await q.history('3515149999990009')).toEqual([]);
      const text = JSON.stringify([siti, ahmad, budi]);
      for (const person of Object.values(PEOPLE)) {
        expect(text).not.toContain(person.nik);
        expect(text).not.toContain(person.name);
        expect(text).not.toContain(person.birthDate);
      }
    });

    it('keeps no plain NIK or KK number in any index column or search table', async () => {
      const indexed = await store.executor.query<{ tablename: string; indexdef: string }>(
        `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename NOT LIKE 'es\\_%'`,
      );
      const secrets = [...Object.values(PEOPLE).map((p) => p.nik), ...Object.values(KK)];
      for (const { tablename, indexdef } of indexed) {
        const columns = /\(([^)]*)\)/
          .exec(indexdef)![1]!
          .split(',')
          .map((c) => c.trim().split(' ')[0]!);
        const rows = await store.executor.query<{ v: string }>(
          `SELECT concat_ws('|', ${columns.join(', ')}) AS v FROM ${tablename}`,
        );
        const values = rows.map((r) => r.v).join('\n');
        for (const secret of secrets)
          expect(`${tablename}(${columns.join(',')}): ${values.includes(secret)}`).toMatch(/false$/);
      }
      const search = await dumpTables(store.executor, [
        'person_history',
        'person_history_subjects',
        'registry_household_niks',
      ]);
      const columns = await store.executor.query(
        'SELECT household_id, village_code, kk_hmac, names_search FROM registry_households',
      );
      const text = JSON.stringify([search, columns]);
      for (const secret of secrets) expect(text.includes(secret)).toBe(false);
      // The key is not one of the projection tables a rebuild or an export reads.
      const key = await store.executor.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM projection_blind_index_keys',
      );
      expect(key[0]!.n).toBe('1');
    });

    it('publishes a board per village and month without personal data', async () => {
      const q = new PublicBoardQueries(store.executor);
      const feb = await q.board(VILLAGE_A, '2025-02');
      expect(feb.byKind).toEqual({ ADD: 1, REMOVE: 1, RELOCATE: 1, CORRECT: 2 });
      expect(feb.byRemovalReason).toEqual({ DECEASED: 1 });
      expect(feb.byVillageDecision).toEqual({ APPROVED: 4 });
      expect(feb.byOutcome).toEqual({ WITHDRAWN: 1 });
      expect(feb.meetings).toEqual([
        { meetingId: scenario.meetingId, kind: 'MUSKEL', scheduledAt: '2025-02-10T01:00:00.000Z', status: 'CONCLUDED' },
      ]);
      const march = await q.board(VILLAGE_A, '2025-03');
      expect(march.byOutcome).toEqual({ ACCEPTED: 4 });
      expect((await q.board(VILLAGE_OTHER, '2025-02')).byKind).toEqual({ ADD: 1 });
      const tables = JSON.stringify(
        await dumpTables(store.executor, ['public_board_counts', 'public_board_meetings', 'public_board_proposals']),
      );
      const text = JSON.stringify([feb, march]) + tables;
      for (const person of Object.values(PEOPLE)) {
        expect(text).not.toContain(person.nik);
        expect(text).not.toContain(person.name);
        expect(text).not.toContain(person.birthDate);
      }
      for (const kk of Object.values(KK)) expect(text).not.toContain(kk);
      expect(text).not.toContain('Hartono');
    });

    it('changes nothing when a page is applied again', async () => {
      const before = await dumpTables(store.executor);
      const events = await readEverything(store);
      for (const projection of createProjections()) {
        await store.withTransaction((tx) => projection.applyBatch!(events, tx));
        await store.withTransaction((tx) => projection.applyBatch!(events.slice(10, 40), tx));
        for (const event of events.slice(0, 5)) await store.withTransaction((tx) => projection.apply(event, tx));
      }
      expect(await dumpTables(store.executor)).toEqual(before);
    });

    it('rebuilds to the same rows as the incremental run', async () => {
      const incremental = await dumpTables(store.executor);
      const progress: number[] = [];
      for (const projection of createProjections()) {
        const result = await rebuildProjection(store, projection, {
          batchSize: 5,
          onProgress: (p) => progress.push(p.applied),
        });
        expect(result.resumed).toBe(false);
      }
      expect(progress.length).toBeGreaterThan(10);
      expect(await dumpTables(store.executor)).toEqual(incremental);
      // Whatever a rebuild drops for its writes is there again at its end.
      const indexes = await store.executor.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename LIKE 'registry\\_%' ORDER BY indexname`,
      );
      expect(indexes.map((i) => i.indexname)).toEqual([
        'registry_household_niks_nik',
        'registry_households_kk',
        'registry_households_pkey',
        'registry_households_village',
        'registry_versions_pkey',
        'registry_versions_prev_village',
        'registry_versions_village',
      ]);
      // Every checkpoint stands at the head again.
      const head = await store.headPosition();
      for (const name of projectionNames) expect(await store.checkpoints.load(name)).toBe(head);
    });

    it("turns an older registry's jsonb documents into json and keeps every row", async () => {
      const before = await dumpTables(store.executor);
      await store.withTransaction(async (tx) => {
        await tx.query('ALTER TABLE registry_households ALTER COLUMN doc TYPE jsonb USING doc::jsonb');
        for (const column of ['entered', 'left', 'changes']) {
          await tx.query(`ALTER TABLE registry_versions ALTER COLUMN "${column}" TYPE jsonb USING "${column}"::jsonb`);
        }
      });
      const types = () =>
        store.executor.query<{ column_name: string; data_type: string }>(
          `SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name IN ('registry_households', 'registry_versions')
              AND column_name IN ('doc', 'entered', 'left', 'changes') ORDER BY column_name`,
        );
      expect(new Set((await types()).map((t) => t.data_type))).toEqual(new Set(['jsonb']));
      await store.withTransaction((tx) => new RegistryProjection().setup(tx));
      expect(await types()).toEqual(
        ['changes', 'doc', 'entered', 'left'].map((column_name) => ({ column_name, data_type: 'json' })),
      );
      expect(await dumpTables(store.executor)).toEqual(before);
    });

    it("compares an older registry's KK digests and village codes byte by byte, and still finds by KK", async () => {
      const before = await dumpTables(store.executor);
      const columns = [
        ['registry_households', 'kk_hmac'],
        ['registry_versions', 'village_code'],
        ['registry_versions', 'prev_village_code'],
      ];
      await store.withTransaction(async (tx) => {
        for (const [table, column] of columns) {
          await tx.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE text COLLATE "default"`);
        }
      });
      const collations = () =>
        store.executor.query<{ collation_name: string | null }>(
          `SELECT collation_name FROM information_schema.columns
            WHERE (table_name, column_name) IN (('registry_households', 'kk_hmac'),
              ('registry_versions', 'village_code'), ('registry_versions', 'prev_village_code'))`,
        );
      expect((await collations()).map((c) => c.collation_name)).toEqual([null, null, null]);
      await store.withTransaction((tx) => new RegistryProjection().setup(tx));
      expect((await collations()).map((c) => c.collation_name)).toEqual(['C', 'C', 'C']);
      expect(await dumpTables(store.executor)).toEqual(before);
      const q = new RegistryQueries(store.executor, store);
      expect((await q.search({ scopes: ['NATIONAL'], kkNumber: KK.h1New })).items).toHaveLength(1);
    });

    it('gives an older registry its table of NIK digests in place of the array and its GIN index', async () => {
      const before = await dumpTables(store.executor);
      expect(before.registry_household_niks!.length).toBeGreaterThan(0);
      // The older shape: each row's digests in an array (removed members' too), a GIN index over it, no table.
      await store.withTransaction(async (tx) => {
        await tx.query('ALTER TABLE registry_households ADD COLUMN nik_hmacs text[]');
        await tx.query(`UPDATE registry_households h SET nik_hmacs = COALESCE(
          (SELECT array_agg(n.nik_hmac ORDER BY n.nik_hmac) FROM registry_household_niks n
            WHERE n.household_id = h.household_id), '{}')`);
        await tx.query('ALTER TABLE registry_households ALTER COLUMN nik_hmacs SET NOT NULL');
        await tx.query('DROP TABLE registry_household_niks');
        await tx.query('CREATE INDEX registry_households_nik ON registry_households USING gin (nik_hmacs)');
      });
      await store.withTransaction((tx) => new RegistryProjection().setup(tx));
      expect(await dumpTables(store.executor)).toEqual(before);
      const columns = await store.executor.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'registry_households'`,
      );
      expect(columns.map((c) => c.column_name)).not.toContain('nik_hmacs');
      const indexes = await store.executor.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename IN ('registry_households', 'registry_household_niks')
          ORDER BY indexname`,
      );
      expect(indexes.map((i) => i.indexname)).not.toContain('registry_households_nik');
      expect(indexes.map((i) => i.indexname)).toContain('registry_household_niks_nik');
      const q = new RegistryQueries(store.executor, store);
      expect((await q.search({ scopes: ['3515'], nik: PEOPLE.ahmad.nik })).items).toHaveLength(1);
    });
  });
}
