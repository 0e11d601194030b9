import { AppConfig, ConfigValidationError, maskCredentials, parseByteSize, validateConfig } from './index';

function problemsOf(env: Record<string, unknown>): string[] {
  try {
    validateConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).problems.map((p) => p.message);
  }
  throw new Error('expected validateConfig to throw');
}

/** A signer key in note format (from golang.org/x/mod/sumdb/note's tests: PeterNeumann). */
const SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';

const WITNESS = { name: 'w1.example', url: 'https://w1.example', verifierKey: 'w1.example+0a1b2c3d+BAAA' };

describe('validateConfig', () => {
  it('applies the defaults when nothing is set', () => {
    const config = validateConfig({});
    expect(config).toBeInstanceOf(AppConfig);
    expect({ ...config }).toEqual({
      PORT: 3000,
      MUSKEL_DATA_DIR: './data',
      WEB_ROOT: './dist/web',
      REDIS_URL: 'redis://127.0.0.1:6379',
      MUSKEL_ROLE: 'all',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      CORS_ORIGINS: [],
      BODY_LIMIT: '1mb',
      EVIDENCE_MAX_BYTES: 10_485_760,
      AUTH_ACCESS_TOKEN_TTL: 900,
      AUTH_REFRESH_TOKEN_TTL: 43_200,
      AUTH_LOCKOUT_SECONDS: 900,
      AUDIT_LOG_ORIGIN: 'muskel.local/audit-log',
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: 60,
      AUDIT_WITNESSES: [],
      AUDIT_WITNESS_QUORUM: 0,
      JOBS_CONCURRENCY: 4,
      JOBS_RATE_LIMIT_PER_SECOND: 0,
      JOBS_RECONCILE_AFTER_SECONDS: 300,
      JOBS_RECONCILE_INTERVAL_SECONDS: 60,
      CYCLE_MEETING_DAYS: '1-14',
      CYCLE_CUTOFF_DAY: 25,
      CYCLE_REMINDER_DAYS: 5,
      CYCLE_TIME_ZONE: 'Asia/Jakarta',
      CYCLE_SCHEDULE: '0 * * * *',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.AUTH_TOKEN_SECRET).toBeUndefined();
    expect(config.AUDIT_SIGNER_KEY).toBeUndefined();
  });

  it('treats empty values as unset and ignores unknown variables', () => {
    const config = validateConfig({ PORT: '', DATABASE_URL: '  ', LOG_LEVEL: '', HOME: '/root', PATH: '/bin' });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.LOG_LEVEL).toBe('info');
    expect(config).not.toHaveProperty('HOME');
  });

  it('reads every variable', () => {
    const config = validateConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://muskel:secret@db.internal:5432/muskel?sslmode=require',
      MUSKEL_DATA_DIR: '/var/lib/muskel',
      WEB_ROOT: '/srv/muskel/web',
      REDIS_URL: 'rediss://:pw@cache:6380/2',
      MUSKEL_ROLE: 'worker',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'development',
      CORS_ORIGINS: 'https://app.muskel.id, http://localhost:5173',
      BODY_LIMIT: '256KB',
      EVIDENCE_MAX_BYTES: '5242880',
      AUTH_TOKEN_SECRET: 'x'.repeat(40),
      AUTH_ACCESS_TOKEN_TTL: '300',
      AUTH_REFRESH_TOKEN_TTL: '3600',
      AUTH_LOCKOUT_SECONDS: '60',
      AUDIT_LOG_ORIGIN: 'audit.sidoarjokab.go.id/muskel',
      AUDIT_SIGNER_KEY: SIGNER_KEY,
      AUDIT_WITNESSES: JSON.stringify([WITNESS]),
      AUDIT_WITNESS_QUORUM: '1',
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
      JOBS_PREFIX: 'muskel-sidoarjo',
      JOBS_CONCURRENCY: '8',
      JOBS_RATE_LIMIT_PER_SECOND: '50',
      JOBS_RECONCILE_AFTER_SECONDS: '600',
      JOBS_RECONCILE_INTERVAL_SECONDS: '120',
      CYCLE_MEETING_DAYS: '2-12',
      CYCLE_CUTOFF_DAY: '20',
      CYCLE_REMINDER_DAYS: '3',
      CYCLE_TIME_ZONE: 'Asia/Makassar',
      CYCLE_SCHEDULE: '30 6 * * *',
      METRICS_TOKEN: 'm'.repeat(32),
      PERSONAL_DATA_KEK: 'ab'.repeat(32),
    });
    expect({ ...config }).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgresql://muskel:secret@db.internal:5432/muskel?sslmode=require',
      MUSKEL_DATA_DIR: '/var/lib/muskel',
      WEB_ROOT: '/srv/muskel/web',
      REDIS_URL: 'rediss://:pw@cache:6380/2',
      MUSKEL_ROLE: 'worker',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'development',
      CORS_ORIGINS: ['https://app.muskel.id', 'http://localhost:5173'],
      BODY_LIMIT: '256kb',
      EVIDENCE_MAX_BYTES: 5_242_880,
      AUTH_TOKEN_SECRET: 'x'.repeat(40),
      AUTH_ACCESS_TOKEN_TTL: 300,
      AUTH_REFRESH_TOKEN_TTL: 3600,
      AUTH_LOCKOUT_SECONDS: 60,
      AUDIT_LOG_ORIGIN: 'audit.sidoarjokab.go.id/muskel',
      AUDIT_SIGNER_KEY: SIGNER_KEY,
      AUDIT_WITNESSES: [WITNESS],
      AUDIT_WITNESS_QUORUM: 1,
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: 0,
      JOBS_PREFIX: 'muskel-sidoarjo',
      JOBS_CONCURRENCY: 8,
      JOBS_RATE_LIMIT_PER_SECOND: 50,
      JOBS_RECONCILE_AFTER_SECONDS: 600,
      JOBS_RECONCILE_INTERVAL_SECONDS: 120,
      CYCLE_MEETING_DAYS: '2-12',
      CYCLE_CUTOFF_DAY: 20,
      CYCLE_REMINDER_DAYS: 3,
      CYCLE_TIME_ZONE: 'Asia/Makassar',
      CYCLE_SCHEDULE: '30 6 * * *',
      METRICS_TOKEN: 'm'.repeat(32),
      PERSONAL_DATA_KEK: 'ab'.repeat(32),
    });
  });

  it('refuses a malformed audit origin or signer key, never echoing the key', () => {
    expect(() => validateConfig({ AUDIT_LOG_ORIGIN: 'has spaces in it' })).toThrow(/AUDIT_LOG_ORIGIN/);
    expect(() => validateConfig({ AUDIT_SIGNER_KEY: 'not-a-key-secret-value' })).toThrow(/AUDIT_SIGNER_KEY/);
    expect(() => validateConfig({ AUDIT_SIGNER_KEY: 'not-a-key-secret-value' })).toThrow(
      /^(?![\s\S]*not-a-key-secret-value)/,
    );
  });

  it.each([
    ['AUTH_TOKEN_SECRET', 'too-short'],
    ['AUTH_ACCESS_TOKEN_TTL', '10'],
    ['AUTH_REFRESH_TOKEN_TTL', 'forever'],
    ['AUTH_LOCKOUT_SECONDS', '0'],
    ['AUDIT_CHECKPOINT_INTERVAL_SECONDS', '-1'],
    ['AUDIT_CHECKPOINT_INTERVAL_SECONDS', 'hourly'],
    ['JOBS_PREFIX', 'has:colons'],
    ['JOBS_CONCURRENCY', '0'],
    ['JOBS_RATE_LIMIT_PER_SECOND', '-5'],
    ['JOBS_RECONCILE_AFTER_SECONDS', '0'],
    ['JOBS_RECONCILE_INTERVAL_SECONDS', 'often'],
    ['CYCLE_MEETING_DAYS', '14-1'],
    ['CYCLE_MEETING_DAYS', 'early'],
    ['CYCLE_CUTOFF_DAY', '32'],
    ['CYCLE_CUTOFF_DAY', '0'],
    ['CYCLE_REMINDER_DAYS', '28'],
    ['CYCLE_TIME_ZONE', 'WIB'],
    ['CYCLE_SCHEDULE', 'hourly'],
    ['CYCLE_SCHEDULE', '0 * *'],
  ])('rejects %s=%j and names it', (name, value) => {
    expect(() => validateConfig({ [name]: value })).toThrow(name);
  });

  it('never echoes a secret, even a bad one', () => {
    expect(() => validateConfig({ AUTH_TOKEN_SECRET: 'short-secret-value' })).toThrow(/^(?![\s\S]*short-secret-value)/);
  });

  it('reads CORS_ORIGINS as a list: blanks and trailing slashes dropped, frozen', () => {
    const config = validateConfig({ CORS_ORIGINS: ' https://a.example.org/ ,, https://b.example.org:8443 ' });
    expect(config.CORS_ORIGINS).toEqual(['https://a.example.org', 'https://b.example.org:8443']);
    expect(Object.isFrozen(config.CORS_ORIGINS)).toBe(true);
    expect(validateConfig({ CORS_ORIGINS: ' , ' }).CORS_ORIGINS).toEqual([]);
  });

  it.each([
    ['1mb', 1048576],
    ['512kb', 524288],
    ['1.5MB', 1572864],
    ['2048', 2048],
    ['10 kb', 10240],
    ['abc', undefined],
    ['1tb', undefined],
    ['-1kb', undefined],
  ])('parseByteSize(%s)', (value, bytes) => {
    expect(parseByteSize(value)).toBe(bytes);
  });

  it('accepts the postgres:// scheme, a Unix-socket URL and values needing a trim or lower-casing', () => {
    expect(validateConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }).DATABASE_URL).toBe(
      'postgres://postgres@127.0.0.1:5432/test',
    );
    expect(validateConfig({ DATABASE_URL: 'postgresql:///muskel?host=/run/postgresql' }).DATABASE_URL).toBeDefined();
    const config = validateConfig({ PORT: ' 1 ', MUSKEL_ROLE: 'API', LOG_LEVEL: 'Warn ', NODE_ENV: 'TEST' });
    expect([config.PORT, config.MUSKEL_ROLE, config.LOG_LEVEL, config.NODE_ENV]).toEqual([1, 'api', 'warn', 'test']);
  });

  it('accepts KURRENTDB_URL (single node, cluster, discovery) together with DATABASE_URL', () => {
    const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/muskel';
    for (const url of [
      'kurrentdb://127.0.0.1:2113?tls=false',
      'kurrentdb://admin:changeit@node1:2113,node2:2113,node3:2113?tls=true&nodePreference=leader',
      'kurrentdb+discover://cluster.internal:2113',
      'kdb://localhost',
    ]) {
      expect(validateConfig({ DATABASE_URL, KURRENTDB_URL: url }).KURRENTDB_URL).toBe(url);
    }
    expect(validateConfig({ DATABASE_URL }).KURRENTDB_URL).toBeUndefined();
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(validateConfig({}))).toBe(true);
  });

  describe('rejects', () => {
    it.each([
      ['abc', 'PORT must be an integer from 1 to 65535 (got "abc")'],
      ['0', 'PORT must be an integer from 1 to 65535 (got "0")'],
      ['65536', 'PORT must be an integer from 1 to 65535 (got "65536")'],
      ['80.5', 'PORT must be an integer from 1 to 65535 (got "80.5")'],
      ['-1', 'PORT must be an integer from 1 to 65535 (got "-1")'],
      ['3000abc', 'PORT must be an integer from 1 to 65535 (got "3000abc")'],
    ])('PORT=%s', (value, message) => {
      expect(problemsOf({ PORT: value })).toEqual([message]);
    });

    it.each([
      [
        'mysql://root@localhost/db',
        'DATABASE_URL must be a postgres:// or postgresql:// URL (got "mysql://root@localhost/db")',
      ],
      [
        'localhost:5432/muskel',
        'DATABASE_URL must be a postgres:// or postgresql:// URL (got "localhost:5432/muskel")',
      ],
      ['postgres://', 'DATABASE_URL must be a postgres:// or postgresql:// URL (got "postgres://")'],
    ])('DATABASE_URL=%s', (value, message) => {
      expect(problemsOf({ DATABASE_URL: value })).toEqual([message]);
    });

    it.each([
      ['esdb://127.0.0.1:2113', 'postgres://postgres@127.0.0.1/muskel'],
      ['http://127.0.0.1:2113', 'postgres://postgres@127.0.0.1/muskel'],
      ['kurrentdb://', 'postgres://postgres@127.0.0.1/muskel'],
      ['kurrentdb://a b:2113', 'postgres://postgres@127.0.0.1/muskel'],
      // Valid, but KurrentDB needs the read-model database.
      ['kurrentdb://127.0.0.1:2113', undefined],
    ])('KURRENTDB_URL=%s (DATABASE_URL %s)', (value, databaseUrl) => {
      expect(problemsOf({ KURRENTDB_URL: value, DATABASE_URL: databaseUrl })).toEqual([
        `KURRENTDB_URL must be a KurrentDB connection string (kurrentdb:// or kurrentdb+discover://), with DATABASE_URL set for the read models (got ${JSON.stringify(value)})`,
      ]);
    });

    it('KURRENTDB_URL without printing its password', () => {
      const [message] = problemsOf({ KURRENTDB_URL: 'kurrentdb://admin:hunter2@node1:2113' });
      expect(message).toContain('(got "kurrentdb://admin:***@node1:2113")');
      expect(message).not.toContain('hunter2');
    });

    it('DATABASE_URL without printing its password', () => {
      const [message] = problemsOf({ DATABASE_URL: 'mysql://app:hunter2@db/muskel' });
      expect(message).toBe('DATABASE_URL must be a postgres:// or postgresql:// URL (got "mysql://app:***@db/muskel")');
      expect(message).not.toContain('hunter2');
    });

    it('REDIS_URL that is not redis:// or rediss://', () => {
      expect(problemsOf({ REDIS_URL: 'http://127.0.0.1:6379' })).toEqual([
        'REDIS_URL must be a redis:// or rediss:// URL (got "http://127.0.0.1:6379")',
      ]);
    });

    it('MUSKEL_ROLE outside all, api, worker', () => {
      expect(problemsOf({ MUSKEL_ROLE: 'boss' })).toEqual(['MUSKEL_ROLE must be one of all, api, worker (got "boss")']);
    });

    it('LOG_LEVEL that pino does not know', () => {
      expect(problemsOf({ LOG_LEVEL: 'verbose' })).toEqual([
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
      ]);
    });

    it('NODE_ENV outside development, production, test', () => {
      expect(problemsOf({ NODE_ENV: 'staging' })).toEqual([
        'NODE_ENV must be one of development, production, test (got "staging")',
      ]);
    });

    it.each([
      ['*'],
      ['app.muskel.id'],
      ['https://app.muskel.id/path'],
      ['ftp://files.muskel.id'],
      ['https://a.example.org, null'],
    ])('CORS_ORIGINS=%s', (value) => {
      expect(problemsOf({ CORS_ORIGINS: value })).toEqual([
        `CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.org (scheme, host, optional port) (got ${JSON.stringify(value)})`,
      ]);
    });

    it.each([['abc'], ['1tb'], ['100b'], ['101mb'], ['-5kb']])('BODY_LIMIT=%s', (value) => {
      expect(problemsOf({ BODY_LIMIT: value })).toEqual([
        `BODY_LIMIT must be a size such as 1mb, 512kb or 1048576 (bytes), from 1kb to 100mb (got ${JSON.stringify(value)})`,
      ]);
    });

    it.each([['10mb'], ['1023'], ['104857601'], ['-1']])('EVIDENCE_MAX_BYTES=%s', (value) => {
      expect(problemsOf({ EVIDENCE_MAX_BYTES: value })).toEqual([
        `EVIDENCE_MAX_BYTES must be a whole number of bytes from 1024 to 104857600 (100 MB) (got ${JSON.stringify(value)})`,
      ]);
    });

    it('several variables at once, naming each in the error message', () => {
      const env = { PORT: 'abc', DATABASE_URL: 'nope', REDIS_URL: 'redis', MUSKEL_ROLE: 'x', LOG_LEVEL: 'loud' };
      expect(() => validateConfig(env)).toThrow(ConfigValidationError);
      let error: unknown;
      try {
        validateConfig(env);
      } catch (caught) {
        error = caught;
      }
      const { message, problems } = error as ConfigValidationError;
      expect(problems.map((p) => p.variable)).toEqual([
        'PORT',
        'DATABASE_URL',
        'REDIS_URL',
        'MUSKEL_ROLE',
        'LOG_LEVEL',
      ]);
      expect(message).toContain('5 environment variables rejected');
      expect(message).toContain('PORT must be an integer from 1 to 65535 (got "abc")');
      expect(message).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL (got "nope")');
      expect(message).toContain('REDIS_URL must be a redis:// or rediss:// URL (got "redis")');
      expect(message).toContain('MUSKEL_ROLE must be one of all, api, worker (got "x")');
      expect(message).toContain('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
    });
  });
});

describe('maskCredentials', () => {
  it.each([
    ['postgres://user:pw@host/db', 'postgres://user:***@host/db'],
    ['redis://:pw@host:6379', 'redis://:***@host:6379'],
    ['postgres://user@host/db', 'postgres://user@host/db'],
    ['not a url', 'not a url'],
  ])('%s', (input, output) => {
    expect(maskCredentials(input)).toBe(output);
  });
});
