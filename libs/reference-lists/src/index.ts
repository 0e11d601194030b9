/** Reference lists of other agencies (BKN, Dukcapil, BPJS-TK, AHU): streamed import, keyed-index storage, matching. */
export {
  DuplicateReferenceImportError,
  ReferenceFileFormatError,
  importReferenceList,
  referenceImportId,
  type ReferenceImportOptions,
  type ReferenceImportProgress,
  type ReferenceImportReport,
} from './import-reference-list';
export {
  REFERENCE_COLUMN,
  REFERENCE_COLUMNS,
  parseDukcapilResult,
  parseReferenceRow,
  type ReferenceRow,
  type ReferenceRowError,
} from './reference-row';
export {
  ReferenceMatchingError,
  ReferenceMatchingService,
  crossCheckProposalId,
  findProposalMatches,
  findRegistryMatches,
  type MatchingProgress,
  type MatchingResult,
  type ProposalMatch,
  type RegistryMatch,
} from './reference-matching.service';
export { referenceHits } from './reference-lookups';
export { setupReferenceTables } from './schema';
export { syntheticReferenceList } from './synthetic';
