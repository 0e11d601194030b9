import { readFileSync } from 'node:fs';
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

const SECRET_VARIABLES: ReadonlySet<ConfigVariable> = new Set([
  'AUTH_TOKEN_SECRET',
  'AUDIT_SIGNER_KEY',
  'METRICS_TOKEN',
  'PERSONAL_DATA_KEK',
]);

/**
 * Variables that may be given as a file instead, named by `<NAME>_FILE` (Docker and Compose secrets, systemd
 * credentials): the file's content, trailing newline dropped. Setting both is refused rather than guessed.
 */
export const FILE_VARIABLES: readonly ConfigVariable[] = [
  'DATABASE_URL',
  'KURRENTDB_URL',
  'REDIS_URL',
  'AUTH_TOKEN_SECRET',
  'AUDIT_SIGNER_KEY',
  'METRICS_TOKEN',
  'PERSONAL_DATA_KEK',
];

const isUnset = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** `env` with each `<NAME>_FILE` read into `<NAME>`, and the problems met on the way. */
function readVariableFiles(env: Record<string, unknown>): { env: Record<string, unknown>; problems: ConfigProblem[] } {
  const resolved = { ...env };
  const problems: ConfigProblem[] = [];
  for (const variable of FILE_VARIABLES) {
    const file = env[`${variable}_FILE`];
    if (isUnset(file)) continue;
    if (!isUnset(env[variable])) {
      problems.push({ variable, message: `${variable} and ${variable}_FILE are both set: set one of them` });
      continue;
    }
    try {
      resolved[variable] = readFileSync(String(file), 'utf8').replace(/\r?\n$/, '');
    } catch {
      problems.push({ variable, message: `${variable}_FILE must name a readable file (got ${JSON.stringify(file)})` });
    }
  }
  return { env: resolved, problems };
}

/** Hides the password in `scheme://user:password@host` so an error message never prints a secret. */
export function maskCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}

/**
 * Reads the known variables from `env` (normally `process.env`), applies defaults and validates them: the "custom
 * validate function" of Nest's configuration docs, so it also fits `ConfigModule.forRoot({ validate })`.
 * An empty value counts as unset. Unknown variables are ignored. `<NAME>_FILE` gives a secret as a file
 * (`FILE_VARIABLES`).
 * @throws ConfigValidationError naming every bad variable and why.
 */
export function validateConfig(rawEnv: Record<string, unknown>): AppConfig {
  const { env, problems: fileProblems } = readVariableFiles(rawEnv);
  const given: Partial<Record<ConfigVariable, unknown>> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (isUnset(value)) continue;
    given[name] = value;
  }

  const config = plainToInstance(AppConfig, given, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: true });
  if (errors.length > 0 || fileProblems.length > 0) {
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
    throw new ConfigValidationError([...fileProblems, ...problems]);
  }
  return Object.freeze(config);
}
