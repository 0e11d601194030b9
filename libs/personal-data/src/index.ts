export { ERASED, isErased } from './erased';
export { PERSONAL_FIELDS, personalFieldsOf } from './personal-fields';
export {
  PersonalDataIntegrityError,
  decryptField,
  encryptField,
  fieldAad,
  isEnvelope,
  type FieldEnvelope,
} from './field-crypto';
export {
  HouseholdKeys,
  parseKek,
  type KeyLookup,
  type KeyRing,
  resolveKek,
  setupPersonalDataTables,
} from './household-keys';
export { PersonalDataCodec, findEnvelopes, householdIdForAddProposal } from './personal-data-codec';
export {
  enablePersonalData,
  openProtectedStore,
  personalDataCodecOf,
  protectPersonalData,
  readModelDatabaseOf,
  type PersonalDataOptions,
  type ProtectedStoreOptions,
} from './enable-personal-data';
export {
  collectHouseholdValues,
  eventsAboutHousehold,
  householdValuesIn,
  scrubPersonalValues,
  type HouseholdPersonalValues,
  type ScrubTerms,
} from './erasure';
