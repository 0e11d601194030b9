/**
 * A synthetic village for demonstrations and manual testing: users, a baseline registry, proposals of every kind
 * through a meeting, verification and a batch to Pusdatin, with the reactors carrying each step. Every id is
 * derived from a fixed name, and every step checks whether it already happened, so loading twice changes nothing.
 * All people are invented; identity numbers only have a valid structure.
 */
import { randomBytes } from 'node:crypto';
import { CommandPipeline, deterministicId } from '@muskel/application';
import { AuthRepository, migrateAuthSchema, registerUser } from '@muskel/auth';
import {
  NATIONAL,
  batchStreamName,
  meetingStreamName,
  proposalDecider,
  proposalStreamName,
  type Actor,
  type Attendee,
  type ProposalContent,
  type ProposalKind,
  type Role,
} from '@muskel/domain';
import { SqlEventStore, type EventStore } from '@muskel/event-store';
import { WorkflowDriver, catchUpReactors, createReactors } from '@muskel/reactors';

import {
  DuplicateImportError,
  baselineMemberId,
  householdIdsForKk,
  importBaseline,
  syntheticBaseline,
  syntheticKk,
} from '@muskel/registry-import';

export const DEMO_VILLAGE = '3515142001';
export const DEMO_NEIGHBOUR_VILLAGE = '3515142002';
export const DEMO_REGENCY = '3515';
const DEMO_PERIOD = '2026-11';
const DISTRICT = DEMO_VILLAGE.slice(0, 6);
const SYSTEM: Actor = { userId: 'system', role: 'SYSTEM', scope: NATIONAL };
const demoId = (name: string) => deterministicId('muskel-demo', name);
const MEETING_ID = demoId('meeting-1');

const ATTENDEES: Attendee[] = [
  { name: 'Kepala Desa Demo', role: 'KEPALA_DESA' },
  { name: 'Sekretaris Desa Demo', role: 'SECRETARY' },
  { name: 'Ketua RT Demo', role: 'RT' },
  { name: 'Ketua RW Demo', role: 'RW' },
  { name: 'Pendamping PKH Demo', role: 'PKH_FACILITATOR' },
  { name: 'Ketua BPD Demo', role: 'BPD' },
];

const DEMO_USERS: readonly { username: string; displayName: string; role: Role; scope: string }[] = [
  { username: 'operator.demo', displayName: 'Operator Desa (demo)', role: 'VILLAGE_OPERATOR', scope: DEMO_VILLAGE },
  { username: 'verifier.demo', displayName: 'Verifikator Dinsos (demo)', role: 'VERIFIER', scope: DEMO_REGENCY },
  { username: 'auditor.demo', displayName: 'Auditor (demo)', role: 'AUDITOR', scope: DEMO_REGENCY },
];

export interface DemoResult {
  alreadyLoaded: boolean;
  /** Users created by this run, with their one-time passwords (printed once, never stored in clear). */
  createdUsers: { username: string; role: string; password: string }[];
  steps: string[];
}

const death = {
  reason: 'DECEASED' as const,
  evidence: [{ kind: 'DEATH_CERTIFICATE' as const, digest: `sha256:${'a1'.repeat(32)}` }],
};

type DemoProposal = {
  name: string;
  kind: ProposalKind;
  content: ProposalContent;
  decision: 'APPROVED' | 'REJECTED' | 'DEFERRED';
};

