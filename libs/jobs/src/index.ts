/** Background work on BullMQ: queues and payloads, the outbox dispatcher, the reconciler and the processors' logic. */
export { DEFAULT_JOB_OPTIONS, QUEUES, jobIdFor, type JobPayloads, type QueueName } from './queues';
export { NonRetryableJobError } from './job-errors';
export { BullJobSink, RedisUnavailableError, type JobSink } from './job-sink';
export {
  type Expectation,
  type ExpectationOutcome,
  closeExpectations,
  overdueExpectations,
  setupExpectations,
} from './expectations';
export { JOB_DISPATCHER, JobDispatcher, type JobDispatcherOptions } from './job-dispatcher.projection';
export { reconcile, type ReconcileReport } from './reconciler';
export { IdentityCheckService, setupIdentityCheckTables, type IdentityCheckResult } from './identity-check.service';
export {
  CYCLE_STEPS,
  DEFAULT_CYCLE_CALENDAR,
  cutoffDateOf,
  dueSteps,
  isTimeZone,
  localDate,
  localTimestamp,
  parseMeetingDays,
  previousPeriod,
  reminderStartOf,
  type CycleCalendar,
  type CycleStep,
  type CycleStepKind,
  type RegencyCycleState,
} from './monthly-cycle/cycle-calendar';
export {
  MonthlyCycleService,
  UNDELIBERATED_STATUSES,
  cycleStepJobId,
  type CycleStepJob,
  type CycleStepOutcome,
} from './monthly-cycle/monthly-cycle.service';
export {
  JOB_FILE_KINDS,
  JobFiles,
  setupJobFilesTable,
  sha256Digest,
  type JobFile,
  type JobFileInfo,
  type JobFileKind,
  type NewJobFile,
} from './job-files';
export { batchStreamOf } from './batch-id';
export {
  SIKS_EXPORT_FORMATS,
  SiksExportService,
  siksExportFileId,
  type SiksExportFormat,
  type SiksExportProgress,
  type SiksExportResult,
} from './siks-export/siks-export.service';
export { BNBA_COLUMNS, JENIS_USULAN } from './siks-export/bnba';
export {
  PusdatinResultsService,
  RESULT_COLUMNS,
  RESULTS_CHUNK,
  type PusdatinResultsProgress,
  type PusdatinResultsReport,
  type UnmatchedRow,
} from './pusdatin-results/pusdatin-results.service';
