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
  KURRENTDB_URL:
    'must be a KurrentDB connection string (kurrentdb:// or kurrentdb+discover://), with DATABASE_URL set for the read models',
  MUSKEL_DATA_DIR: 'must be a non-empty directory path',
  WEB_ROOT: 'must be a non-empty directory path',
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
  AUDIT_WITNESSES:
    'must be a JSON array of {"name", "url", "verifierKey"}: distinct names, http(s) URLs, verifier keys in note ' +
    'format (<name>+<id>+<key>) named like their witness',
  AUDIT_WITNESS_QUORUM: 'must be a whole number from 0 to the number of AUDIT_WITNESSES',
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: 'must be a whole number of seconds from 0 (off) to 86400',
  JOBS_PREFIX: 'must be 1 to 60 letters, digits, "-" or "_" (the Redis key prefix of the background jobs)',
  JOBS_CONCURRENCY: 'must be a whole number from 1 to 64',
  JOBS_RATE_LIMIT_PER_SECOND: 'must be a whole number from 0 (no limit) to 100000',
  JOBS_RECONCILE_AFTER_SECONDS: 'must be a whole number of seconds from 1 to 86400',
  JOBS_RECONCILE_INTERVAL_SECONDS: 'must be a whole number of seconds from 1 to 86400',
  CYCLE_MEETING_DAYS: 'must be a range of days of the month such as 1-14 (from day 1 to day 31, first day first)',
  CYCLE_CUTOFF_DAY: "must be a day of the month from 1 to 31 (a shorter month's cut-off is its last day)",
  CYCLE_REMINDER_DAYS: 'must be a whole number of days from 0 to 27 (how long before the cut-off reminders start)',
  CYCLE_TIME_ZONE: 'must be an IANA time zone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura',
  CYCLE_SCHEDULE: 'must be off or a cron pattern of 5 or 6 fields such as "0 * * * *" (read in CYCLE_TIME_ZONE)',
  METRICS_TOKEN: 'must be at least 32 characters (the bearer token Prometheus presents to GET /metrics)',
  EVIDENCE_MAX_BYTES: 'must be a whole number of bytes from 1024 to 104857600 (100 MB)',
  PERSONAL_DATA_KEK: 'must be a 256-bit key: 32 bytes in base64 (44 characters) or 64 hex digits',
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

/** `1-14`: days of the month, first day first, 1 to 31. */
function isDayRange(value: unknown): boolean {
  const match = typeof value === 'string' ? /^(\d{1,2})\s*-\s*(\d{1,2})$/.exec(value) : null;
  return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= Number(match[2]) && Number(match[2]) <= 31;
}

