import type { AppConfig } from '@muskel/config';
import type { EventStore } from '@muskel/event-store';
import { openProtectedStore } from '@muskel/personal-data';

/** The store as the service opens it (KURRENTDB_URL, DATABASE_URL or the embedded PGlite; personal data protected). */
export function openServiceStore(config: AppConfig): Promise<EventStore> {
  return openProtectedStore({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.MUSKEL_DATA_DIR,
    kurrentdbUrl: config.KURRENTDB_URL,
    kek: config.PERSONAL_DATA_KEK,
  });
}
