import type { Provider } from '@nestjs/common';
import { CommandPipeline } from '@muskel/application';
import { type SqlExecutor, withSchemaLock } from '@muskel/event-store';
import { JobFiles, PusdatinResultsService, SiksExportService, setupJobFilesTable } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { PusdatinResultsProcessor } from '../pusdatin-results/pusdatin-results.processor';
import { SiksExportProcessor } from './siks-export.processor';

/** JobFiles for the worker's processors (the table is created by whichever process starts first). */
const WORKER_JOB_FILES = Symbol('WORKER_JOB_FILES');

/** The SIKS-NG export and Pusdatin results processors with their services, for JobsModule (worker role). */
export const SIKS_NG_JOB_PROVIDERS: Provider[] = [
  {
    provide: WORKER_JOB_FILES,
    inject: [SQL_DATABASE],
    useFactory: async (db: SqlExecutor) => {
      await withSchemaLock(db, (q) => setupJobFilesTable(q));
      return new JobFiles(db);
    },
  },
  {
    provide: SiksExportService,
    inject: [CommandPipeline, WORKER_JOB_FILES],
    useFactory: (pipeline: CommandPipeline, files: JobFiles) => new SiksExportService(pipeline, files),
  },
  {
    provide: PusdatinResultsService,
    inject: [CommandPipeline, WORKER_JOB_FILES],
    useFactory: (pipeline: CommandPipeline, files: JobFiles) => new PusdatinResultsService(pipeline, files),
  },
  SiksExportProcessor,
  PusdatinResultsProcessor,
];
