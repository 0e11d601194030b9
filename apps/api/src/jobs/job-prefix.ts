import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '@muskel/event-store';

/**
 * The Redis key prefix of this deployment's jobs: JOBS_PREFIX, or `muskel-<id>` where the id is made once and kept
 * in the database. API and worker processes on one database share their queues; two databases never do, even on
 * one Redis (a job names ids only meaningful in its own database).
 */
const prefixes = new WeakMap<SqlExecutor, Promise<string>>();

export function jobsPrefix(db: SqlExecutor, configured: string | undefined): Promise<string> {
  if (configured !== undefined) return Promise.resolve(configured);
  let prefix = prefixes.get(db);
  if (!prefix) {
    prefix = instanceId(db).then((id) => `muskel-${id}`);
    prefixes.set(db, prefix);
  }
  return prefix;
}

async function instanceId(db: SqlExecutor): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.query(`CREATE TABLE IF NOT EXISTS muskel_instance (
        id smallint PRIMARY KEY CHECK (id = 1),
        instance_id text NOT NULL)`);
      break;
    } catch (error) {
      // Two processes creating the table at once: PostgreSQL's IF NOT EXISTS is not race-free; the loser retries.
      const code = (error as { code?: string }).code;
      if (attempt > 2 || (code !== '23505' && code !== '42P07')) throw error;
    }
  }
  await db.query('INSERT INTO muskel_instance (id, instance_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
    randomUUID().replace(/-/g, '').slice(0, 16),
  ]);
  const [row] = await db.query<{ instance_id: string }>('SELECT instance_id FROM muskel_instance WHERE id = 1');
  if (!row) throw new Error('the instance id could not be stored');
  return row.instance_id;
}

/** The Redis URL without its password, for messages. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable URL)';
  }
}
