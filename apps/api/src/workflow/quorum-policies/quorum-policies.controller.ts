import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandPipeline, type CommandContext } from '@muskel/application';
import { Allow } from '@muskel/auth';
import { quorumPolicyDecider, quorumPolicyStreamName, type SetQuorumPolicy } from '@muskel/domain';
import { Context } from '../../common/command-context.decorator';
import { expectedRevision, respondChanged } from '../../common/http-conditions';
import { QuorumPolicyDto } from '../meetings/meetings.dto';
import { PathRegionResolver } from '../region.resolvers';
import { RegencyCodePipe } from '../region-code.pipe';
import { domainCommand } from '../workflow-command';

const OF_REGENCY = { source: 'request', resolver: PathRegionResolver } as const;

/** A regency's quorum policy for its village meetings (default: the chair and at least 5 attendees). */
@ApiTags('meetings')
@Controller('regencies/:regionCode/quorum-policy')
export class QuorumPoliciesController {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}

  @Get()
  @Allow(['ADMIN', 'VERIFIER', 'AUDITOR'], OF_REGENCY)
  async get(@Param('regionCode', RegencyCodePipe) regencyCode: string, @Res({ passthrough: true }) response: Response) {
    const { state, revision } = await this.pipeline.fold(quorumPolicyStreamName(regencyCode), quorumPolicyDecider);
    response.setHeader('ETag', `"${revision}"`);
    return { regencyCode, isDefault: state.regencyCode === null, policy: state.policy, revision };
  }

  @Post()
  @Allow(['ADMIN'], OF_REGENCY)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag last seen; 412 when stale' })
  @HttpCode(200)
  async set(
    @Param('regionCode', RegencyCodePipe) regencyCode: string,
    @Body() body: QuorumPolicyDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const command = domainCommand<SetQuorumPolicy>('SetQuorumPolicy', { regencyCode, policy: { ...body } }, context);
    const result = await this.pipeline.execute(
      quorumPolicyStreamName(regencyCode),
      quorumPolicyDecider,
      command,
      context,
      {
        expectedRevision: expectedRevision(ifMatch),
      },
    );
    return respondChanged(response, result);
  }
}
