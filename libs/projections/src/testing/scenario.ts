/**
 * A small, well-formed history for the projection tests: baseline households, proposals of every kind through a
 * meeting, verification, a batch and Pusdatin's results, and the registry changes they cause. Test data only: the
 * NIKs, KK numbers and names are made up.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject } from '@muskel/event-store';

export const VILLAGE_A = '3515140001';
export const VILLAGE_B = '3515140002';
export const VILLAGE_OTHER = '3201010001';

export const PEOPLE = {
  siti: { nik: '3515144508680002', name: 'Siti Aminah', birthDate: '1968-08-05', sex: 'F' },
  ahmad: { nik: '3515140508680001', name: 'Ahmad Subagio', birthDate: '1968-08-05', sex: 'M' },
  budi: { nik: '3515141201900003', name: 'Budi Santoso', birthDate: '1990-01-12', sex: 'M' },
  dewi: { nik: '3515145503950004', name: 'Dewi Lestari', birthDate: '1995-03-15', sex: 'F' },
  eko: { nik: '3201010101800005', name: 'Eko Prasetyo', birthDate: '1980-01-01', sex: 'M' },
} as const;

export const KK = { h1: '3515140101100001', h1New: '3515140101250009', h2: '3515140202110002', h3: '3515140303250003' };

export interface Scenario {
  households: { h1: string; h2: string; h3: string };
  members: { siti: string; ahmad: string; budi: string; dewi: string };
  proposals: { add: string; remove: string; relocate: string; correct: string; other: string; withdrawn: string };
  meetingId: string;
  batchId: string;
  importId: string;
  /** Every stream written, for tests that replay. */
  eventCount: number;
}

const actor = (role: string, userId: string, scope: string) => ({ userId, role, scope });

