import {
  CodecEventStore,
  SqlEventStore,
  createEventStore,
  type EventStore,
  type SqlExecutor,
} from '@muskel/event-store';
import { HouseholdKeys, resolveKek, setupPersonalDataTables } from './household-keys';
import { PersonalDataCodec } from './personal-data-codec';

export interface PersonalDataOptions {
  /** PERSONAL_DATA_KEK from the configuration; unset: generated once and kept in the database. */
  kek?: string;
}

/**
 * Turns on the encryption of personal data for a SQL store: creates the key tables, resolves the key-encryption
 * key and installs the codec. Call after `init()` and before anything appends or reads; idempotent per store.
 */
export async function enablePersonalData(
  store: SqlEventStore,
  options: PersonalDataOptions = {},
): Promise<PersonalDataCodec> {
  await setupPersonalDataTables(store.executor);
  const kek = await resolveKek(store.executor, options.kek);
  const codec = new PersonalDataCodec(new HouseholdKeys(kek));
  store.useCodec(codec);
  return codec;
}

/**
 * Personal data encrypted for whichever store the configuration opened; returns the store to use from then on. SQL
 * stores run the codec themselves (`enablePersonalData`) and are returned as they are. A store whose events live
 * elsewhere (KurrentDB) keeps the keys in its read-model database and is returned wrapped in a `CodecEventStore`.
 */
export async function protectPersonalData(store: EventStore, options: PersonalDataOptions = {}): Promise<EventStore> {
  if (store instanceof SqlEventStore) {
    await enablePersonalData(store, options);
    return store;
  }
  const readModel = readModelDatabaseOf(store);
  await setupPersonalDataTables(readModel);
  const kek = await resolveKek(readModel, options.kek);
  return new CodecEventStore(store, new PersonalDataCodec(new HouseholdKeys(kek)), readModel);
}

/** The SQL database a store keeps its read models in (KurrentDB: the one named by DATABASE_URL). */
export function readModelDatabaseOf(store: EventStore): SqlExecutor {
  if (store instanceof SqlEventStore) return store.executor;
  if (store instanceof CodecEventStore) return readModelDatabaseOf(store.inner);
  const readModel = (store as { readModel?: unknown }).readModel;
  if (readModel instanceof SqlEventStore) return readModel.executor;
  throw new Error(`the ${store.kind} event store has no SQL database for read models; configure DATABASE_URL`);
}

/** The personal-data codec a store runs, if any. */
export function personalDataCodecOf(store: EventStore): PersonalDataCodec | undefined {
  const codec =
    store instanceof SqlEventStore ? store.codecInstalled : store instanceof CodecEventStore ? store.codec : undefined;
  return codec instanceof PersonalDataCodec ? codec : undefined;
}

export interface ProtectedStoreOptions extends PersonalDataOptions {
  /** PostgreSQL server; unset: the embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** KurrentDB server for the events; the read models stay in `databaseUrl`, which it needs. */
  kurrentdbUrl?: string;
  /** Tests: the opened store seen as another adapter would present it, before personal data is protected. */
  view?: (store: EventStore) => EventStore;
}

/**
 * The store as the service and its commands open it: the configured adapter, initialised, personal data encrypted
 * on append and decrypted on read. Closing it closes the adapter; a failure on the way closes it too.
 */
export async function openProtectedStore(options: ProtectedStoreOptions): Promise<EventStore> {
  const opened = await createEventStore({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    kurrentdbUrl: options.kurrentdbUrl,
  });
  try {
    await opened.init();
    return await protectPersonalData(options.view ? options.view(opened) : opened, { kek: options.kek });
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw error;
  }
}
