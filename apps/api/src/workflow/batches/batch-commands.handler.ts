import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import {
  batchDecider,
  type BatchCommand,
  type CloseBatch,
  type EndorseBatch,
  type OpenBatch,
  type RecordBatchResults,
  type SubmitBatch,
} from '@muskel/domain';
import type { ChangeResult } from '../../common/http-conditions';
import { domainCommand } from '../workflow-command';

/** Batch commands on the batch's own stream (`batch-<regency>-<yyyymm>`). */
@Injectable()
export class BatchCommandsHandler {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  open(stream: string, data: OpenBatch['data'], c: CommandContext) {
    return this.run(stream, domainCommand<OpenBatch>('OpenBatch', data, c), c);
  }

  close(stream: string, data: CloseBatch['data'], c: CommandContext, rev?: number) {
    return this.run(stream, domainCommand<CloseBatch>('CloseBatch', data, c), c, rev);
  }

  endorse(stream: string, data: EndorseBatch['data'], c: CommandContext, rev?: number) {
    return this.run(stream, domainCommand<EndorseBatch>('EndorseBatch', data, c), c, rev);
  }

  submit(stream: string, data: SubmitBatch['data'], c: CommandContext, rev?: number) {
    return this.run(stream, domainCommand<SubmitBatch>('SubmitBatch', data, c), c, rev);
  }

  recordResults(stream: string, data: RecordBatchResults['data'], c: CommandContext, rev?: number) {
    return this.run(stream, domainCommand<RecordBatchResults>('RecordBatchResults', data, c), c, rev);
  }

  private async run(stream: string, command: BatchCommand, c: CommandContext, rev?: number): Promise<ChangeResult> {
    const result = await this.pipeline.execute(stream, batchDecider, command, c, { expectedRevision: rev });
    return { revision: result.revision, position: result.position, eventIds: result.eventIds };
  }
}