export async function writeScenario(store: EventStore): Promise<Scenario> {
  const s: Scenario = {
    households: { h1: randomUUID(), h2: randomUUID(), h3: randomUUID() },
    members: { siti: randomUUID(), ahmad: randomUUID(), budi: randomUUID(), dewi: randomUUID() },
    proposals: {
      add: randomUUID(),
      remove: randomUUID(),
      relocate: randomUUID(),
      correct: randomUUID(),
      other: randomUUID(),
      withdrawn: randomUUID(),
    },
    meetingId: randomUUID(),
    batchId: '3515-202502',
    importId: 'import-2025-01',
    eventCount: 0,
  };
  const revisions = new Map<string, number>();
  const emit = async (
    stream: string,
    type: string,
    data: JsonObject,
    occurredAt: string,
    who = actor('SYSTEM', 'system', 'NATIONAL'),
  ) => {
    const revision = revisions.get(stream) ?? -1;
    const id = randomUUID();
    await store.appendToStream(
      stream,
      [
        {
          id,
          type,
          data,
          metadata: { eventId: id, correlationId: id, causationId: id, actor: who, occurredAt, schema: 1 },
        },
      ],
      { expected: revision < 0 ? 'no_stream' : revision },
    );
    revisions.set(stream, revision + 1);
    s.eventCount += 1;
  };
  const operator = actor('VILLAGE_OPERATOR', 'op-1', VILLAGE_A);
  const verifier = actor('VERIFIER', 'ver-1', '3515');
  const hh = (id: string) => `household-${id}`;
  const pr = (id: string) => `proposal-${id}`;
  const member = (id: string, p: (typeof PEOPLE)[keyof typeof PEOPLE], relationship: string) => ({
    memberId: id,
    nik: p.nik,
    name: p.name,
    sex: p.sex,
    birthDate: p.birthDate,
    relationship,
  });

  // Baseline (January).
  await emit(
    hh(s.households.h1),
    'HouseholdEnrolled',
    {
      source: 'BASELINE_IMPORT',
      importId: s.importId,
      householdId: s.households.h1,
      villageCode: VILLAGE_A,
      address: 'Jl. Mawar 1',
      rt: '001',
      rw: '002',
      kkNumber: KK.h1,
      members: [member(s.members.ahmad, PEOPLE.ahmad, 'HEAD'), member(s.members.siti, PEOPLE.siti, 'SPOUSE')],
    },
    '2025-01-10T03:00:00.000Z',
    verifier,
  );
  await emit(
    hh(s.households.h2),
    'HouseholdEnrolled',
    {
      source: 'BASELINE_IMPORT',
      importId: s.importId,
      householdId: s.households.h2,
      villageCode: VILLAGE_A,
      address: 'Jl. Melati 2',
      rt: '003',
      rw: '002',
      kkNumber: KK.h2,
      members: [member(s.members.dewi, PEOPLE.dewi, 'HEAD')],
    },
    '2025-01-10T03:00:01.000Z',
    verifier,
  );

  // Proposals (February).
  const submit = (id: string, kind: string, village: string, extra: JsonObject, at: string) =>
    emit(
      pr(id),
      'ProposalSubmitted',
      { proposalId: id, kind, villageCode: village, channel: 'RT_RW', submittedBy: 'op-1', submittedAt: at, ...extra },
      at,
      operator,
    );
  await submit(
    s.proposals.add,
    'ADD',
    VILLAGE_A,
    {
      household: {
        address: 'Jl. Kenanga 3',
        rt: '004',
        rw: '002',
        kkNumber: KK.h3,
        members: [
          {
            nik: PEOPLE.budi.nik,
            name: PEOPLE.budi.name,
            sex: 'M',
            birthDate: PEOPLE.budi.birthDate,
            relationship: 'HEAD',
          },
        ],
      },
    },
    '2025-02-03T02:00:00.000Z',
  );
  await submit(
    s.proposals.remove,
    'REMOVE',
    VILLAGE_A,
    { householdId: s.households.h1, removal: { reason: 'DECEASED', evidence: [] } },
    '2025-02-04T02:00:00.000Z',
  );
  await submit(
    s.proposals.relocate,
    'RELOCATE',
    VILLAGE_A,
    { householdId: s.households.h2, targetVillageCode: VILLAGE_B },
    '2025-02-04T03:00:00.000Z',
  );
  await submit(
    s.proposals.correct,
    'CORRECT',
    VILLAGE_A,
    { householdId: s.households.h1, changes: { kkNumber: KK.h1New } },
    '2025-02-05T02:00:00.000Z',
  );
  await submit(
    s.proposals.withdrawn,
    'CORRECT',
    VILLAGE_A,
    { householdId: s.households.h2, changes: { rt: '009' } },
    '2025-02-05T03:00:00.000Z',
  );
  await emit(
    pr(s.proposals.withdrawn),
    'ProposalWithdrawn',
    { reason: 'duplicate of another' },
    '2025-02-06T03:00:00.000Z',
    operator,
  );
  await emit(
    pr(s.proposals.other),
    'ProposalSubmitted',
    {
      proposalId: s.proposals.other,
      kind: 'ADD',
      villageCode: VILLAGE_OTHER,
      channel: 'CITIZEN',
      submittedBy: 'op-9',
      submittedAt: '2025-02-07T02:00:00.000Z',
      household: {
        address: 'Jl. Anggrek 9',
        rt: '001',
        rw: '001',
        kkNumber: '3201010101250007',
        members: [
          {
            nik: PEOPLE.eko.nik,
            name: PEOPLE.eko.name,
            sex: 'M',
            birthDate: PEOPLE.eko.birthDate,
            relationship: 'HEAD',
          },
        ],
      },
    },
    '2025-02-07T02:00:00.000Z',
    actor('VILLAGE_OPERATOR', 'op-9', VILLAGE_OTHER),
  );
  await emit(
    pr(s.proposals.other),
    'FlagRaised',
    { code: 'CIVIL_SERVANT_MATCH', severity: 'BLOCKING', source: 'BKN', evidence: 'bkn-match-17' },
    '2025-02-07T04:00:00.000Z',
  );

  // The musyawarah.
  const mt = `meeting-${s.meetingId}`;
  const decided = [s.proposals.add, s.proposals.remove, s.proposals.relocate, s.proposals.correct];
  await emit(
    mt,
    'MeetingScheduled',
    {
      meetingId: s.meetingId,
      villageCode: VILLAGE_A,
      kind: 'MUSKEL',
      scheduledAt: '2025-02-10T01:00:00.000Z',
      venue: 'Balai Kelurahan',
      chair: 'Lurah Hartono',
    },
    '2025-02-06T01:00:00.000Z',
    operator,
  );
  for (const id of decided) {
    await emit(mt, 'AgendaItemAdded', { proposalId: id }, '2025-02-06T02:00:00.000Z', operator);
    await emit(pr(id), 'ProposalTabled', { meetingId: s.meetingId }, '2025-02-06T02:00:00.000Z', operator);
  }
  await emit(
    mt,
    'MeetingOpened',
    {
      openedAt: '2025-02-10T01:05:00.000Z',
      attendees: [
        { name: 'Lurah Hartono', role: 'LURAH' },
        { name: 'Ibu RT Sari', role: 'RT' },
        { name: 'Pak RW Joko', role: 'RW' },
        { name: 'PSM Rina', role: 'PSM' },
        { name: 'TKSK Agus', role: 'TKSK' },
      ],
    },
    '2025-02-10T01:05:00.000Z',
    operator,
  );
  for (const id of decided) {
    await emit(
      mt,
      'DecisionRecorded',
      {
        proposalId: id,
        decision: 'APPROVED',
        reason: 'agreed by the forum',
        votes: { for: 5, against: 0, abstain: 0 },
      },
      '2025-02-10T02:00:00.000Z',
      operator,
    );
  }
  await emit(
    mt,
    'MeetingConcluded',
    {
      minutesDigest: `sha256:${'a'.repeat(64)}`,
      signatories: [{ name: 'Lurah Hartono', role: 'LURAH' }],
      decisions: decided.map((id) => ({ proposalId: id, decision: 'APPROVED', reason: 'agreed by the forum' })),
    },
    '2025-02-10T03:00:00.000Z',
    operator,
  );
  await emit(
    mt,
    'SignedMinutesRecorded',
    { signedCopyDigest: `sha256:${'b'.repeat(64)}` },
    '2025-02-10T05:00:00.000Z',
    operator,
  );
  for (const id of decided) {
    await emit(
      pr(id),
      'ProposalDeliberated',
      {
        meetingId: s.meetingId,
        decision: 'APPROVED',
        reason: 'agreed by the forum',
        votes: { for: 5, against: 0, abstain: 0 },
        recordedBy: 'op-1',
        deliberatedAt: '2025-02-10T03:00:00.000Z',
      },
      '2025-02-10T03:00:00.000Z',
    );
  }

  // Verification and the batch.
  await emit(
    pr(s.proposals.add),
    'FlagRaised',
    { code: 'NIK_REGION_DIFFERS', severity: 'WARNING', source: 'NIK', evidence: 'parse' },
    '2025-02-11T01:00:00.000Z',
  );
  await emit(
    pr(s.proposals.add),
    'FieldVisitRecorded',
    { visitedAt: '2025-02-12T01:00:00.000Z', outcome: 'CONFIRMED', notes: 'house seen', visitedBy: 'pkh-1' },
    '2025-02-12T01:00:00.000Z',
    verifier,
  );
  for (const id of decided) {
    await emit(
      pr(id),
      'ProposalVerified',
      { verifiedBy: 'ver-1', verifiedAt: '2025-02-13T01:00:00.000Z' },
      '2025-02-13T01:00:00.000Z',
      verifier,
    );
  }
  const bt = `batch-${s.batchId}`;
  await emit(
    bt,
    'BatchOpened',
    { regencyCode: '3515', period: '2025-02', cutoffDate: '2025-02-25' },
    '2025-02-01T01:00:00.000Z',
    verifier,
  );
  for (const id of decided) {
    await emit(bt, 'ProposalIncluded', { proposalId: id }, '2025-02-14T01:00:00.000Z', verifier);
    await emit(pr(id), 'ProposalBatched', { batchId: s.batchId }, '2025-02-14T01:00:00.000Z');
  }
  await emit(bt, 'BatchClosed', { closedAt: '2025-02-25T10:00:00.000Z' }, '2025-02-25T10:00:00.000Z', verifier);
  await emit(
    bt,
    'BatchEndorsed',
    {
      endorsedBy: 'Bupati Sidoarjo',
      letterNumber: '460/123/2025',
      signedDate: '2025-02-26',
      documentDigest: `sha256:${'b'.repeat(64)}`,
      recordedBy: 'ver-1',
    },
    '2025-02-26T10:00:00.000Z',
    verifier,
  );
  await emit(
    bt,
    'BatchSubmitted',
    { submittedAt: '2025-02-27T10:00:00.000Z', exportDigest: `sha256:${'c'.repeat(64)}`, submittedBy: 'ver-1' },
    '2025-02-27T10:00:00.000Z',
    verifier,
  );
  for (const id of decided) {
    await emit(
      pr(id),
      'ProposalSentToPusdatin',
      { batchId: s.batchId, sentAt: '2025-02-27T10:00:00.000Z' },
      '2025-02-27T10:00:00.000Z',
    );
  }
  await emit(
    bt,
    'BatchResultsRecorded',
    { results: decided.map((id) => ({ proposalId: id, outcome: 'ACCEPTED', decreeRef: 'SK-2025-03' })) },
    '2025-03-04T10:00:00.000Z',
    verifier,
  );
  for (const id of decided) {
    await emit(pr(id), 'ProposalAccepted', { batchId: s.batchId, decreeRef: 'SK-2025-03' }, '2025-03-04T10:00:00.000Z');
  }

  // The registry changes (March).
  await emit(
    hh(s.households.h3),
    'HouseholdEnrolled',
    {
      source: 'PROPOSAL',
      proposalId: s.proposals.add,
      householdId: s.households.h3,
      villageCode: VILLAGE_A,
      address: 'Jl. Kenanga 3',
      rt: '004',
      rw: '002',
      kkNumber: KK.h3,
      members: [member(s.members.budi, PEOPLE.budi, 'HEAD')],
    },
    '2025-03-05T01:00:00.000Z',
  );
  await emit(
    hh(s.households.h1),
    'MemberRemoved',
    { proposalId: s.proposals.remove, memberId: s.members.siti, reason: 'DECEASED' },
    '2025-03-06T01:00:00.000Z',
  );
  await emit(
    hh(s.households.h2),
    'HouseholdRelocated',
    {
      proposalId: s.proposals.relocate,
      from: { villageCode: VILLAGE_A, address: 'Jl. Melati 2', rt: '003', rw: '002' },
      to: { villageCode: VILLAGE_B, address: 'Jl. Dahlia 5', rt: '001', rw: '001' },
    },
    '2025-03-07T01:00:00.000Z',
  );
  await emit(
    hh(s.households.h1),
    'HouseholdCorrected',
    { proposalId: s.proposals.correct, changes: { kkNumber: KK.h1New } },
    '2025-03-08T01:00:00.000Z',
  );
  return s;
}
