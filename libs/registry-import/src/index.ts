export {
  DuplicateImportError,
  ImportFormatError,
  baselineMemberId,
  householdIdsForKk,
  type HouseholdIdForKk,
  importBaseline,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
} from './import-baseline';
export { CSV_COLUMNS, parseRelationship, parseSex, type CsvColumn, type ImportRowError } from './csv-row';
export { SYNTHETIC_HEADER, syntheticBaseline, syntheticHousehold, syntheticKk } from './synthetic';
