import { Body, Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { AuthService, Authenticated, Public, type Principal } from '@muskel/auth';
import { ChangePasswordDto, LoginDto, RefreshDto, TokensResponse } from './auth.dto';
import { CurrentPrincipal } from '../common/command-context.decorator';
import { ChangeOwnPasswordHandler } from '../users/reset-password/change-own-password.handler';
import { UserDirectory } from '@muskel/auth';

/** Per client address, on top of the per-username lockout: 20 sign-in or refresh attempts a minute. */
const PER_ADDRESS = { default: { limit: 20, ttl: 60_000 } };

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(ChangeOwnPasswordHandler) private readonly changePassword: ChangeOwnPasswordHandler,
  ) {}

  @Post('auth/login')
  @Public()
  @UseGuards(ThrottlerGuard)
  @Throttle(PER_ADDRESS)
  @HttpCode(200)
  @ApiOkResponse({ type: TokensResponse })
  login(@Body() body: LoginDto): Promise<TokensResponse> {
    return this.auth.login(body.username, body.password);
  }

  @Post('auth/refresh')
  @Public()
  @UseGuards(ThrottlerGuard)
  @Throttle(PER_ADDRESS)
  @HttpCode(200)
  @ApiOkResponse({ type: TokensResponse })
  refresh(@Body() body: RefreshDto): Promise<TokensResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('auth/logout')
  @Authenticated()
  @HttpCode(204)
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.auth.logout(principal.sessionId);
  }

  @Get('me')
  @Authenticated()
  async me(@CurrentPrincipal() principal: Principal): Promise<object> {
    const { state } = await this.users.load(principal.userId);
    return {
      userId: principal.userId,
      username: state.username,
      displayName: state.displayName,
      homeRegion: state.homeRegion,
      grants: principal.grants,
      via: principal.apiTokenId ? 'API_TOKEN' : 'SESSION',
    };
  }

  @Post('me/password')
  @Authenticated()
  @HttpCode(204)
  async changeOwnPassword(@CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto): Promise<void> {
    await this.changePassword.execute(principal, body.currentPassword, body.newPassword);
  }
}
