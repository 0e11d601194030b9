import type { AppConfig } from '@muskel/config';
import { createEventStore, type EventStore } from '@muskel/event-store';
import { protectPersonalData } from '@muskel/personal-data';

/**
 * The store as the service opens it: the configured adapter (KurrentDB with KURRENTDB_URL, else PostgreSQL with
 * DATABASE_URL, else the embedded PGlite), initialised, with personal data encrypted on append and decrypted on
 * read like the service's own. Closing it closes the adapter.
 */
export async function openServiceStore(config: AppConfig): Promise<EventStore> {
  const opened = await createEventStore({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.MUSKEL_DATA_DIR,
    kurrentdbUrl: config.KURRENTDB_URL,
  });
  try {
    await opened.init();
    return await protectPersonalData(opened, { kek: config.PERSONAL_DATA_KEK });
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw error;
  }
}