/** The demo's proposals: every kind, and one of each village decision. `household(h)`: the h-th baseline household. */
const demoProposals = (household: (h: number) => string): readonly DemoProposal[] => [
  {
    name: 'add-new-household',
    kind: 'ADD',
    decision: 'APPROVED',
    content: {
      household: {
        address: 'Dusun Sumber No. 77',
        rt: '005',
        rw: '002',
        kkNumber: syntheticKk(DISTRICT, 5_000),
        members: [
          { nik: '3515141203850001', name: 'Hadi Prasetyo', sex: 'M', birthDate: '1985-03-12', relationship: 'HEAD' },
          { nik: '3515145906880002', name: 'Rina', sex: 'F', birthDate: '1988-06-19', relationship: 'SPOUSE' },
        ],
      },
    },
  },
  {
    name: 'correct-address',
    kind: 'CORRECT',
    decision: 'APPROVED',
    content: { householdId: household(0), changes: { address: 'Dusun Krajan No. 3A', rt: '002' } },
  },
  {
    name: 'add-newborn',
    kind: 'CORRECT',
    decision: 'APPROVED',
    content: {
      householdId: household(1),
      changes: { members: 'birth of a child' },
      memberToAdd: {
        nik: '3515144104250003',
        name: 'Bayi Demo',
        sex: 'F',
        birthDate: '2025-04-01',
        relationship: 'CHILD',
      },
    },
  },
  {
    name: 'remove-deceased-spouse',
    kind: 'REMOVE',
    decision: 'APPROVED',
    content: { householdId: household(2), removal: { ...death, memberId: baselineMemberId(household(2), 1) } },
  },
  {
    name: 'deactivate-household',
    kind: 'REMOVE',
    decision: 'APPROVED',
    content: { householdId: household(3), removal: death },
  },
  {
    name: 'relocate-household',
    kind: 'RELOCATE',
    decision: 'APPROVED',
    content: { householdId: household(4), targetVillageCode: DEMO_NEIGHBOUR_VILLAGE },
  },
  {
    name: 'remove-rejected',
    kind: 'REMOVE',
    decision: 'REJECTED',
    content: { householdId: household(6), removal: death },
  },
  {
    name: 'remove-deferred',
    kind: 'REMOVE',
    decision: 'DEFERRED',
    content: { householdId: household(7), removal: death },
  },
];

async function streamExists(store: EventStore, stream: string): Promise<boolean> {
  return (await store.getStreamState(stream)) !== 'no_stream';
}

async function hasEvent(store: EventStore, stream: string, type: string): Promise<boolean> {
  for await (const event of store.readStream(stream)) if (event.type === type) return true;
  return false;
}

async function ensureUsers(store: SqlEventStore, result: DemoResult): Promise<{ operator: Actor; verifier: Actor }> {
  await migrateAuthSchema(store.executor);
  const credentials = new AuthRepository(store.executor);
  const pipeline = new CommandPipeline(store);
  const context = () => {
    const id = demoId(`users-${Date.now()}-${Math.random()}`);
    return { actor: SYSTEM, correlationId: id, causationId: id, occurredAt: new Date().toISOString() };
  };
  const wanted = [...DEMO_USERS];
  if (!(await credentials.anyCredential())) {
    wanted.unshift({ username: 'admin.demo', displayName: 'Administrator (demo)', role: 'ADMIN', scope: NATIONAL });
  }
  const ids = new Map<string, string>();
  for (const user of wanted) {
    const existing = await credentials.findCredentialByUsername(user.username);
    if (existing) {
      ids.set(user.username, existing.userId);
      continue;
    }
    // 24 random bytes: well past the password policy, printed once for the person trying the demo.
    const password = randomBytes(24).toString('base64url');
    const { userId } = await registerUser(
      pipeline,
      credentials,
      {
        username: user.username,
        displayName: user.displayName,
        homeRegion: user.scope,
        password,
        grants: [{ role: user.role, scope: user.scope }],
      },
      context(),
    );
    ids.set(user.username, userId);
    result.createdUsers.push({ username: user.username, role: `${user.role} ${user.scope}`, password });
  }
  return {
    operator: { userId: ids.get('operator.demo')!, role: 'VILLAGE_OPERATOR', scope: DEMO_VILLAGE },
    verifier: { userId: ids.get('verifier.demo')!, role: 'VERIFIER', scope: DEMO_REGENCY },
  };
}

