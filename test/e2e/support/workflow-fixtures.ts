/**
 * Workflow fixtures written straight through the domain (the same commands the API issues), fast and without HTTP:
 * proposals in a given status, meetings, batches and registry households, in any village. Each act carries a
 * plausible actor (an operator of the village, a verifier of the regency), so segregation of duties holds.
 */
import { randomUUID } from 'node:crypto';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  batchDecider,
  batchStreamName,
  householdDecider,
  householdStreamName,
  meetingDecider,
  meetingStreamName,
  proposalDecider,
  proposalStreamName,
  type Actor,
  type BatchCommand,
  type HouseholdCommand,
  type MeetingCommand,
  type ProposalCommand,
} from '@muskel/domain';
import type { EventStore } from '@muskel/event-store';

const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;

export function operatorOf(village: string): Actor {
  return { userId: randomUUID(), role: 'VILLAGE_OPERATOR', scope: village };
}
export function verifierOf(village: string): Actor {
  return { userId: randomUUID(), role: 'VERIFIER', scope: village.slice(0, 4) };
}
const SYSTEM: Actor = { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' };

function contextOf(actor: Actor): CommandContext {
  const id = randomUUID();
  return { actor, correlationId: id, causationId: id, occurredAt: new Date().toISOString() };
}

function meta(actor: Actor) {
  return { actor, occurredAt: new Date().toISOString() };
}

let serial = 0;
/** A structurally valid NIK, unique in the run (district 351514, born 05-08-1968, serial counting up). */
export function syntheticNik(): string {
  serial += 1;
  return `351514050868${String(serial % 10000 || 1).padStart(4, '0')}`;
}

export class WorkflowFixtures {
  private readonly pipeline: CommandPipeline;
  private nextPeriod = 0;

  constructor(store: EventStore) {
    this.pipeline = new CommandPipeline(store);
  }

  private proposal(id: string, actor: Actor, command: Omit<ProposalCommand, 'metadata'>) {
    return this.pipeline.execute(
      proposalStreamName(id),
      proposalDecider,
      { ...command, metadata: meta(actor) } as ProposalCommand,
      contextOf(actor),
    );
  }

  private meeting(id: string, actor: Actor, command: Omit<MeetingCommand, 'metadata'>) {
    return this.pipeline.execute(
      meetingStreamName(id),
      meetingDecider,
      { ...command, metadata: meta(actor) } as MeetingCommand,
      contextOf(actor),
    );
  }

  /** An ADD proposal waiting for deliberation. */
  async waitingProposal(village: string, proposer = operatorOf(village)): Promise<string> {
    const proposalId = randomUUID();
    await this.proposal(proposalId, proposer, {
      type: 'SubmitProposal',
      data: {
        proposalId,
        kind: 'ADD',
        villageCode: village,
        channel: 'RT_RW',
        household: {
          address: 'Jl. Fixture 1',
          rt: '001',
          rw: '001',
          kkNumber: '3515140101090001',
          members: [
            { nik: syntheticNik(), name: 'Warga Fiktif', sex: 'M', birthDate: '1968-08-05', relationship: 'HEAD' },
          ],
        },
      },
    });
    return proposalId;
  }

  /** A meeting scheduled in the village, chaired by "Kepala Desa". */
  async scheduledMeeting(village: string, operator = operatorOf(village)): Promise<string> {
    const meetingId = randomUUID();
    await this.meeting(meetingId, operator, {
      type: 'ScheduleMeeting',
      data: {
        meetingId,
        villageCode: village,
        kind: 'MUSDES',
        scheduledAt: '2026-11-25T09:00:00+07:00',
        venue: 'Balai Desa',
        chair: 'Kepala Desa',
      },
    });
    return meetingId;
  }

  /** Puts the proposal on the meeting's agenda (and tables it), as POST /meetings/:id/agenda does. */
  async addToAgenda(meetingId: string, proposalId: string, operator: Actor): Promise<void> {
    const { state } = await this.pipeline.fold(proposalStreamName(proposalId), proposalDecider);
    await this.meeting(meetingId, operator, {
      type: 'AddAgendaItem',
      data: { meetingId, proposalId, proposalVillageCode: state.villageCode!, proposalStatus: state.status },
    });
    await this.proposal(proposalId, operator, { type: 'TableProposal', data: { proposalId, meetingId } });
  }

  /** A meeting in session with the proposal on its agenda (quorum: the chair and five others). */
  async openMeeting(
    village: string,
    proposalId?: string,
  ): Promise<{ meetingId: string; proposalId: string; operator: Actor }> {
    const operator = operatorOf(village);
    const proposal = proposalId ?? (await this.waitingProposal(village, operatorOf(village)));
    const meetingId = await this.scheduledMeeting(village, operator);
    await this.addToAgenda(meetingId, proposal, operator);
    await this.meeting(meetingId, operator, {
      type: 'OpenMeeting',
      data: {
        meetingId,
        openedAt: '2026-11-25T09:05:00+07:00',
        attendees: QUORUM,
        quorumPolicy: { minimumAttendees: 5, requiredRoles: [], chairMustAttend: true },
      },
    });
    return { meetingId, proposalId: proposal, operator };
  }

  /** An open meeting whose one agenda item is decided (ready to conclude). */
  async decidedMeeting(village: string): Promise<{ meetingId: string; proposalId: string; operator: Actor }> {
    const open = await this.openMeeting(village);
    await this.meeting(open.meetingId, open.operator, {
      type: 'RecordDecision',
      data: { meetingId: open.meetingId, proposalId: open.proposalId, decision: 'APPROVED', reason: 'Layak' },
    });
    return open;
  }

  /** A proposal APPROVED by a concluded meeting (the reactor's DeliberateProposal done here directly). */
  async approvedProposal(village: string): Promise<{ proposalId: string; meetingId: string }> {
    const { meetingId, proposalId, operator } = await this.decidedMeeting(village);
    await this.meeting(meetingId, operator, {
      type: 'ConcludeMeeting',
      data: { meetingId, minutesDigest: DIGEST('a'), signatories: [{ name: 'Kepala Desa', role: 'KEPALA_DESA' }] },
    });
    // The worker's reactor deliberates it too when it runs in the app: whichever comes first, the other finds it done.
    try {
      await this.proposal(proposalId, SYSTEM, {
        type: 'DeliberateProposal',
        data: { proposalId, meetingId, decision: 'APPROVED', reason: 'Layak', recordedBy: operator.userId },
      });
    } catch (error) {
      const { state } = await this.pipeline.fold(proposalStreamName(proposalId), proposalDecider);
      if (state.status !== 'APPROVED') throw error;
    }
    return { proposalId, meetingId };
  }

  /** An approved ADD proposal with its field visit, ready to verify. */
  async visitedProposal(village: string): Promise<string> {
    const { proposalId } = await this.approvedProposal(village);
    await this.proposal(proposalId, verifierOf(village), {
      type: 'RecordFieldVisit',
      data: { proposalId, visitedAt: '2026-11-26T10:00:00+07:00', outcome: 'CONFIRMED', notes: 'Sesuai' },
    });
    return proposalId;
  }

  async verifiedProposal(village: string): Promise<string> {
    const proposalId = await this.visitedProposal(village);
    await this.proposal(proposalId, verifierOf(village), { type: 'VerifyProposal', data: { proposalId } });
    return proposalId;
  }

  /** A proposal with an open WARNING flag of the given code. */
  async flaggedProposal(village: string, code = 'WAGE_MATCH' as const): Promise<string> {
    const proposalId = await this.waitingProposal(village);
    await this.proposal(proposalId, verifierOf(village), {
      type: 'RaiseFlag',
      data: { proposalId, code, severity: 'WARNING', source: 'BPJS', evidence: 'ref-1' },
    });
    return proposalId;
  }

  private batchCommand(regency: string, period: string, actor: Actor, command: Omit<BatchCommand, 'metadata'>) {
    return this.pipeline.execute(
      batchStreamName(regency, period),
      batchDecider,
      { ...command, metadata: meta(actor) } as BatchCommand,
      contextOf(actor),
    );
  }

  /** A period no other fixture batch of this run uses (batches are one per regency and month). */
  freshPeriod(): string {
    this.nextPeriod += 1;
    const year = 2030 + Math.floor(this.nextPeriod / 12);
    return `${year}-${String((this.nextPeriod % 12) + 1).padStart(2, '0')}`;
  }

  /** A batch of the regency in the given status, with one verified proposal of `village` once it is past OPEN. */
  async batch(
    village: string,
    status: 'OPEN' | 'CLOSED' | 'ENDORSED' | 'SUBMITTED',
    withProposal = status !== 'OPEN',
  ): Promise<{ batchId: string; proposalId?: string }> {
    const regency = village.slice(0, 4);
    const period = this.freshPeriod();
    const verifier = verifierOf(village);
    await this.batchCommand(regency, period, verifier, {
      type: 'OpenBatch',
      data: { regencyCode: regency, period, cutoffDate: `${period}-20` },
    });
    const batchId = `${regency}-${period.replace('-', '')}`;
    let proposalId: string | undefined;
    if (withProposal) {
      proposalId = await this.verifiedProposal(village);
      // Both in one transaction, as POST /batches/:id/proposals does (the reactor then finds it batched).
      await this.pipeline.executeAcross(
        [
          {
            stream: batchStreamName(regency, period),
            decider: batchDecider,
            commands: [
              {
                type: 'IncludeProposal',
                data: { proposalId, proposalRegencyCode: regency, proposalStatus: 'VERIFIED' },
                metadata: meta(verifier),
              },
            ],
          },
          {
            stream: proposalStreamName(proposalId),
            decider: proposalDecider,
            commands: [{ type: 'MarkBatched', data: { proposalId, batchId }, metadata: meta(verifier) }],
          },
        ],
        contextOf(verifier),
      );
    }
    if (status === 'OPEN') return { batchId, proposalId };
    await this.batchCommand(regency, period, verifier, { type: 'CloseBatch', data: { early: true, reason: 'Uji' } });
    if (status === 'CLOSED') return { batchId, proposalId };
    const today = new Date().toISOString().slice(0, 10);
    await this.batchCommand(regency, period, verifier, {
      type: 'EndorseBatch',
      data: { endorsedBy: 'Bupati', letterNumber: '1/2026', signedDate: today, documentDigest: DIGEST('b') },
    });
    if (status === 'ENDORSED') return { batchId, proposalId };
    await this.batchCommand(regency, period, verifier, {
      type: 'SubmitBatch',
      data: { submittedAt: new Date().toISOString(), exportDigest: DIGEST('c') },
    });
    return { batchId, proposalId };
  }

  /** A household on the registry (baseline import) in the village; `inactive`: then deactivated by a proposal. */
  async household(village: string, options: { inactive?: boolean } = {}): Promise<string> {
    const householdId = randomUUID();
    const command: HouseholdCommand = {
      type: 'EnrolHousehold',
      data: {
        householdId,
        source: 'BASELINE_IMPORT',
        importId: randomUUID(),
        villageCode: village,
        address: 'Jl. Fixture 2',
        rt: '002',
        rw: '001',
        kkNumber: '3515140101090002',
        members: [
          {
            memberId: randomUUID(),
            nik: syntheticNik(),
            name: 'Warga Terdaftar',
            sex: 'F',
            birthDate: '1970-01-01',
            relationship: 'HEAD',
          },
        ],
      },
      metadata: meta(SYSTEM),
    };
    await this.pipeline.execute(householdStreamName(householdId), householdDecider, command, contextOf(SYSTEM));
    if (options.inactive) {
      const deactivate: HouseholdCommand = {
        type: 'DeactivateHousehold',
        data: { householdId, proposalId: randomUUID(), reason: 'DECEASED' },
        metadata: meta(SYSTEM),
      };
      await this.pipeline.execute(householdStreamName(householdId), householdDecider, deactivate, contextOf(SYSTEM));
    }
    return householdId;
  }
}

/** The chair and five others: the default quorum. */
export const QUORUM = [
  { name: 'Kepala Desa', role: 'KEPALA_DESA' as const },
  { name: 'Sekretaris Desa', role: 'SECRETARY' as const },
  { name: 'Ketua RT 01', role: 'RT' as const },
  { name: 'Ketua RW 01', role: 'RW' as const },
  { name: 'Pendamping PKH', role: 'PKH_FACILITATOR' as const },
  { name: 'Tokoh Masyarakat', role: 'COMMUNITY_LEADER' as const },
];
