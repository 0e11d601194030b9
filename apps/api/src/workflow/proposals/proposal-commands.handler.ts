import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  proposalDecider,
  proposalStreamName,
  type AmendProposal,
  type ProposalCommand,
  type RaiseFlag,
  type RecordFieldVisit,
  type RejectProposal,
  type ResolveFlag,
  type ReturnProposal,
  type VerifyProposal,
  type WithdrawProposal,
} from '@muskel/domain';
import type { ChangeResult } from '../../common/http-conditions';
import { domainCommand } from '../workflow-command';

/**
 * The proposal commands after submission: each one command on the proposal's stream, appended at the revision the
 * client saw when it sent `If-Match`. No automatic retry: a verifier's decision depends on what they saw.
 */
@Injectable()
export class ProposalCommandsHandler {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  amend(id: string, content: Omit<AmendProposal['data'], 'proposalId'>, c: CommandContext, rev?: number) {
    return this.run(id, domainCommand<AmendProposal>('AmendProposal', { ...content, proposalId: id }, c), c, rev);
  }

  withdraw(id: string, reason: string, c: CommandContext, rev?: number) {
    return this.run(id, domainCommand<WithdrawProposal>('WithdrawProposal', { proposalId: id, reason }, c), c, rev);
  }

  recordFieldVisit(id: string, visit: Omit<RecordFieldVisit['data'], 'proposalId'>, c: CommandContext, rev?: number) {
    const command = domainCommand<RecordFieldVisit>('RecordFieldVisit', { ...visit, proposalId: id }, c);
    return this.run(id, command, c, rev);
  }

  raiseFlag(id: string, flag: Omit<RaiseFlag['data'], 'proposalId'>, c: CommandContext, rev?: number) {
    return this.run(id, domainCommand<RaiseFlag>('RaiseFlag', { ...flag, proposalId: id }, c), c, rev);
  }

  resolveFlag(id: string, code: ResolveFlag['data']['code'], justification: string, c: CommandContext, rev?: number) {
    const command = domainCommand<ResolveFlag>('ResolveFlag', { proposalId: id, code, justification }, c);
    return this.run(id, command, c, rev);
  }

  verify(id: string, c: CommandContext, rev?: number) {
    return this.run(id, domainCommand<VerifyProposal>('VerifyProposal', { proposalId: id }, c), c, rev);
  }

  return(id: string, reason: string, c: CommandContext, rev?: number) {
    return this.run(id, domainCommand<ReturnProposal>('ReturnProposal', { proposalId: id, reason }, c), c, rev);
  }

  reject(id: string, reason: string, c: CommandContext, rev?: number) {
    const command = domainCommand<RejectProposal>('RejectProposal', { proposalId: id, stage: 'DINSOS', reason }, c);
    return this.run(id, command, c, rev);
  }

  private async run(id: string, command: ProposalCommand, c: CommandContext, rev?: number): Promise<ChangeResult> {
    const result = await this.pipeline.execute(proposalStreamName(id), proposalDecider, command, c, {
      expectedRevision: rev,
    });
    return { revision: result.revision, position: result.position, eventIds: result.eventIds };
  }
}
