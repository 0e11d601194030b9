/**
 * Drives the proposal workflow through the real deciders, as the edge would: for the reactors' integration tests
 * and the CLI's demo village. Each step is one command through the pipeline, with the acting user's context.
 */
import { randomUUID } from 'node:crypto';
import { CommandPipeline } from '@muskel/application';
import {
  DEFAULT_QUORUM_POLICY,
  batchDecider,
  batchStreamName,
  meetingDecider,
  meetingStreamName,
  proposalDecider,
  proposalStreamName,
  type Actor,
  type Attendee,
  type BatchCommand,
  type BatchResult,
  type MeetingCommand,
  type MeetingDecision,
  type MeetingKind,
  type ProposalCommand,
  type ProposalContent,
  type ProposalKind,
} from '@muskel/domain';

const context = (actor: Actor, occurredAt: string) => {
  const id = randomUUID();
  return { actor, correlationId: id, causationId: id, occurredAt };
};

export class WorkflowDriver {
  constructor(private readonly pipeline: CommandPipeline) {}

  private proposal(actor: Actor, at: string, command: Omit<ProposalCommand, 'metadata'>) {
    const full = { ...command, metadata: { actor, occurredAt: at } } as ProposalCommand;
    const proposalId = (full.data as { proposalId: string }).proposalId;
    return this.pipeline.execute(proposalStreamName(proposalId), proposalDecider, full, context(actor, at));
  }

  private meeting(actor: Actor, at: string, meetingId: string, command: Omit<MeetingCommand, 'metadata'>) {
    const full = { ...command, metadata: { actor, occurredAt: at } } as MeetingCommand;
    return this.pipeline.execute(meetingStreamName(meetingId), meetingDecider, full, context(actor, at));
  }

  private batch(actor: Actor, at: string, stream: string, command: Omit<BatchCommand, 'metadata'>) {
    const full = { ...command, metadata: { actor, occurredAt: at } } as BatchCommand;
    return this.pipeline.execute(stream, batchDecider, full, context(actor, at));
  }

  async submit(
    actor: Actor,
    at: string,
    proposal: { proposalId: string; kind: ProposalKind; villageCode: string } & ProposalContent,
  ): Promise<void> {
    await this.proposal(actor, at, { type: 'SubmitProposal', data: { channel: 'VILLAGE_OFFICE', ...proposal } });
  }

  /** Schedules, tables every proposal, opens with a quorum, records each decision and concludes. */
  async holdMeeting(
    operator: Actor,
    meeting: { meetingId: string; villageCode: string; kind: MeetingKind; date: string },
    decisions: readonly { proposalId: string; decision: MeetingDecision; reason: string }[],
    attendees: readonly Attendee[],
  ): Promise<void> {
    const { meetingId, villageCode, kind, date } = meeting;
    const at = (time: string) => `${date}T${time}+07:00`;
    await this.meeting(operator, at('08:00:00'), meetingId, {
      type: 'ScheduleMeeting',
      data: {
        meetingId,
        villageCode,
        kind,
        scheduledAt: at('09:00:00'),
        venue: 'Balai Desa',
        chair: attendees[0]!.name,
      },
    });
    for (const { proposalId } of decisions) {
      const { state } = await this.pipeline.fold(proposalStreamName(proposalId), proposalDecider);
      await this.meeting(operator, at('08:10:00'), meetingId, {
        type: 'AddAgendaItem',
        data: { meetingId, proposalId, proposalVillageCode: villageCode, proposalStatus: state.status },
      });
      await this.proposal(operator, at('08:10:00'), { type: 'TableProposal', data: { proposalId, meetingId } });
    }
    await this.meeting(operator, at('09:15:00'), meetingId, {
      type: 'OpenMeeting',
      data: { meetingId, openedAt: at('09:15:00'), attendees, quorumPolicy: DEFAULT_QUORUM_POLICY },
    });
    for (const { proposalId, decision, reason } of decisions) {
      await this.meeting(operator, at('10:00:00'), meetingId, {
        type: 'RecordDecision',
        data: { meetingId, proposalId, decision, reason, votes: { for: attendees.length, against: 0, abstain: 0 } },
      });
    }
    await this.meeting(operator, at('11:30:00'), meetingId, {
      type: 'ConcludeMeeting',
      data: { meetingId, minutesDigest: `sha256:${'b7'.repeat(32)}`, signatories: attendees.slice(0, 2) },
    });
  }

  /** A field visit where the kind needs one, then verification. */
  async verify(verifier: Actor, at: string, proposalId: string, withFieldVisit: boolean): Promise<void> {
    if (withFieldVisit) {
      await this.proposal(verifier, at, {
        type: 'RecordFieldVisit',
        data: { proposalId, visitedAt: at, outcome: 'CONFIRMED', notes: 'Household found as described.' },
      });
    }
    await this.proposal(verifier, at, { type: 'VerifyProposal', data: { proposalId } });
  }

  /** Opens the month's batch, includes the proposals, closes early, endorses, submits; returns the stream. */
  async submitBatch(
    verifier: Actor,
    batch: { regencyCode: string; period: string; date: string },
    proposalIds: readonly string[],
  ): Promise<string> {
    const { regencyCode, period, date } = batch;
    const stream = batchStreamName(regencyCode, period);
    const at = (time: string) => `${date}T${time}+07:00`;
    await this.batch(verifier, at('08:00:00'), stream, {
      type: 'OpenBatch',
      data: { regencyCode, period, cutoffDate: `${period}-28` },
    });
    for (const proposalId of proposalIds) {
      await this.batch(verifier, at('09:00:00'), stream, {
        type: 'IncludeProposal',
        data: { proposalId, proposalRegencyCode: regencyCode, proposalStatus: 'VERIFIED' },
      });
    }
    const closing = { early: true, reason: 'All verified proposals of the month are in.' };
    await this.batch(verifier, at('10:00:00'), stream, { type: 'CloseBatch', data: closing });
    await this.batch(verifier, at('11:00:00'), stream, {
      type: 'EndorseBatch',
      data: {
        endorsedBy: 'Bupati Sidoarjo',
        letterNumber: `460/${period}/438.1.1/2026`,
        signedDate: date,
        documentDigest: `sha256:${'c3'.repeat(32)}`,
      },
    });
    await this.batch(verifier, at('12:00:00'), stream, {
      type: 'SubmitBatch',
      data: { submittedAt: at('12:00:00'), exportDigest: `sha256:${'d4'.repeat(32)}` },
    });
    return stream;
  }

  async recordResults(verifier: Actor, at: string, stream: string, results: readonly BatchResult[]): Promise<void> {
    await this.batch(verifier, at, stream, { type: 'RecordBatchResults', data: { results } });
  }
}
