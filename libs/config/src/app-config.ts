import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, ValidateBy } from 'class-validator';

export const MUSKEL_ROLES = ['all', 'api', 'worker'] as const;
export type MuskelRole = (typeof MUSKEL_ROLES)[number];

/** pino's levels; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/**
 * Why each variable can be rejected. Every constraint on a property uses its one sentence, so an error names each
 * bad variable once, with the rule it breaks.
 */
export const CONFIG_RULES = {
  PORT: 'must be an integer from 1 to 65535',
  DATABASE_URL: 'must be a postgres:// or postgresql:// URL',
  MUSKEL_DATA_DIR: 'must be a non-empty directory path',
  REDIS_URL: 'must be a redis:// or rediss:// URL',
  MUSKEL_ROLE: `must be one of ${MUSKEL_ROLES.join(', ')}`,
  LOG_LEVEL: `must be one of ${LOG_LEVELS.join(', ')}`,
  NODE_ENV: `must be one of ${NODE_ENVS.join(', ')}`,
  CORS_ORIGINS:
    'must be a comma-separated list of origins such as https://app.example.org (scheme, host, optional port)',
  BODY_LIMIT: 'must be a size such as 1mb, 512kb or 1048576 (bytes), from 1kb to 100mb',
  AUTH_TOKEN_SECRET: 'must be at least 32 characters (a random string shared by every API process)',
  AUTH_ACCESS_TOKEN_TTL: 'must be a whole number of seconds from 60 to 86400',
  AUTH_REFRESH_TOKEN_TTL: 'must be a whole number of seconds from 300 to 2592000',
  AUTH_LOCKOUT_SECONDS: 'must be a whole number of seconds from 1 to 86400',
  AUDIT_LOG_ORIGIN: 'must be a log origin such as audit.example.go.id/log (letters, digits, ".", "-", "_", "/")',
  AUDIT_SIGNER_KEY: 'must be an Ed25519 signer key in note format (PRIVATE+KEY+<name>+<id>+<key>)',
} as const;

export type ConfigVariable = keyof typeof CONFIG_RULES;
export const CONFIG_VARIABLES = Object.keys(CONFIG_RULES) as ConfigVariable[];

function hasProtocol(value: unknown, protocols: readonly string[]): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    // postgresql:///db?host=/run/postgresql (a Unix socket) has no host; every other form needs one.
    return protocols.includes(url.protocol) && (url.host !== '' || url.searchParams.has('host'));
  } catch {
    return false;
  }
}

function IsUrlWithProtocol(protocols: readonly string[], message: string): PropertyDecorator {
  return ValidateBy(
    { name: 'isUrlWithProtocol', validator: { validate: (value) => hasProtocol(value, protocols) } },
    { message },
  );
}

const trimmed = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const lowerCased = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
/** Only plain decimal digits become a number; anything else stays a string and fails `@IsInt`. */
const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;

/** `scheme://host[:port]` of http or https, nothing else: what a browser sends in `Origin`. */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Smallest and largest accepted `BODY_LIMIT`, in bytes. */
export const BODY_LIMIT_RANGE = { min: 1024, max: 100 * 1024 * 1024 } as const;

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/;
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Bytes in a size such as `1mb`, `512kb`, `1.5mb` or `1048576` (binary units, as body-parser reads them). */
export function parseByteSize(value: string): number | undefined {
  const match = SIZE.exec(value.trim().toLowerCase());
  if (!match?.[1]) return undefined;
  return Math.floor(Number(match[1]) * (UNIT_BYTES[match[2] ?? 'b'] ?? 1));
}

/** `a, b ,,c` -> `['a', 'b', 'c']` (a trailing slash dropped, as browsers never send one). */
const toOriginList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? Object.freeze(
        value
          .split(',')
          .map((entry) => entry.trim().replace(/\/$/, ''))
          .filter((entry) => entry !== ''),
      )
    : value;

/**
 * The service's configuration, read from environment variables and validated at boot (see `validateConfig`).
 * Also the Nest injection token for it: `constructor(private readonly config: AppConfig)`.
 */
export class AppConfig {
  /** HTTP port. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.PORT })
  @Min(1, { message: CONFIG_RULES.PORT })
  @Max(65535, { message: CONFIG_RULES.PORT })
  readonly PORT: number = 3000;

  /** PostgreSQL server for the event store and read models; unset: embedded PGlite under `MUSKEL_DATA_DIR`. */
  @IsOptional()
  @Transform(trimmed)
  @IsUrlWithProtocol(['postgres:', 'postgresql:'], CONFIG_RULES.DATABASE_URL)
  readonly DATABASE_URL?: string;

  /** Where the embedded PGlite database (and other local state) lives. */
  @Transform(trimmed)
  @IsString({ message: CONFIG_RULES.MUSKEL_DATA_DIR })
  @IsNotEmpty({ message: CONFIG_RULES.MUSKEL_DATA_DIR })
  readonly MUSKEL_DATA_DIR: string = './data';

