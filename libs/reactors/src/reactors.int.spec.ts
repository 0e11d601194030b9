import { CommandPipeline, deterministicId } from '@muskel/application';
import {
  householdDecider,
  householdStreamName,
  meetingStreamName,
  proposalDecider,
  proposalStreamName,
  type Actor,
  type Attendee,
  type HouseholdCommand,
  type ProposalContent,
  type ProposalKind,
} from '@muskel/domain';
import type { EventStore, RecordedEvent } from '@muskel/event-store';
import { catchUpReactors, resetReactorCheckpoints } from './catch-up';
import { SYSTEM_ACTOR, listReactorFailures } from './reactor-support';
import { MEETING_REACTOR, REACTOR_NAMES, createReactors, householdIdForProposal } from './reactors';
import { pgliteFactory, postgresFactory, withoutTransactionalAppends, type StoreFactory } from './testing/test-stores';
import { WorkflowDriver as Workflow } from './workflow-driver';

const VILLAGE = '3515142001';
const OTHER_VILLAGE = '3515142002';
const REGENCY = '3515';
const DAY = '2026-11-10';
const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: VILLAGE };
const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: REGENCY };
const ATTENDEES: Attendee[] = [
  { name: 'Kepala Desa Contoh', role: 'KEPALA_DESA' },
  { name: 'Sekretaris Contoh', role: 'SECRETARY' },
  { name: 'Ketua RT Contoh', role: 'RT' },
  { name: 'Ketua RW Contoh', role: 'RW' },
  { name: 'Pendamping Contoh', role: 'PKH_FACILITATOR' },
];
const DIGEST = `sha256:${'e5'.repeat(32)}`;
const death = { reason: 'DECEASED' as const, evidence: [{ kind: 'DEATH_CERTIFICATE' as const, digest: DIGEST }] };

// Synthetic people: invented names, NIKs of valid structure (351514 + ddmmyy + serial).
const person = (
  nik: string,
  name: string,
  sex: 'M' | 'F',
  birthDate: string,
  relationship: 'HEAD' | 'SPOUSE' | 'CHILD',
) => ({
  nik,
  name,
  sex,
  birthDate,
  relationship,
});

const id = (name: string) => deterministicId('reactors-int', name);
const P = {
  add: id('p-add'),
  correct: id('p-correct'),
  removeMember: id('p-remove-member'),
  deactivate: id('p-deactivate'),
  relocate: id('p-relocate'),
  addMember: id('p-add-member'),
  rejected: id('p-rejected'),
  deferred: id('p-deferred'),
  doomed: id('p-doomed'),
  refusedByPusdatin: id('p-refused-by-pusdatin'),
};
const H = { a: id('h-a'), b: id('h-b'), c: id('h-c'), d: id('h-d') };
const M = { bHead: id('m-b-head'), bSpouse: id('m-b-spouse') };
const MEETING = id('meeting');

/** Counted in SQL: readAll sees only settled events, which another suite's open transaction can hold back. */
async function countEvents(store: EventStore): Promise<number> {
  const [row] = await store.withTransaction((tx) =>
    tx.query<{ count: string | number }>('SELECT count(*) AS count FROM es_events'),
  );
  return Number(row?.count ?? 0);
}

/** Events of one type, read in SQL for the same reason. */
async function eventsOfType(
  store: EventStore,
  type: string,
): Promise<Pick<RecordedEvent, 'id' | 'data' | 'metadata'>[]> {
  const rows = await store.withTransaction((tx) =>
    tx.query<{ id: string; data: RecordedEvent['data']; metadata: RecordedEvent['metadata'] }>(
      'SELECT event_id::text AS id, data, metadata FROM es_events WHERE event_type = $1 ORDER BY global_position',
      [type],
    ),
  );
  return rows;
}

async function enrolBaseline(pipeline: CommandPipeline): Promise<void> {
  const context = {
    actor: SYSTEM_ACTOR,
    correlationId: 'baseline',
    causationId: 'baseline',
    occurredAt: `${DAY}T07:00:00+07:00`,
  };
  const enrol = (householdId: string, kk: string, members: object[]): HouseholdCommand => ({
    type: 'EnrolHousehold',
    data: {
      householdId,
      source: 'BASELINE_IMPORT',
      importId: id('import'),
      villageCode: VILLAGE,
      address: 'Dusun Krajan',
      rt: '001',
      rw: '002',
      kkNumber: kk,
      members: members as never,
    },
    metadata: { actor: SYSTEM_ACTOR, occurredAt: context.occurredAt },
  });
  const head = (memberId: string, nik: string) => ({
    memberId,
    ...person(nik, 'Kepala Contoh', 'M', '1970-01-01', 'HEAD'),
  });
  await pipeline.execute(
    householdStreamName(H.a),
    householdDecider,
    enrol(H.a, '3515140101200001', [head(id('m-a'), '3515140101700001')]),
    context,
  );
  await pipeline.execute(
    householdStreamName(H.b),
    householdDecider,
    enrol(H.b, '3515140101200002', [
      head(M.bHead, '3515140101700002'),
      { memberId: M.bSpouse, ...person('3515144202720003', 'Istri Contoh', 'F', '1972-02-02', 'SPOUSE') },
    ]),
    context,
  );
  await pipeline.execute(
    householdStreamName(H.c),
    householdDecider,
    enrol(H.c, '3515140101200003', [head(id('m-c'), '3515140101700004')]),
    context,
  );
  await pipeline.execute(
    householdStreamName(H.d),
    householdDecider,
    enrol(H.d, '3515140101200004', [head(id('m-d'), '3515140101700005')]),
    context,
  );
}

