import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig, CONFIG_RULES, CONFIG_VARIABLES, type ConfigVariable } from './app-config';

export interface ConfigProblem {
  variable: ConfigVariable;
  /** e.g. `PORT must be an integer from 1 to 65535 (got "abc")` */
  message: string;
}

/** Thrown by `validateConfig`; its message lists every bad variable, one a line. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration: ${problems.length} environment variable${problems.length === 1 ? '' : 's'} rejected\n` +
        problems.map((p) => `  - ${p.message}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

const SECRET_VARIABLES: ReadonlySet<ConfigVariable> = new Set(['AUTH_TOKEN_SECRET', 'AUDIT_SIGNER_KEY']);

/** Hides the password in `scheme://user:password@host` so an error message never prints a secret. */
export function maskCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}

/**
 * Reads the known variables from `env` (normally `process.env`), applies defaults and validates them: the "custom
 * validate function" of Nest's configuration docs, so it also fits `ConfigModule.forRoot({ validate })`.
 * An empty value counts as unset. Unknown variables are ignored.
 * @throws ConfigValidationError naming every bad variable and why.
 */
export function validateConfig(env: Record<string, unknown>): AppConfig {
  const given: Partial<Record<ConfigVariable, unknown>> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    given[name] = value;
  }

  const config = plainToInstance(AppConfig, given, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: true });
  if (errors.length > 0) {
    const problems = errors
      .map((error) => error.property as ConfigVariable)
      .filter((name) => name in CONFIG_RULES)
      .sort((a, b) => CONFIG_VARIABLES.indexOf(a) - CONFIG_VARIABLES.indexOf(b))
      .map((variable) => ({
        variable,
        // A secret is never echoed, not even a wrong one.
        message: SECRET_VARIABLES.has(variable)
          ? `${variable} ${CONFIG_RULES[variable]}`
          : `${variable} ${CONFIG_RULES[variable]} (got ${JSON.stringify(maskCredentials(String(given[variable])))})`,
      }));
    throw new ConfigValidationError(problems);
  }
  return Object.freeze(config);
}
