import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { EVENT_STORE, type EventStore, type SqlExecutor } from '@muskel/event-store';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { AuthGuard } from './access/auth.guard';
import { migrateAuthSchema } from './auth.schema';
import { AuthRepository } from './auth.repository';
import { AuthService, DEFAULT_LOGIN_POLICY, type LoginPolicy } from './auth.service';
import { TokenService } from './token.service';
import { UserDirectory } from './user-directory';

export interface AuthModuleOptions {
  /** Default 900 s. */
  accessTokenTtlSeconds?: number;
  /** Default 12 hours: a working day, then sign in again. */
  refreshTokenTtlSeconds?: number;
  /** Signs access tokens; unset: a random secret created once and kept in the database. */
  tokenSecret?: string;
  loginPolicy?: Partial<LoginPolicy>;
}

/**
 * Authentication and default-deny authorisation for the whole application: the global `AuthGuard` refuses every
 * route that does not declare its access.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions = {}): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        {
          provide: AuthRepository,
          inject: [SQL_DATABASE],
          useFactory: async (db: SqlExecutor) => {
            await migrateAuthSchema(db);
            return new AuthRepository(db);
          },
        },
        {
          provide: TokenService,
          inject: [AuthRepository],
          useFactory: async (repository: AuthRepository) =>
            new TokenService(
              options.tokenSecret ?? (await repository.signingSecret()),
              options.accessTokenTtlSeconds ?? 900,
            ),
        },
        { provide: UserDirectory, inject: [EVENT_STORE], useFactory: (store: EventStore) => new UserDirectory(store) },
        {
          provide: AuthService,
          inject: [AuthRepository, TokenService, UserDirectory],
          useFactory: (repository: AuthRepository, tokens: TokenService, users: UserDirectory) =>
            new AuthService(
              repository,
              tokens,
              users,
              { ...DEFAULT_LOGIN_POLICY, ...options.loginPolicy },
              (options.refreshTokenTtlSeconds ?? 12 * 3600) * 1000,
            ),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AuthRepository, TokenService, UserDirectory, AuthService],
    };
  }
}
