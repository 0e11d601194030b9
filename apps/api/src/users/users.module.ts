import { Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ProjectionRunner } from '@muskel/application';
import { EVENT_STORE, type EventStore } from '@muskel/event-store';
import { AuthController } from '../auth/auth.controller';
import { ApiTokensHandler } from './api-tokens/api-tokens.handler';
import { ManageUserHandler } from './manage-user/manage-user.handler';
import { usersProjection } from './queries/users.projection';
import { UsersQueries } from './queries/users.queries';
import { RegisterUserHandler } from './register-user/register-user.handler';
import { ChangeOwnPasswordHandler } from './reset-password/change-own-password.handler';
import { ResetPasswordHandler } from './reset-password/reset-password.handler';
import { NewUserRegionResolver, UserRegionResolver } from './user-region.resolver';
import { UsersController } from './users.controller';

export const USERS_PROJECTION = Symbol('USERS_PROJECTION');

/** Keeps `users_view` current while the application runs. */
class UsersProjectionLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('UsersProjection');
  constructor(@Inject(USERS_PROJECTION) private readonly runner: ProjectionRunner) {}
  onApplicationBootstrap(): void {
    this.runner.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    this.logger.log('users projection stopped');
  }
}

@Module({
  controllers: [AuthController, UsersController],
  providers: [
    {
      provide: USERS_PROJECTION,
      inject: [EVENT_STORE],
      useFactory: async (store: EventStore) => {
        const logger = new Logger('UsersProjection');
        const runner = new ProjectionRunner(store, usersProjection, {
          onError: (error) => logger.error(`users projection failed; retrying: ${(error as Error).message}`),
        });
        await runner.setup();
        return runner;
      },
    },
    UsersProjectionLifecycle,
    RegisterUserHandler,
    ManageUserHandler,
    ResetPasswordHandler,
    ChangeOwnPasswordHandler,
    ApiTokensHandler,
    UsersQueries,
    UserRegionResolver,
    NewUserRegionResolver,
  ],
  exports: [USERS_PROJECTION],
})
export class UsersModule {}