export async function loadDemoVillage(
  store: EventStore,
  onStep: (step: string) => void = () => undefined,
): Promise<DemoResult> {
  const result: DemoResult = { alreadyLoaded: false, createdUsers: [], steps: [] };
  const step = (text: string) => {
    result.steps.push(text);
    onStep(text);
  };
  if (!(store instanceof SqlEventStore)) throw new Error('the demo needs a SQL store (PostgreSQL or PGlite)');
  const batchStream = batchStreamName(DEMO_REGENCY, DEMO_PERIOD);
  if (await hasEvent(store, batchStream, 'BatchResultsRecorded')) {
    return { ...result, alreadyLoaded: true };
  }
  const pipeline = new CommandPipeline(store);
  const workflow = new WorkflowDriver(pipeline);
  const reactors = createReactors(pipeline, store);
  const { operator, verifier } = await ensureUsers(store, result);
  step('users ready');
  const householdIdForKk = await householdIdsForKk(store);
  const PROPOSALS = demoProposals((h) => householdIdForKk(syntheticKk(DISTRICT, h)));

  try {
    const report = await importBaseline(
      store,
      pipeline,
      syntheticBaseline({ households: 20, villageCode: DEMO_VILLAGE }),
      {
        villageCode: DEMO_VILLAGE,
        actor: SYSTEM,
        fileName: 'demo-baseline.csv',
        occurredAt: '2026-10-01T08:00:00+07:00',
      },
    );
    step(`baseline imported: ${report.households.imported + report.households.alreadyImported} households`);
  } catch (error) {
    if (!(error instanceof DuplicateImportError)) throw error;
    step('baseline already imported');
  }

  for (const proposal of PROPOSALS) {
    const proposalId = demoId(`proposal-${proposal.name}`);
    if (await streamExists(store, proposalStreamName(proposalId))) continue;
    await workflow.submit(operator, '2026-11-02T09:00:00+07:00', {
      proposalId,
      kind: proposal.kind,
      villageCode: DEMO_VILLAGE,
      ...proposal.content,
    });
  }
  step(`${PROPOSALS.length} proposals submitted`);

  if (!(await streamExists(store, meetingStreamName(MEETING_ID)))) {
    await workflow.holdMeeting(
      operator,
      { meetingId: MEETING_ID, villageCode: DEMO_VILLAGE, kind: 'MUSDES', date: '2026-11-05' },
      PROPOSALS.map((proposal) => ({
        proposalId: demoId(`proposal-${proposal.name}`),
        decision: proposal.decision,
        reason:
          proposal.decision === 'APPROVED'
            ? 'Agreed by consensus (mufakat)'
            : proposal.decision === 'REJECTED'
              ? 'The person was present at the meeting'
              : 'Evidence to be completed before the next meeting',
      })),
      ATTENDEES,
    );
  }
  step('meeting held and concluded');
  await catchUpReactors(store, reactors);
  step('reactors caught up: decisions applied to the proposals');

  const approved: string[] = [];
  for (const proposal of PROPOSALS.filter((candidate) => candidate.decision === 'APPROVED')) {
    const proposalId = demoId(`proposal-${proposal.name}`);
    approved.push(proposalId);
    const { state } = await pipeline.fold(proposalStreamName(proposalId), proposalDecider);
    if (state.status !== 'APPROVED') continue;
    const visit = proposal.kind === 'ADD' || proposal.kind === 'RELOCATE';
    await workflow.verify(verifier, '2026-11-12T10:00:00+07:00', proposalId, visit);
  }
  step(`${approved.length} proposals verified (field visits for ADD and RELOCATE)`);

  if (!(await streamExists(store, batchStream))) {
    await workflow.submitBatch(
      verifier,
      { regencyCode: DEMO_REGENCY, period: DEMO_PERIOD, date: '2026-11-20' },
      approved,
    );
  }
  step('batch opened, filled, closed, endorsed and submitted');
  await catchUpReactors(store, reactors);
  await workflow.recordResults(
    verifier,
    '2026-11-27T10:00:00+07:00',
    batchStream,
    approved.map((proposalId) => ({ proposalId, outcome: 'ACCEPTED' as const, decreeRef: 'SK-Kemensos/2026/11/3515' })),
  );
  step('Pusdatin results recorded');
  await catchUpReactors(store, reactors);
  step('reactors caught up: the registry reflects the accepted proposals');
  return result;
}
