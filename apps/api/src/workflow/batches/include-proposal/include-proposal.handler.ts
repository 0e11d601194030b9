import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  batchDecider,
  DomainError,
  proposalDecider,
  proposalStreamName,
  type IncludeProposal,
  type MarkBatched,
} from '@muskel/domain';
import type { ChangeResult } from '../../../common/http-conditions';
import { domainCommand } from '../../workflow-command';

/**
 * Includes a verified proposal in the regency's batch and marks it batched, in one transaction at the proposal's
 * revision: two batches racing for one proposal cannot both take it (no double inclusion).
 */
@Injectable()
export class IncludeProposalHandler {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  async execute(
    batch: { batchId: string; stream: string },
    proposalId: string,
    context: CommandContext,
    rev?: number,
  ): Promise<ChangeResult> {
    const proposalStream = proposalStreamName(proposalId);
    const { state: proposal } = await this.pipeline.fold(proposalStream, proposalDecider);
    if (proposal.status === 'none' || proposal.villageCode === undefined) {
      throw new DomainError('invalid', 'PROPOSAL_NOT_FOUND', 'No proposal has this id.', { field: 'proposalId' });
    }
    const results = await this.pipeline.executeAcross(
      [
        {
          stream: batch.stream,
          decider: batchDecider,
          commands: [
            domainCommand<IncludeProposal>(
              'IncludeProposal',
              { proposalId, proposalRegencyCode: proposal.villageCode.slice(0, 4), proposalStatus: proposal.status },
              context,
            ),
          ],
          expectedRevision: rev,
        },
        {
          stream: proposalStream,
          decider: proposalDecider,
          commands: [domainCommand<MarkBatched>('MarkBatched', { proposalId, batchId: batch.batchId }, context)],
        },
      ],
      context,
      // Filling a batch is recording, not judging: a verifier adding many proposals at once should not see one
      // fail because another was added meanwhile. Deciding again re-checks everything (MarkBatched needs VERIFIED).
      { retryOnConflict: true },
    );
    const result = results[0]!;
    return { revision: result.revision, position: result.position, eventIds: results.flatMap((r) => r.eventIds) };
  }
}
