import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  meetingDecider,
  meetingStreamName,
  quorumPolicyDecider,
  quorumPolicyStreamName,
  type Attendee,
  type OpenMeeting,
} from '@muskel/domain';
import type { ChangeResult } from '../../../common/http-conditions';
import { domainCommand } from '../../workflow-command';

/** Opens a meeting with its attendance list, checked against the quorum policy of the village's regency. */
@Injectable()
export class OpenMeetingHandler {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  async execute(
    meetingId: string,
    input: { openedAt: string; attendees: Attendee[] },
    context: CommandContext,
    rev?: number,
  ): Promise<ChangeResult> {
    const stream = meetingStreamName(meetingId);
    const { state } = await this.pipeline.fold(stream, meetingDecider);
    // An unknown meeting gets no policy lookup; the decider refuses it with its own code.
    const regency = state.villageCode?.slice(0, 4);
    const policy = regency
      ? (await this.pipeline.fold(quorumPolicyStreamName(regency), quorumPolicyDecider)).state.policy
      : quorumPolicyDecider.initialState().policy;
    const command = domainCommand<OpenMeeting>(
      'OpenMeeting',
      { meetingId, openedAt: input.openedAt, attendees: input.attendees, quorumPolicy: policy },
      context,
    );
    const result = await this.pipeline.execute(stream, meetingDecider, command, context, { expectedRevision: rev });
    return { revision: result.revision, position: result.position, eventIds: result.eventIds };
  }
}
