import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@muskel/application';
import { Allow, UserDirectory, type Principal } from '@muskel/auth';
import { Context, CurrentPrincipal } from '../common/command-context.decorator';
import { expectedRevision, respondChanged } from '../common/http-conditions';
import { ApiTokensHandler } from './api-tokens/api-tokens.handler';
import { ManageUserHandler } from './manage-user/manage-user.handler';
import { UsersQueries } from './queries/users.queries';
import { RegisterUserHandler } from './register-user/register-user.handler';
import { ResetPasswordHandler } from './reset-password/reset-password.handler';
import { NewUserRegionResolver, UserRegionResolver } from './user-region.resolver';
import { CreateApiTokenDto, GrantDto, ListUsersQuery, ReasonDto, RegisterUserDto, ResetPasswordDto } from './users.dto';

const ADMIN_OF_USER = { source: 'resource', resolver: UserRegionResolver } as const;

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    @Inject(RegisterUserHandler) private readonly registerUser: RegisterUserHandler,
    @Inject(ManageUserHandler) private readonly manage: ManageUserHandler,
    @Inject(ResetPasswordHandler) private readonly resetPassword: ResetPasswordHandler,
    @Inject(ApiTokensHandler) private readonly apiTokens: ApiTokensHandler,
    @Inject(UsersQueries) private readonly queries: UsersQueries,
    @Inject(UserDirectory) private readonly users: UserDirectory,
  ) {}

  @Post()
  @Allow(['ADMIN'], { source: 'request', resolver: NewUserRegionResolver })
  async register(
    @Body() body: RegisterUserDto,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.registerUser.execute({ ...body, grants: body.grants ?? [] }, context);
    response.status(201).setHeader('Location', `/users/${result.userId}`);
    return { userId: result.userId, ...respondChanged(response, result) };
  }

  @Get()
  @Allow(['ADMIN', 'AUDITOR'])
  async list(@Query() query: ListUsersQuery, @CurrentPrincipal() principal: Principal) {
    const scopes = principal.grants.filter((g) => g.role === 'ADMIN' || g.role === 'AUDITOR').map((g) => g.scope);
    return this.queries.list(scopes, query.region, query.cursor, query.limit ?? 50);
  }

  @Get(':id')
  @Allow(['ADMIN', 'AUDITOR'], ADMIN_OF_USER)
  async get(@Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) response: Response) {
    const { state, revision } = await this.users.load(id);
    response.setHeader('ETag', `"${revision}"`);
    return {
      userId: id,
      username: state.username,
      displayName: state.displayName,
      homeRegion: state.homeRegion,
      status: state.status,
      grants: state.grants,
      history: await this.queries.history(id),
    };
  }

  @Post(':id/grants')
  @Allow(['ADMIN'], ADMIN_OF_USER)
  async grant(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: GrantDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.manage.grant(id, body.role, body.scope, context, expectedRevision(ifMatch));
    response.status(201);
    return { grantId: result.grantId, ...respondChanged(response, result) };
  }

  @Post(':id/grants/:grantId/revoke')
  @Allow(['ADMIN'], ADMIN_OF_USER)
  @HttpCode(200)
  async revoke(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('grantId', ParseUUIDPipe) grantId: string,
    @Body() body: ReasonDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(
      response,
      await this.manage.revoke(id, grantId, body.reason, context, expectedRevision(ifMatch)),
    );
  }

  @Post(':id/disable')
  @Allow(['ADMIN'], ADMIN_OF_USER)
  @HttpCode(200)
  async disable(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ReasonDto,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.manage.disable(id, body.reason, context, expectedRevision(ifMatch)));
  }

  @Post(':id/enable')
  @Allow(['ADMIN'], ADMIN_OF_USER)
  @HttpCode(200)
  async enable(
    @Param('id', ParseUUIDPipe) id: string,
    @Context() context: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.manage.enable(id, context, expectedRevision(ifMatch)));
  }

  @Post(':id/password')
  @Allow(['ADMIN'], ADMIN_OF_USER)
  @HttpCode(200)
  async reset(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ResetPasswordDto,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    return respondChanged(response, await this.resetPassword.execute(id, body.password, context));
  }

  @Post(':id/api-tokens')
  @Allow(['ADMIN'], ADMIN_OF_USER)
  async createApiToken(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: CreateApiTokenDto,
    @Context() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    response.status(201);
    return this.apiTokens.create(id, body.name, context);
  }

  @Get(':id/api-tokens')
  @Allow(['ADMIN', 'AUDITOR'], ADMIN_OF_USER)
  listApiTokens(@Param('id', ParseUUIDPipe) id: string) {
    return this.apiTokens.list(id);
  }

  @Post(':id/api-tokens/:tokenId/revoke')
  @Allow(['ADMIN'], ADMIN_OF_USER)
  @HttpCode(204)
  async revokeApiToken(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('tokenId', ParseUUIDPipe) tokenId: string,
    @Context() context: CommandContext,
  ) {
    await this.apiTokens.revoke(id, tokenId, context);
  }
}
