/**
 * Batches: the regency's monthly submission to Pusdatin, endorsed by the Bupati/Wali Kota, stream
 * `batch-<regencyCode>-<yyyymm>` (DESIGN.md section 4). `decide`, `evolve` and `initialState` are exported as
 * `batchDecider` and under batch-specific names, so that they do not clash with the other deciders' in `@muskel/domain`.
 */
export * from './batch.commands';
export * from './batch.events';
export {
  awaitingResults,
  batchDecider,
  decide as decideBatch,
  evolve as evolveBatch,
  hasBatchResult,
  initialState as initialBatchState,
  type BatchEndorsement,
  type BatchState,
  type BatchStatus,
  type BatchSubmission,
} from './batch.decider';
export {
  BATCH_FIRST_YEAR,
  BATCH_NAME_MAX_LENGTH,
  BATCH_REASON_MAX_LENGTH,
  CUTOFF_MAX_DAYS_AFTER_PERIOD,
  DECREE_REF_MAX_LENGTH,
  LETTER_NUMBER_MAX_LENGTH,
  MAX_RESULTS_PER_COMMAND,
  parseBatchPeriod,
  parseBatchResults,
  parseRegencyCode,
} from './batch.validation';
