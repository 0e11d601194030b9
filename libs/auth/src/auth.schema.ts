import type { SqlExecutor } from '@muskel/event-store';

/**
 * Mutable tables of authentication, outside the event log on purpose: password hashes and token hashes must be
 * replaceable and erasable, and the log only records that a credential changed (`CredentialChanged`).
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE auth_credentials (
  user_id       uuid PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  changed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE auth_login_attempts (
  username     text PRIMARY KEY,
  failures     integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_failure timestamptz
);
CREATE TABLE auth_sessions (
  session_id     uuid PRIMARY KEY,
  user_id        uuid NOT NULL,
  refresh_hash   text NOT NULL,
  previous_hash  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  refreshed_at   timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoked_reason text
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id) WHERE revoked_at IS NULL;
CREATE TABLE auth_api_tokens (
  token_id     uuid PRIMARY KEY,
  user_id      uuid NOT NULL,
  name         text NOT NULL,
  token_hash   text NOT NULL,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX auth_api_tokens_user ON auth_api_tokens (user_id);
CREATE TABLE auth_signing_keys (
  key_id     text PRIMARY KEY,
  secret     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
];

const LOCK_KEY = 7_342_118_590_222;

/** Creates or upgrades the authentication tables; safe from several processes at once. */
export async function migrateAuthSchema(db: SqlExecutor): Promise<void> {
  await db.transaction(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1::bigint)', [LOCK_KEY]);
    await q.exec(
      'CREATE TABLE IF NOT EXISTS auth_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set(
      (await q.query<{ version: number }>('SELECT version FROM auth_schema_migrations')).map((r) => r.version),
    );
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await q.exec(migration.sql);
      await q.query('INSERT INTO auth_schema_migrations (version) VALUES ($1)', [migration.version]);
    }
  });
}
