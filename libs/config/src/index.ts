export {
  AppConfig,
  BODY_LIMIT_RANGE,
  CONFIG_RULES,
  CONFIG_VARIABLES,
  LOG_LEVELS,
  MUSKEL_ROLES,
  NODE_ENVS,
  parseByteSize,
  type AuditWitnessConfig,
  type ConfigVariable,
  type LogLevel,
  type MuskelRole,
  type NodeEnv,
} from './app-config';
export {
  ConfigValidationError,
  FILE_VARIABLES,
  maskCredentials,
  validateConfig,
  type ConfigProblem,
} from './validate-config';
export { AppConfigModule } from './config.module';