function describeReactors(factory: () => StoreFactory): void {
  const stores = factory();
  let store: EventStore;
  let pipeline: CommandPipeline;
  let workflow: Workflow;

  beforeAll(async () => {
    store = await stores.open();
    pipeline = new CommandPipeline(store);
    workflow = new Workflow(pipeline);
  }, 120_000);
  afterAll(() => stores.dispose());

  const state = async (proposalId: string) =>
    (await pipeline.fold(proposalStreamName(proposalId), proposalDecider)).state;
  const household = async (householdId: string) =>
    (await pipeline.fold(householdStreamName(householdId), householdDecider)).state;

  it('carries a meeting, a batch and Pusdatin results through to the registry, replay-safe', async () => {
    await enrolBaseline(pipeline);
    const submit = (proposalId: string, kind: ProposalKind, content: ProposalContent) =>
      workflow.submit(operator, `${DAY}T07:30:00+07:00`, { proposalId, kind, villageCode: VILLAGE, ...content });
    await submit(P.add, 'ADD', {
      household: {
        address: 'Dusun Baru',
        rt: '003',
        rw: '001',
        kkNumber: '3515140101210009',
        members: [person('3515140505800006', 'Calon Kepala', 'M', '1980-05-05', 'HEAD')],
      },
    });
    await submit(P.correct, 'CORRECT', { householdId: H.a, changes: { address: 'Dusun Krajan Timur', rt: '004' } });
    await submit(P.removeMember, 'REMOVE', { householdId: H.b, removal: { ...death, memberId: M.bSpouse } });
    await submit(P.deactivate, 'REMOVE', { householdId: H.c, removal: death });
    await submit(P.relocate, 'RELOCATE', { householdId: H.d, targetVillageCode: OTHER_VILLAGE });
    await submit(P.addMember, 'CORRECT', {
      householdId: H.a,
      changes: { members: 'birth of a child' },
      memberToAdd: person('3515145502250007', 'Bayi Contoh', 'F', '2025-02-15', 'CHILD'),
    });
    await submit(P.rejected, 'REMOVE', { householdId: H.a, removal: death });
    await submit(P.deferred, 'REMOVE', { householdId: H.b, removal: death });
    await submit(P.doomed, 'REMOVE', { householdId: H.b, removal: { ...death, memberId: 'no-such-member' } });
    await submit(P.refusedByPusdatin, 'REMOVE', { householdId: H.a, removal: death });

    const approved = [
      P.add,
      P.correct,
      P.removeMember,
      P.deactivate,
      P.relocate,
      P.addMember,
      P.doomed,
      P.refusedByPusdatin,
    ];
    await workflow.holdMeeting(
      operator,
      { meetingId: MEETING, villageCode: VILLAGE, kind: 'MUSDES', date: DAY },
      [
        ...approved.map((proposalId) => ({
          proposalId,
          decision: 'APPROVED' as const,
          reason: 'Eligible by consensus',
        })),
        { proposalId: P.rejected, decision: 'REJECTED', reason: 'Still alive, seen at the meeting' },
        { proposalId: P.deferred, decision: 'DEFERRED', reason: 'Evidence to be checked' },
      ],
      ATTENDEES,
    );

    const reactors = createReactors(pipeline, store);
    // A crash after the commands but before the checkpoint: the meeting reactor applies the event once by hand,
    // then the runner applies it again from its (empty) checkpoint. Nothing is written twice.
    const [concludedRow] = await eventsOfType(store, 'MeetingConcluded');
    let concluded: RecordedEvent | undefined;
    for await (const event of store.readStream(meetingStreamName(MEETING)))
      if (event.id === concludedRow!.id) concluded = event;
    const meetingReactor = reactors.find((reactor) => reactor.name === MEETING_REACTOR)!;
    await store.withTransaction((tx) => meetingReactor.setup(tx));
    await store.withTransaction((tx) => meetingReactor.apply(concluded!, tx));
    const afterFirst = await countEvents(store);
    await store.withTransaction((tx) => meetingReactor.apply(concluded!, tx));
    expect(await countEvents(store)).toBe(afterFirst);

    await catchUpReactors(store, reactors, CATCH_UP);
    for (const proposalId of approved) expect((await state(proposalId)).status).toBe('APPROVED');
    expect((await state(P.rejected)).status).toBe('REJECTED_BY_VILLAGE');
    expect((await state(P.deferred)).status).toBe('WAITING');
    const deliberated = await eventsOfType(store, 'ProposalDeliberated');
    expect(deliberated).toHaveLength(10);
    for (const event of deliberated) {
      expect(event.data['recordedBy']).toBe(operator.userId);
      expect(event.metadata).toMatchObject({
        causationId: concluded!.id,
        correlationId: concluded!.metadata['correlationId'],
        occurredAt: concluded!.metadata['occurredAt'],
        actor: { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' },
      });
    }

    const verifyAt = '2026-11-12T10:00:00+07:00';
    for (const proposalId of approved) {
      const { kind } = await state(proposalId);
      await workflow.verify(verifier, verifyAt, proposalId, kind === 'ADD' || kind === 'RELOCATE');
    }
    const batch = await workflow.submitBatch(
      verifier,
      { regencyCode: REGENCY, period: '2026-11', date: '2026-11-20' },
      approved,
    );
    await catchUpReactors(store, reactors, CATCH_UP);
    for (const proposalId of approved) expect((await state(proposalId)).status).toBe('SENT');

    await workflow.recordResults(
      verifier,
      '2026-11-25T10:00:00+07:00',
      batch,
      approved.map((proposalId) =>
        proposalId === P.refusedByPusdatin
          ? { proposalId, outcome: 'REJECTED' as const, reason: 'Already covered by another programme' }
          : { proposalId, outcome: 'ACCEPTED' as const, decreeRef: 'SK-3515/2026/11' },
      ),
    );
    await catchUpReactors(store, reactors, CATCH_UP);
    const accepted = approved.filter((proposalId) => proposalId !== P.refusedByPusdatin);
    for (const proposalId of accepted) expect((await state(proposalId)).status).toBe('ACCEPTED');
    expect(await state(P.refusedByPusdatin)).toMatchObject({ status: 'REJECTED', rejectionStage: 'PUSDATIN' });

    const added = await household(householdIdForProposal(P.add));
    expect(added.status).toBe('ACTIVE');
    expect(added.source).toBe('PROPOSAL');
    expect(added.appliedProposals).toEqual([P.add]);
    const a = await household(H.a);
    expect(a.status).toBe('ACTIVE'); // Pusdatin refused its removal
    expect(a.location).toMatchObject({ address: 'Dusun Krajan Timur', rt: '004' });
    expect(Object.values(a.members).filter((member) => member.status === 'ACTIVE')).toHaveLength(2);
    expect(a.appliedProposals).toEqual([P.correct, P.addMember]);
    expect((await household(H.b)).members[M.bSpouse]?.status).toBe('REMOVED');
    expect((await household(H.c)).status).toBe('INACTIVE');
    expect((await household(H.d)).location?.villageCode).toBe(OTHER_VILLAGE);

    // A refusal does not block the reactor: recorded, without personal data, and the others went on.
    const failures = await listReactorFailures(store);
    expect(failures).toEqual([
      expect.objectContaining({ reactor: 'reactor-registry-changes', target: P.doomed, code: 'MEMBER_NOT_FOUND' }),
    ]);

    // Replaying every reactor from the start appends nothing.
    const before = await countEvents(store);
    await resetReactorCheckpoints(store, REACTOR_NAMES);
    await catchUpReactors(store, reactors, CATCH_UP);
    expect(await countEvents(store)).toBe(before);
    expect(await listReactorFailures(store)).toHaveLength(1);
  }, 400_000);
}

/**
 * The log is read below the oldest transaction open anywhere on the server: while other suites run beside this one
 * on the same PostgreSQL, a catch-up can wait far longer than on a quiet machine.
 */
const CATCH_UP = { timeoutMs: 150_000 };
describe('reactors on PGlite', () => describeReactors(pgliteFactory));
describe('reactors on PostgreSQL', () => describeReactors(postgresFactory));
// What KurrentDB changes for the reactors: their appends cannot join the checkpoint's transaction. PostgreSQL, not
// PGlite: appends outside the open transaction need a second connection.
describe('reactors on PostgreSQL without appends in transactions (as on KurrentDB)', () =>
  describeReactors(() => withoutTransactionalAppends(postgresFactory())));
