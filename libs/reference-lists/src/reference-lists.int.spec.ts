/**
 * Reference lists on PGlite (and one run through a real Redis queue): the import's row-by-row report, storage by
 * keyed NIK index only, refusal of the same file twice, and matching on generated data with planted matches:
 * every planted match is found (flags on pending proposals, CROSS_CHECK removals on active households, Dukcapil
 * results on households), nothing else is, and running the job again records nothing new.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Worker, type ConnectionOptions } from 'bullmq';
import { CommandPipeline, ProjectionRunner, type CommandContext } from '@muskel/application';
import {
  householdDecider,
  householdStreamName,
  proposalDecider,
  proposalStreamName,
  type Actor,
  type HouseholdCommand,
  type ProposalCommand,
  type ReferenceSource,
} from '@muskel/domain';
import { createPgliteEventStore, type RecordedEvent, type SqlEventStore } from '@muskel/event-store';
import {
  BullJobSink,
  IdentityCheckService,
  JobDispatcher,
  QUEUES,
  jobIdFor,
  setupIdentityCheckTables,
} from '@muskel/jobs';
import { createProjections } from '@muskel/projections';
import {
  DuplicateReferenceImportError,
  ReferenceFileFormatError,
  ReferenceMatchingService,
  crossCheckProposalId,
  importReferenceList,
  syntheticReferenceList,
} from './index';

const VILLAGE = '3515142001';
const system: Actor = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' };
const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: VILLAGE };
const REDIS: ConnectionOptions = {
  url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  maxRetriesPerRequest: null,
};

const context = (actor: Actor): CommandContext => {
  const id = randomUUID();
  return { actor, correlationId: id, causationId: id, occurredAt: new Date().toISOString() };
};

/** A seeded generator (mulberry32): the same data on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct, structurally valid synthetic NIKs (district 351514, dates in 1950-1999, serials counting up). */
let serial = 0;
function nik(random: () => number): string {
  serial++;
  const day = 1 + Math.floor(random() * 28) + (random() < 0.5 ? 40 : 0);
  const month = 1 + Math.floor(random() * 12);
  const year = 50 + Math.floor(random() * 50);
  const two = (n: number) => String(n).padStart(2, '0');
  return `351514${two(day)}${two(month)}${two(year)}${String(serial).padStart(4, '0')}`;
}

const csv = (lines: Iterable<string>) => Readable.from([...lines].join(''));

interface Harness {
  dir: string;
  store: SqlEventStore;
  pipeline: CommandPipeline;
  runners: ProjectionRunner[];
  sink: BullJobSink;
  prefix: string;
}

async function harness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-reference-'));
  const store = await createPgliteEventStore({ dataDir: dir });
  await store.init();
  const prefix = `muskel-test-${randomUUID()}`;
  const sink = new BullJobSink(REDIS, prefix);
  const runners = [...createProjections(), new JobDispatcher(sink, { reconcileAfterSeconds: 300 })].map(
    (projection) => new ProjectionRunner(store, projection, { leaseTtlMs: 2000 }),
  );
  for (const runner of runners) await runner.setup();
  await setupIdentityCheckTables(store.executor);
  for (const runner of runners) runner.start();
  return { dir, store, pipeline: new CommandPipeline(store), runners, sink, prefix };
}

async function teardown(h: Harness | undefined): Promise<void> {
  if (!h) return;
  await Promise.all(h.runners.map((runner) => runner.stop()));
  await h.sink
    .queue(QUEUES.referenceMatching)
    .obliterate({ force: true })
    .catch(() => undefined);
  await h.sink
    .queue(QUEUES.identityChecks)
    .obliterate({ force: true })
    .catch(() => undefined);
  await h.sink.close();
  await h.store.close();
  fs.rmSync(h.dir, { recursive: true, force: true });
}

async function settle(h: Harness, position: string): Promise<void> {
  for (const runner of h.runners) {
    if (!(await runner.waitFor(position, 30_000))) throw new Error('projections did not catch up');
  }
}

const RELATIONSHIPS = ['HEAD', 'SPOUSE', 'CHILD', 'CHILD'] as const;

