import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  DomainError,
  householdDecider,
  householdStreamName,
  parseRegionCode,
  proposalDecider,
  proposalStreamName,
  type SubmitProposal,
} from '@muskel/domain';
import type { ChangeResult } from '../../../common/http-conditions';
import { domainCommand } from '../../workflow-command';
import type { SubmitProposalDto } from '../proposals.dto';

/**
 * Submits a proposal (usulan). A CORRECT, REMOVE or RELOCATE names a registry household: it must exist in the
 * proposal's village, and a REMOVE needs it still active (removing an inactive household would mean nothing).
 */
@Injectable()
export class SubmitProposalHandler {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  async execute(proposalId: string, body: SubmitProposalDto, context: CommandContext): Promise<ChangeResult> {
    if (body.kind !== 'ADD' && body.householdId !== undefined) {
      await this.checkHousehold(body.householdId, parseRegionCode(body.villageCode).code, body.kind);
    }
    const command = domainCommand<SubmitProposal>('SubmitProposal', { ...body, proposalId }, context);
    const result = await this.pipeline.execute(proposalStreamName(proposalId), proposalDecider, command, context);
    return { revision: result.revision, position: result.position, eventIds: result.eventIds };
  }

  private async checkHousehold(householdId: string, villageCode: string, kind: string): Promise<void> {
    const { state, revision } = await this.pipeline.fold(householdStreamName(householdId), householdDecider);
    if (revision < 0 || state.status === 'none') {
      throw new DomainError('invalid', 'HOUSEHOLD_NOT_FOUND', 'No registry household has this id.', {
        field: 'householdId',
      });
    }
    if (state.location?.villageCode !== villageCode) {
      throw new DomainError(
        'invalid',
        'HOUSEHOLD_OF_ANOTHER_VILLAGE',
        "The household is registered in another village; submit the proposal in the household's village.",
        { field: 'householdId' },
      );
    }
    if (kind === 'REMOVE' && state.status !== 'ACTIVE') {
      throw new DomainError('conflict', 'HOUSEHOLD_NOT_ACTIVE', 'The household is not active on the registry.', {
        field: 'householdId',
      });
    }
  }
}