  /** Redis for background jobs (BullMQ). */
  @Transform(trimmed)
  @IsUrlWithProtocol(['redis:', 'rediss:'], CONFIG_RULES.REDIS_URL)
  readonly REDIS_URL: string = 'redis://127.0.0.1:6379';

  /** Which parts this process runs: the HTTP API, the background worker, or both. */
  @Transform(lowerCased)
  @IsIn(MUSKEL_ROLES, { message: CONFIG_RULES.MUSKEL_ROLE })
  readonly MUSKEL_ROLE: MuskelRole = 'all';

  @Transform(lowerCased)
  @IsIn(LOG_LEVELS, { message: CONFIG_RULES.LOG_LEVEL })
  readonly LOG_LEVEL: LogLevel = 'info';

  /** `development` turns on human-readable logs; unset means production. */
  @Transform(lowerCased)
  @IsIn(NODE_ENVS, { message: CONFIG_RULES.NODE_ENV })
  readonly NODE_ENV: NodeEnv = 'production';

  /**
   * Browser origins allowed to call the API cross-origin (CORS), comma-separated. Empty (the default): CORS is off
   * and browsers only call the API from its own origin.
   */
  @Transform(toOriginList)
  @ValidateBy(
    {
      name: 'isOriginList',
      validator: { validate: (value) => Array.isArray(value) && value.every((entry) => isOrigin(entry)) },
    },
    { message: CONFIG_RULES.CORS_ORIGINS },
  )
  readonly CORS_ORIGINS: readonly string[] = Object.freeze([]);

  /** Largest accepted JSON request body; bigger ones are answered 413. */
  @Transform(lowerCased)
  @ValidateBy(
    {
      name: 'isByteSize',
      validator: {
        validate: (value) => {
          const bytes = typeof value === 'string' ? parseByteSize(value) : undefined;
          return bytes !== undefined && bytes >= BODY_LIMIT_RANGE.min && bytes <= BODY_LIMIT_RANGE.max;
        },
      },
    },
    { message: CONFIG_RULES.BODY_LIMIT },
  )
  readonly BODY_LIMIT: string = '1mb';

  /**
   * Signs access tokens. Unset: a random secret is created once and kept in the database, which every process
   * of one deployment shares.
   */
  @IsOptional()
  @IsString({ message: CONFIG_RULES.AUTH_TOKEN_SECRET })
  @ValidateBy(
    { name: 'minLength32', validator: { validate: (value) => typeof value === 'string' && value.length >= 32 } },
    { message: CONFIG_RULES.AUTH_TOKEN_SECRET },
  )
  readonly AUTH_TOKEN_SECRET?: string;

  /** Lifetime of an access token, in seconds. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.AUTH_ACCESS_TOKEN_TTL })
  @Min(60, { message: CONFIG_RULES.AUTH_ACCESS_TOKEN_TTL })
  @Max(86_400, { message: CONFIG_RULES.AUTH_ACCESS_TOKEN_TTL })
  readonly AUTH_ACCESS_TOKEN_TTL: number = 900;

  /** Lifetime of a session (its refresh token), in seconds: a working day by default. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.AUTH_REFRESH_TOKEN_TTL })
  @Min(300, { message: CONFIG_RULES.AUTH_REFRESH_TOKEN_TTL })
  @Max(2_592_000, { message: CONFIG_RULES.AUTH_REFRESH_TOKEN_TTL })
  readonly AUTH_REFRESH_TOKEN_TTL: number = 43_200;

  /** How long a username stays locked after 9 failed sign-ins in a row, in seconds. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.AUTH_LOCKOUT_SECONDS })
  @Min(1, { message: CONFIG_RULES.AUTH_LOCKOUT_SECONDS })
  @Max(86_400, { message: CONFIG_RULES.AUTH_LOCKOUT_SECONDS })
  readonly AUTH_LOCKOUT_SECONDS: number = 900;

  /** The audit log's origin: the first line of every signed checkpoint, naming this log to its verifiers. */
  @IsString({ message: CONFIG_RULES.AUDIT_LOG_ORIGIN })
  @ValidateBy(
    {
      name: 'isLogOrigin',
      validator: {
        validate: (value) => typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9._\-/]{2,99}$/.test(value),
      },
    },
    { message: CONFIG_RULES.AUDIT_LOG_ORIGIN },
  )
  readonly AUDIT_LOG_ORIGIN: string = 'muskel.local/audit-log';

  /**
   * Signs the audit log's checkpoints. Unset: a key is generated on first use and kept in the database (the
   * embedded default); in production set it, from a secret store, and publish its verifier key.
   */
  @IsOptional()
  @IsString({ message: CONFIG_RULES.AUDIT_SIGNER_KEY })
  @ValidateBy(
    {
      name: 'isSignerKey',
      validator: {
        validate: (value) =>
          typeof value === 'string' && /^PRIVATE\+KEY\+[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(value),
      },
    },
    { message: CONFIG_RULES.AUDIT_SIGNER_KEY },
  )
  readonly AUDIT_SIGNER_KEY?: string;
}
