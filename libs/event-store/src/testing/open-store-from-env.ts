/**
 * Opens the store a conformance harness described through environment variables (see `ConformanceHarness.childEnv`),
 * for the fixtures that run in a child process.
 *
 * - `MUSKEL_TEST_STORE=pglite` with `MUSKEL_TEST_DATA_DIR`
 * - `MUSKEL_TEST_STORE=postgres` with `MUSKEL_TEST_DATABASE_URL`
 */
import type { EventStore } from '../event-store.port';
import { createPgliteEventStore, createPostgresEventStore } from '../index';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export async function openStoreFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<EventStore> {
  let store: EventStore;
  switch (env.MUSKEL_TEST_STORE) {
    case 'pglite':
      store = await createPgliteEventStore({ dataDir: required(env, 'MUSKEL_TEST_DATA_DIR') });
      break;
    case 'postgres':
      store = await createPostgresEventStore({ connectionString: required(env, 'MUSKEL_TEST_DATABASE_URL') });
      break;
    default:
      throw new Error(`MUSKEL_TEST_STORE must be "pglite" or "postgres", got ${JSON.stringify(env.MUSKEL_TEST_STORE)}`);
  }
  await store.init();
  return store;
}
