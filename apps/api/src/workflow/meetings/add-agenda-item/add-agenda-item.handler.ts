import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  DomainError,
  meetingDecider,
  meetingStreamName,
  proposalDecider,
  proposalStreamName,
  type AddAgendaItem,
  type TableProposal,
} from '@muskel/domain';
import type { ChangeResult } from '../../../common/http-conditions';
import { domainCommand } from '../../workflow-command';

/**
 * Puts a proposal on a meeting's agenda and tables it, both in one transaction: a proposal is never on an agenda
 * without knowing it, nor tabled at a meeting whose agenda lacks it. Two meetings racing for one proposal: the
 * proposal's revision lets only one append, and the other, deciding again, finds it tabled already.
 */
@Injectable()
export class AddAgendaItemHandler {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  async execute(meetingId: string, proposalId: string, context: CommandContext, rev?: number): Promise<ChangeResult> {
    const proposalStream = proposalStreamName(proposalId);
    const { state: proposal } = await this.pipeline.fold(proposalStream, proposalDecider);
    if (proposal.status === 'none' || proposal.villageCode === undefined) {
      throw new DomainError('invalid', 'PROPOSAL_NOT_FOUND', 'No proposal has this id.', { field: 'proposalId' });
    }
    const results = await this.pipeline.executeAcross(
      [
        {
          stream: meetingStreamName(meetingId),
          decider: meetingDecider,
          commands: [
            domainCommand<AddAgendaItem>(
              'AddAgendaItem',
              { meetingId, proposalId, proposalVillageCode: proposal.villageCode, proposalStatus: proposal.status },
              context,
            ),
          ],
          expectedRevision: rev,
        },
        {
          stream: proposalStream,
          decider: proposalDecider,
          commands: [domainCommand<TableProposal>('TableProposal', { proposalId, meetingId }, context)],
        },
      ],
      context,
      // Recording a fact, not a judgement: losing a race to another agenda item is decided again (TableProposal
      // re-checks the proposal's status on the fresh state). With If-Match the conflict reaches the client.
      { retryOnConflict: true },
    );
    const meeting = results[0]!;
    return { revision: meeting.revision, position: meeting.position, eventIds: results.flatMap((r) => r.eventIds) };
  }
}