async function enrol(
  h: Harness,
  niks: string[],
): Promise<{ householdId: string; memberIds: string[]; position: string }> {
  const householdId = randomUUID();
  const memberIds = niks.map(() => randomUUID());
  const command: HouseholdCommand = {
    type: 'EnrolHousehold',
    data: {
      householdId,
      source: 'BASELINE_IMPORT',
      importId: 'baseline-test',
      villageCode: VILLAGE,
      address: 'Jl. Terdaftar 1',
      rt: '001',
      rw: '001',
      kkNumber: `3515140101${String(100000 + serial++).slice(-6)}`,
      members: niks.map((value, i) => ({
        memberId: memberIds[i]!,
        nik: value,
        name: `Terdaftar ${i}`,
        sex: 'M' as const,
        birthDate: '1968-08-05',
        relationship: RELATIONSHIPS[i] ?? 'CHILD',
      })),
    },
    metadata: { actor: system, occurredAt: new Date().toISOString() },
  };
  const result = await h.pipeline.execute(householdStreamName(householdId), householdDecider, command, context(system));
  return { householdId, memberIds, position: result.position };
}

async function submitAdd(h: Harness, niks: string[]): Promise<{ proposalId: string; position: string }> {
  const proposalId = randomUUID();
  const command: ProposalCommand = {
    type: 'SubmitProposal',
    data: {
      proposalId,
      kind: 'ADD',
      villageCode: VILLAGE,
      channel: 'RT_RW',
      household: {
        address: 'Jl. Uji 1',
        rt: '001',
        rw: '001',
        kkNumber: `3515140101${String(200000 + serial++).slice(-6)}`,
        members: niks.map((value, i) => ({
          nik: value,
          name: `Warga ${i}`,
          sex: 'M' as const,
          birthDate: '1968-08-05',
          relationship: RELATIONSHIPS[i] ?? 'CHILD',
        })),
      },
    },
    metadata: { actor: operator, occurredAt: new Date().toISOString() },
  };
  const result = await h.pipeline.execute(proposalStreamName(proposalId), proposalDecider, command, context(operator));
  return { proposalId, position: result.position };
}

async function allEvents(h: Harness): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of h.store.readAll()) events.push(event);
  return events;
}

async function streamEvents(h: Harness, stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of h.store.readStream(stream)) events.push(event);
  return events;
}

async function importList(h: Harness, source: ReferenceSource, lines: Iterable<string>, fileName = 'list.csv') {
  return importReferenceList(h.store, csv(lines), { source, fileName, actor: system });
}

