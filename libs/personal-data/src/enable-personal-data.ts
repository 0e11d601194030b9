import { SqlEventStore, type EventStore } from '@muskel/event-store';
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

/** `enablePersonalData` for whichever store the configuration opened (only SQL stores keep keys and read models). */
export async function protectPersonalData(store: EventStore, options: PersonalDataOptions = {}): Promise<void> {
  if (store instanceof SqlEventStore) await enablePersonalData(store, options);
}