function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** `off`, or 5 or 6 cron fields (BullMQ's cron-parser gives the final word when the schedule is declared). */
function isCronOrOff(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  return value === 'off' || /^[0-9*/,?LW#A-Za-z-]+(?:\s+[0-9*/,?LW#A-Za-z-]+){4,5}$/.test(value);
}

/** 32 bytes, as 64 hex digits or as base64. */
function isKek(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return true;
  return /^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, 'base64').length === 32;
}

/**
 * The client's connection-string schemes (`kurrentdb`, `kurrent`, `kdb`, each with `+discover` for gossip), then
 * one or more comma-separated hosts. Not `new URL()`: a cluster's `host1:2113,host2:2113` is no URL authority.
 */
const KURRENTDB_URL_PATTERN =
  /^(?:kurrentdb|kurrent|kdb)(?:\+discover)?:\/\/(?:[^\s@/?#]+@)?[^\s@/?#,]+(?:,[^\s@/?#,]+)*\/?(?:\?\S*)?$/i;

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

/** One witness of the audit log (c2sp.org/tlog-witness): its key name, submission URL and verifier key. */
export interface AuditWitnessConfig {
  readonly name: string;
  readonly url: string;
  readonly verifierKey: string;
}

/** JSON text -> value; anything that is not JSON stays a string and fails validation. */
const fromJson = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

const VERIFIER_KEY = /^([^+\s]+)\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/;

function isWitnessList(value: unknown): value is AuditWitnessConfig[] {
  if (!Array.isArray(value)) return false;
  const names = new Set<string>();
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
    const { name, url, verifierKey, ...rest } = entry as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || typeof name !== 'string' || names.has(name)) return false;
    if (typeof url !== 'string' || typeof verifierKey !== 'string') return false;
    if (VERIFIER_KEY.exec(verifierKey)?.[1] !== name) return false;
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
    } catch {
      return false;
    }
    names.add(name);
  }
  return true;
}

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

  /**
   * KurrentDB server for the events instead of PostgreSQL; checkpoints, leases and read models stay in DATABASE_URL,
   * which it therefore needs.
   */
  @IsOptional()
  @Transform(trimmed)
  @ValidateBy(
    {
      name: 'isKurrentDbUrl',
      validator: {
        validate: (value, args) =>
          typeof value === 'string' &&
          KURRENTDB_URL_PATTERN.test(value) &&
          typeof (args?.object as { DATABASE_URL?: unknown } | undefined)?.DATABASE_URL === 'string',
      },
    },
    { message: CONFIG_RULES.KURRENTDB_URL },
  )
  readonly KURRENTDB_URL?: string;

  /** Where the embedded PGlite database (and other local state) lives. */
  @Transform(trimmed)
  @IsString({ message: CONFIG_RULES.MUSKEL_DATA_DIR })
  @IsNotEmpty({ message: CONFIG_RULES.MUSKEL_DATA_DIR })
  readonly MUSKEL_DATA_DIR: string = './data';

  /** The built web application (`npm run build:web`), served at `/`. */
  @Transform(trimmed)
  @IsString({ message: CONFIG_RULES.WEB_ROOT })
  @IsNotEmpty({ message: CONFIG_RULES.WEB_ROOT })
  readonly WEB_ROOT: string = './dist/web';

  /** Redis for background jobs (BullMQ). */
  @Transform(trimmed)
  @IsUrlWithProtocol(['redis:', 'rediss:'], CONFIG_RULES.REDIS_URL)
  readonly REDIS_URL: string = 'redis://127.0.0.1:6379';

  /**
   * Prefix of the background jobs' Redis keys. Unset: `muskel-<id of this database>`, so deployments (and test
   * runs) sharing one Redis never take each other's jobs; set it to share queues on purpose.
   */
  @IsOptional()
  @Transform(trimmed)
  @ValidateBy(
    {
      name: 'isJobsPrefix',
      validator: { validate: (value) => typeof value === 'string' && /^[A-Za-z0-9_-]{1,60}$/.test(value) },
    },
    { message: CONFIG_RULES.JOBS_PREFIX },
  )
  readonly JOBS_PREFIX?: string;

  /** Jobs of one queue running at once, across every worker process (BullMQ global concurrency). */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.JOBS_CONCURRENCY })
  @Min(1, { message: CONFIG_RULES.JOBS_CONCURRENCY })
  @Max(64, { message: CONFIG_RULES.JOBS_CONCURRENCY })
  readonly JOBS_CONCURRENCY: number = 4;

  /** Jobs started per second per queue across all workers (BullMQ's global rate limit); 0: no limit. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.JOBS_RATE_LIMIT_PER_SECOND })
  @Min(0, { message: CONFIG_RULES.JOBS_RATE_LIMIT_PER_SECOND })
  @Max(100_000, { message: CONFIG_RULES.JOBS_RATE_LIMIT_PER_SECOND })
  readonly JOBS_RATE_LIMIT_PER_SECOND: number = 0;

  /** Work still without its result after this long is enqueued again by the reconciler. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.JOBS_RECONCILE_AFTER_SECONDS })
  @Min(1, { message: CONFIG_RULES.JOBS_RECONCILE_AFTER_SECONDS })
  @Max(86_400, { message: CONFIG_RULES.JOBS_RECONCILE_AFTER_SECONDS })
  readonly JOBS_RECONCILE_AFTER_SECONDS: number = 300;

  /** How often the reconciler looks for work without a result. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.JOBS_RECONCILE_INTERVAL_SECONDS })
  @Min(1, { message: CONFIG_RULES.JOBS_RECONCILE_INTERVAL_SECONDS })
  @Max(86_400, { message: CONFIG_RULES.JOBS_RECONCILE_INTERVAL_SECONDS })
  readonly JOBS_RECONCILE_INTERVAL_SECONDS: number = 60;

  /** The days of the month villages hold their meetings (musyawarah), e.g. `1-14`: named in the reminders. */
  @Transform(trimmed)
  @IsString({ message: CONFIG_RULES.CYCLE_MEETING_DAYS })
  @ValidateBy(
    { name: 'isDayRange', validator: { validate: (value) => isDayRange(value) } },
    { message: CONFIG_RULES.CYCLE_MEETING_DAYS },
  )
  readonly CYCLE_MEETING_DAYS: string = '1-14';

  /** The day of the month the regency's batch stops taking proposals; it closes when the next day starts. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.CYCLE_CUTOFF_DAY })
  @Min(1, { message: CONFIG_RULES.CYCLE_CUTOFF_DAY })
  @Max(31, { message: CONFIG_RULES.CYCLE_CUTOFF_DAY })
  readonly CYCLE_CUTOFF_DAY: number = 25;

  /** Villages with proposals not yet deliberated are reminded from this many days before the cut-off date. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.CYCLE_REMINDER_DAYS })
  @Min(0, { message: CONFIG_RULES.CYCLE_REMINDER_DAYS })
  @Max(27, { message: CONFIG_RULES.CYCLE_REMINDER_DAYS })
  readonly CYCLE_REMINDER_DAYS: number = 5;

  /** The time zone of the cycle's calendar (days start at local midnight). */
  @Transform(trimmed)
  @IsString({ message: CONFIG_RULES.CYCLE_TIME_ZONE })
  @ValidateBy(
    { name: 'isTimeZone', validator: { validate: (value) => isTimeZone(value) } },
    { message: CONFIG_RULES.CYCLE_TIME_ZONE },
  )
  readonly CYCLE_TIME_ZONE: string = 'Asia/Jakarta';

  /**
   * When the worker looks for due cycle steps (a BullMQ job scheduler, so several workers look once); a late look
   * catches up. `off`: no schedule (steps only when an operator runs them).
   */
  @Transform(trimmed)
  @IsString({ message: CONFIG_RULES.CYCLE_SCHEDULE })
  @ValidateBy(
    { name: 'isCronOrOff', validator: { validate: (value) => isCronOrOff(value) } },
    { message: CONFIG_RULES.CYCLE_SCHEDULE },
  )
  readonly CYCLE_SCHEDULE: string = '0 * * * *';

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

  /** Largest evidence file (a scan or photo attached to a proposal) accepted by POST /evidence-files; bigger: 413. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.EVIDENCE_MAX_BYTES })
  @Min(1024, { message: CONFIG_RULES.EVIDENCE_MAX_BYTES })
  @Max(100 * 1024 * 1024, { message: CONFIG_RULES.EVIDENCE_MAX_BYTES })
  readonly EVIDENCE_MAX_BYTES: number = 10 * 1024 * 1024;

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

  /**
   * The witnesses asked to cosign each checkpoint, as JSON. Empty (the default, the embedded demo): checkpoints
   * carry the log's signature only.
   */
  @Transform(fromJson)
  @ValidateBy(
    { name: 'isWitnessList', validator: { validate: (value) => isWitnessList(value) } },
    { message: CONFIG_RULES.AUDIT_WITNESSES },
  )
  readonly AUDIT_WITNESSES: readonly AuditWitnessConfig[] = Object.freeze([]);

  /** How many of AUDIT_WITNESSES must cosign a checkpoint before it is published; 0 publishes log-signed ones. */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.AUDIT_WITNESS_QUORUM })
  @Min(0, { message: CONFIG_RULES.AUDIT_WITNESS_QUORUM })
  @ValidateBy(
    {
      name: 'isReachableQuorum',
      validator: {
        validate: (value, args) => {
          const witnesses = (args?.object as { AUDIT_WITNESSES?: unknown } | undefined)?.AUDIT_WITNESSES;
          // Bad AUDIT_WITNESSES is reported on its own; the quorum is compared with a list only.
          return typeof value === 'number' && (!Array.isArray(witnesses) || value <= witnesses.length);
        },
      },
    },
    { message: CONFIG_RULES.AUDIT_WITNESS_QUORUM },
  )
  readonly AUDIT_WITNESS_QUORUM: number = 0;

  /**
   * How often the worker signs a checkpoint of the audit log when it has grown (a BullMQ job scheduler, so several
   * workers sign once per interval); 0 turns the schedule off (checkpoints then only on demand).
   */
  @Transform(toInteger)
  @IsInt({ message: CONFIG_RULES.AUDIT_CHECKPOINT_INTERVAL_SECONDS })
  @Min(0, { message: CONFIG_RULES.AUDIT_CHECKPOINT_INTERVAL_SECONDS })
  @Max(86_400, { message: CONFIG_RULES.AUDIT_CHECKPOINT_INTERVAL_SECONDS })
  readonly AUDIT_CHECKPOINT_INTERVAL_SECONDS: number = 60;

  /**
   * Wraps the per-household data keys that encrypt personal data in the event log. Unset: generated on the first
   * start and kept in the database (the embedded default); production supplies it from a secret file or a KMS
   * (`PERSONAL_DATA_KEK_FILE`), so a copy of the database alone decrypts nothing. Never printed.
   */
  @IsOptional()
  @IsString({ message: CONFIG_RULES.PERSONAL_DATA_KEK })
  @ValidateBy(
    { name: 'isKek', validator: { validate: (value) => isKek(value) } },
    { message: CONFIG_RULES.PERSONAL_DATA_KEK },
  )
  readonly PERSONAL_DATA_KEK?: string;

  /**
   * When set, `GET /metrics` answers only a request carrying `Authorization: Bearer <METRICS_TOKEN>`. Unset: the
   * endpoint is public (it holds no personal data; keep it on an internal network or behind the proxy).
   */
  @IsOptional()
  @IsString({ message: CONFIG_RULES.METRICS_TOKEN })
  @ValidateBy(
    { name: 'minLength32', validator: { validate: (value) => typeof value === 'string' && value.length >= 32 } },
    { message: CONFIG_RULES.METRICS_TOKEN },
  )
  readonly METRICS_TOKEN?: string;
}
