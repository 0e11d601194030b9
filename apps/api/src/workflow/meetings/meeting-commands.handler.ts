import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  meetingDecider,
  meetingStreamName,
  type CancelMeeting,
  type ConcludeMeeting,
  type MeetingCommand,
  type RecordDecision,
  type RecordSignedMinutes,
  type ScheduleMeeting,
} from '@muskel/domain';
import type { ChangeResult } from '../../common/http-conditions';
import { domainCommand } from '../workflow-command';

/** Meeting commands that need nothing but the meeting's own stream. */
@Injectable()
export class MeetingCommandsHandler {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  schedule(meetingId: string, data: Omit<ScheduleMeeting['data'], 'meetingId'>, c: CommandContext) {
    return this.run(meetingId, domainCommand<ScheduleMeeting>('ScheduleMeeting', { ...data, meetingId }, c), c);
  }

  /**
   * Decisions on different agenda items may be recorded at once (two clerks): one that loses the race is decided
   * again on the new state, where a second decision on the same item is refused. With If-Match, no retry.
   */
  recordDecision(meetingId: string, data: Omit<RecordDecision['data'], 'meetingId'>, c: CommandContext, rev?: number) {
    const command = domainCommand<RecordDecision>('RecordDecision', { ...data, meetingId }, c);
    return this.run(meetingId, command, c, rev, true);
  }

  conclude(meetingId: string, data: Omit<ConcludeMeeting['data'], 'meetingId'>, c: CommandContext, rev?: number) {
    return this.run(meetingId, domainCommand<ConcludeMeeting>('ConcludeMeeting', { ...data, meetingId }, c), c, rev);
  }

  cancel(meetingId: string, reason: string, c: CommandContext, rev?: number) {
    return this.run(meetingId, domainCommand<CancelMeeting>('CancelMeeting', { meetingId, reason }, c), c, rev);
  }

  recordSignedMinutes(meetingId: string, signedCopyDigest: string, c: CommandContext, rev?: number) {
    const command = domainCommand<RecordSignedMinutes>('RecordSignedMinutes', { meetingId, signedCopyDigest }, c);
    return this.run(meetingId, command, c, rev);
  }

  private async run(
    id: string,
    command: MeetingCommand,
    c: CommandContext,
    rev?: number,
    retryOnConflict = false,
  ): Promise<ChangeResult> {
    const result = await this.pipeline.execute(meetingStreamName(id), meetingDecider, command, c, {
      expectedRevision: rev,
      retryOnConflict,
    });
    return { revision: result.revision, position: result.position, eventIds: result.eventIds };
  }
}
