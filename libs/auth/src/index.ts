export * from './access/access.decorators';
export { AuthGuard } from './access/auth.guard';
export * from './auth.errors';
export { AuthModule, type AuthModuleOptions } from './auth.module';
export { AuthRepository, type ApiTokenRecord } from './auth.repository';
export {
  AuthService,
  DEFAULT_LOGIN_POLICY,
  normaliseUsername,
  type IssuedTokens,
  type LoginPolicy,
} from './auth.service';
export { hashPassword, verifyPassword } from './passwords/password-hasher';
export {
  passwordProblem,
  PASSWORD_PROBLEM_MESSAGES,
  MIN_PASSWORD_LENGTH,
  type PasswordProblem,
} from './passwords/password-policy';
export type { AuthenticatedRequestState, Principal } from './principal';
export { TokenService } from './token.service';
export { UserDirectory } from './user-directory';
export { assertAcceptablePassword, registerUser, type RegisterUserInput } from './register-user';
export { migrateAuthSchema } from './auth.schema';
export { listRoutes, undeclaredRoutes, type RouteAccess } from './access/route-access';