describe('reference lists (PGlite)', () => {
  // One store for the suite (setting PGlite up is the slow part); each test's data is its own.
  let h: Harness | undefined;

  beforeAll(async () => {
    h = await harness();
  }, 120_000);

  afterAll(async () => {
    await teardown(h);
    h = undefined;
  });

  it('reports every bad row (row, column, reason), stores good rows by keyed index only, refuses the same file twice', async () => {
    if (!h) throw new Error('no harness');
    const lines = [
      'NIK,NIP,Nama\n',
      '3515140508680001,198001012005011001,Budi\n',
      '12345,198001012005011002,Salah\n',
      '3515140513680001,198001012005011003,Bulan salah\n',
      '3515144508680002,,Tanpa NIP\n',
      '3515144508680003,198001012005011005,Siti\n',
    ];
    const report = await importList(h, 'BKN', lines, 'bkn.csv');
    expect(report).toMatchObject({
      source: 'BKN',
      fileName: 'bkn.csv',
      rows: 5,
      accepted: 2,
      rejected: 3,
      errorCount: 3,
    });
    expect(report.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(report.errors.map((e) => [e.row, e.column])).toEqual([
      [3, 'nik'],
      [4, 'nik'],
      [5, 'nip'],
    ]);
    expect(report.errors[2]!.code).toBe('MISSING_VALUE');
    const rows = await h.store.executor.query<{ row_number: number; nik_hmac: string; reference: string }>(
      'SELECT row_number, nik_hmac, reference FROM reference_entries ORDER BY row_number',
    );
    expect(rows.map((r) => [r.row_number, r.reference])).toEqual([
      [2, '198001012005011001'],
      [6, '198001012005011005'],
    ]);
    // No NIK and no name anywhere in the stored rows or the event: keyed hashes and the list's references only.
    expect(JSON.stringify(rows)).not.toMatch(/3515140508680001|3515144508680003|Budi|Siti/);
    const [imported] = await streamEvents(h, `reference-import-${report.importId}`);
    expect(imported).toMatchObject({
      type: 'ReferenceListImported',
      data: { source: 'BKN', rows: 5, accepted: 2, rejected: 3, fileDigest: report.digest, importedBy: 'system' },
    });
    expect(JSON.stringify(imported!.data)).not.toMatch(/\d{16}/);

    await expect(importList(h, 'BKN', lines)).rejects.toBeInstanceOf(DuplicateReferenceImportError);
    // The same bytes as another list would be another import; these lack its columns.
    await expect(importList(h, 'AHU', lines)).rejects.toBeInstanceOf(ReferenceFileFormatError);
    const [count] = await h.store.executor.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM reference_entries WHERE source = $1',
      ['BKN'],
    );
    expect(count!.n).toBe('2');
  });

  it('matching: every planted match is found, nothing else, and a second run records nothing new', async () => {
    if (!h) throw new Error('no harness');
    const random = seeded(6);
    // The registry: 40 households of 1 to 4 members; 6 of them get a listed member (one household twice).
    const households: { householdId: string; niks: string[] }[] = [];
    let position = '';
    for (let i = 0; i < 40; i++) {
      const niks = Array.from({ length: 1 + Math.floor(random() * 4) }, () => nik(random));
      const enrolled = await enrol(h, niks);
      households.push({ householdId: enrolled.householdId, niks });
      position = enrolled.position;
    }
    // Pending proposals: 12 ADDs; 4 get a listed member (one of them two).
    const proposals: { proposalId: string; niks: string[] }[] = [];
    for (let i = 0; i < 12; i++) {
      const niks = Array.from({ length: 1 + Math.floor(random() * 3) }, () => nik(random));
      const submitted = await submitAdd(h, niks);
      proposals.push({ proposalId: submitted.proposalId, niks });
      position = submitted.position;
    }
    await settle(h, position);
    const identity = new IdentityCheckService(h.pipeline, h.store.executor);
    for (const { proposalId } of proposals) {
      const [submitted] = await streamEvents(h, proposalStreamName(proposalId));
      await identity.run({ proposalId, contentEventId: submitted!.id });
    }

    const plantedHouseholds = [
      households[3]!,
      households[8]!,
      households[15]!,
      households[22]!,
      households[30]!,
      households[39]!,
    ];
    const plantedProposals = [proposals[1]!, proposals[4]!, proposals[7]!, proposals[11]!];
    const listed: string[] = [];
    for (const household of plantedHouseholds) listed.push(household.niks[household.niks.length - 1]!);
    listed.push(plantedHouseholds[0]!.niks[0]!);
    const expectedEvidence = new Map<string, string[]>();
    for (const proposal of plantedProposals) {
      const member = proposal.niks.length - 1;
      listed.push(proposal.niks[member]!);
      expectedEvidence.set(proposal.proposalId, [`anggota ${member + 1}: BKN`]);
    }
    listed.push(plantedProposals[0]!.niks[0]!);
    if (plantedProposals[0]!.niks.length > 1)
      expectedEvidence.get(plantedProposals[0]!.proposalId)!.unshift('anggota 1: BKN');
    // Decoys: NIKs on neither the registry nor a proposal.
    for (let i = 0; i < 200; i++) listed.push(nik(random));
    const shuffled = listed
      .map((value) => ({ value, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.value);
    const report = await importList(h, 'BKN', syntheticReferenceList('BKN', shuffled, { referencePrefix: 'NIP-' }));
    expect(report.accepted).toBe(listed.length);

    const service = new ReferenceMatchingService(h.pipeline, h.store.executor);
    const progress: number[] = [];
    const result = await service.run(report.importId, (p) => void progress.push(p.phase));
    expect(result).toEqual({
      outcome: 'MATCHED',
      proposalMatches: plantedProposals.length,
      flagsRaised: plantedProposals.length,
      registryMatches: plantedHouseholds.length + 1,
      removalProposalsOpened: plantedHouseholds.length,
      householdResultsRecorded: 0,
    });
    expect(progress).toContain(1);
    expect(progress).toContain(3);

    const events = await allEvents(h);
    const flags = events.filter(
      (e) => e.type === 'FlagRaised' && (e.data as { code: string }).code === 'CIVIL_SERVANT_MATCH',
    );
    expect(new Set(flags.map((e) => e.streamName.slice('proposal-'.length)))).toEqual(
      new Set(plantedProposals.map((p) => p.proposalId)),
    );
    for (const flag of flags) {
      const data = flag.data as { severity: string; source: string; evidence: string };
      expect(data).toMatchObject({ severity: 'BLOCKING', source: 'BKN' });
      const wanted = expectedEvidence.get(flag.streamName.slice('proposal-'.length))!;
      expect(data.evidence.split('; ').map((part) => part.replace(/ NIP-\d+$/, ''))).toEqual(wanted);
    }
    const removals = events.filter(
      (e) =>
        e.type === 'ProposalSubmitted' &&
        (e.data as { channel: string }).channel === 'CROSS_CHECK' &&
        e.metadata.correlationId === report.importId,
    );
    expect(new Set(removals.map((e) => (e.data as { householdId: string }).householdId))).toEqual(
      new Set(plantedHouseholds.map((p) => p.householdId)),
    );
    for (const removal of removals) {
      const data = removal.data as {
        householdId: string;
        kind: string;
        villageCode: string;
        removal: { reason: string; evidence: { kind: string }[]; memberId?: string };
      };
      expect(removal.streamName).toBe(proposalStreamName(crossCheckProposalId('BKN', data.householdId)));
      expect(data).toMatchObject({ kind: 'REMOVE', villageCode: VILLAGE, removal: { reason: 'CIVIL_SERVANT' } });
      expect(data.removal.memberId).toBeUndefined();
      expect(data.removal.evidence.every((item) => item.kind === 'BKN_MATCH')).toBe(true);
    }
    expect(JSON.stringify(removals.map((e) => e.data))).not.toMatch(/\d{16}/);
    expect(events.filter((e) => e.type === 'ReferenceMatchingRecorded')).toHaveLength(1);

    // Running the job again (a retry, the reconciler) records nothing.
    expect(await service.run(report.importId)).toEqual({ outcome: 'SKIPPED', reason: 'ALREADY_MATCHED' });
    expect(await allEvents(h)).toHaveLength(events.length);

    // A proposal submitted after the import is flagged by its identity check.
    const late = proposals[2]!.niks.length > 0 ? nik(random) : nik(random);
    const second = await importList(
      h,
      'DUKCAPIL_DEATHS',
      syntheticReferenceList('DUKCAPIL_DEATHS', [late], { referencePrefix: 'AKTA-' }),
    );
    await service.run(second.importId);
    const submitted = await submitAdd(h, [late]);
    await settle(h, submitted.position);
    const [content] = await streamEvents(h, proposalStreamName(submitted.proposalId));
    await identity.run({ proposalId: submitted.proposalId, contentEventId: content!.id });
    const lateFlags = (await streamEvents(h, proposalStreamName(submitted.proposalId))).filter(
      (e) => e.type === 'FlagRaised' && (e.data as { code: string }).code === 'DECEASED_MATCH',
    );
    expect(lateFlags.map((e) => e.data)).toEqual([
      {
        code: 'DECEASED_MATCH',
        severity: 'BLOCKING',
        source: 'IDENTITY_CHECK',
        evidence: 'anggota 1: DUKCAPIL_DEATHS AKTA-0',
      },
    ]);
  });

  it('deaths remove the member (the spouse becomes HEAD) or the whole household; Dukcapil results are recorded', async () => {
    if (!h) throw new Error('no harness');
    const random = seeded(7);
    const couple = [nik(random), nik(random)];
    const single = [nik(random)];
    const a = await enrol(h, couple);
    const b = await enrol(h, single);
    const pending = await submitAdd(h, [nik(random)]);
    await settle(h, pending.position);
    const [content] = await streamEvents(h, proposalStreamName(pending.proposalId));
    await new IdentityCheckService(h.pipeline, h.store.executor).run({
      proposalId: pending.proposalId,
      contentEventId: content!.id,
    });

    const service = new ReferenceMatchingService(h.pipeline, h.store.executor);
    const deaths = await importList(
      h,
      'DUKCAPIL_DEATHS',
      syntheticReferenceList('DUKCAPIL_DEATHS', [couple[0]!, single[0]!]),
    );
    expect(await service.run(deaths.importId)).toMatchObject({ removalProposalsOpened: 2, registryMatches: 2 });
    const head = await streamEvents(
      h,
      proposalStreamName(crossCheckProposalId('DUKCAPIL_DEATHS', a.householdId, a.memberIds[0])),
    );
    expect(head[0]!.data).toMatchObject({
      removal: {
        reason: 'DECEASED',
        memberId: a.memberIds[0],
        newHeadMemberId: a.memberIds[1],
        evidence: [{ kind: 'DUKCAPIL_DEATH_MATCH', reference: 'REF-0' }],
      },
    });
    const whole = await streamEvents(h, proposalStreamName(crossCheckProposalId('DUKCAPIL_DEATHS', b.householdId)));
    expect(whole[0]!.data).toMatchObject({ removal: { reason: 'DECEASED' } });
    expect((whole[0]!.data as { removal: { memberId?: string } }).removal.memberId).toBeUndefined();

    const pendingNik = (await h.pipeline.fold(proposalStreamName(pending.proposalId), proposalDecider)).state.content
      .household!.members[0]!.nik;
    const results = await importList(h, 'DUKCAPIL_RESULTS', [
      'nik,result,reference\n',
      `${couple[1]!},Tidak Padan,DKC-1\n`,
      `${single[0]!},padan,DKC-2\n`,
      `${pendingNik},TIDAK_PADAN,DKC-3\n`,
      `${nik(random)},maybe,DKC-4\n`,
    ]);
    expect(results).toMatchObject({
      accepted: 3,
      rejected: 1,
      errors: [{ row: 5, column: 'result', code: 'INVALID_RESULT' }],
    });
    expect(await service.run(results.importId)).toMatchObject({
      flagsRaised: 1,
      householdResultsRecorded: 2,
      removalProposalsOpened: 0,
    });
    const household = await streamEvents(h, householdStreamName(a.householdId));
    expect(household.at(-1)).toMatchObject({
      type: 'DukcapilMatchRecorded',
      data: { memberId: a.memberIds[1], result: 'TIDAK_PADAN', reference: 'DKC-1', importId: results.importId },
    });
    const flagged = (await streamEvents(h, proposalStreamName(pending.proposalId))).filter(
      (e) => e.type === 'FlagRaised' && (e.data as { source: string }).source !== 'IDENTITY_CHECK',
    );
    expect(flagged.map((e) => e.data)).toEqual([
      {
        code: 'DUKCAPIL_UNMATCHED',
        severity: 'BLOCKING',
        source: 'DUKCAPIL_RESULTS',
        evidence: 'anggota 1: DUKCAPIL_RESULTS DKC-3',
      },
    ]);
  });

  it('through the queue: the dispatcher enqueues one matching per import and its result closes the expectation', async () => {
    if (!h) throw new Error('no harness');
    const random = seeded(8);
    const member = nik(random);
    const enrolled = await enrol(h, [member]);
    await settle(h, enrolled.position);
    const service = new ReferenceMatchingService(h.pipeline, h.store.executor);
    const harnessRef = h;
    const worker = new Worker(
      QUEUES.referenceMatching,
      (job) => service.run((job.data as { importId: string }).importId, (p) => job.updateProgress({ ...p })),
      { connection: REDIS, prefix: h.prefix, concurrency: 1 },
    );
    try {
      const report = await importList(
        h,
        'AHU',
        syntheticReferenceList('AHU', [member, nik(random)], { referencePrefix: 'AHU-' }),
      );
      const jobId = jobIdFor(QUEUES.referenceMatching, report.importId);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [row] = await harnessRef.store.executor.query<{ outcome: string | null }>(
          'SELECT outcome FROM job_expectations WHERE queue = $1 AND job_id = $2',
          [QUEUES.referenceMatching, jobId],
        );
        if (row?.outcome === 'DONE') break;
        if (Date.now() > deadline) throw new Error('the matching was not recorded in time');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const job = await h.sink.queue(QUEUES.referenceMatching).getJob(jobId);
      expect(job?.data).toEqual({ importId: report.importId });
      expect(job?.progress).toEqual({ phase: 3, done: 1, total: 1 });
      const opened = await streamEvents(h, proposalStreamName(crossCheckProposalId('AHU', enrolled.householdId)));
      expect(opened[0]!.data).toMatchObject({ channel: 'CROSS_CHECK', removal: { reason: 'COMPANY_OFFICER' } });
    } finally {
      await worker.close();
    }
  });
});
