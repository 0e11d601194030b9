import { randomUUID } from 'node:crypto';
import { CommandPipeline } from '@muskel/application';
import { AuthRepository, migrateAuthSchema, registerUser } from '@muskel/auth';
import type { AppConfig } from '@muskel/config';
import type { SqlExecutor } from '@muskel/event-store';
import { readModelDatabaseOf } from '@muskel/personal-data';
import { openServiceStore } from './open-store';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * Bootstrap: the first administrator (role ADMIN, scope NATIONAL) on a store that has no users yet. The events
 * record the operator's command as actor SYSTEM; every later user is created through the API by an administrator.
 */
export async function createAdmin(
  config: AppConfig,
  input: { username: string; displayName: string; password: string },
): Promise<{ userId: string }> {
  const store = await openServiceStore(config);
  try {
    let database: SqlExecutor;
    try {
      database = readModelDatabaseOf(store);
    } catch {
      throw new CliError('this store has no SQL database for credentials', 1);
    }
    await migrateAuthSchema(database);
    const credentials = new AuthRepository(database);
    if (await credentials.anyCredential()) {
      throw new CliError(
        'users exist already: an administrator creates further users through the API (POST /users)',
        1,
      );
    }
    const id = randomUUID();
    const result = await registerUser(
      new CommandPipeline(store),
      credentials,
      { ...input, homeRegion: 'NATIONAL', grants: [{ role: 'ADMIN', scope: 'NATIONAL' }] },
      {
        actor: { userId: 'system', role: 'SYSTEM', scope: 'NATIONAL' },
        correlationId: id,
        causationId: id,
        occurredAt: new Date().toISOString(),
      },
    );
    return { userId: result.userId };
  } finally {
    await store.close();
  }
}
