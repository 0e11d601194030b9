import { Module } from '@nestjs/common';
import { type SqlExecutor, withSchemaLock } from '@muskel/event-store';
import { JobFiles, setupJobFilesTable } from '@muskel/jobs';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { JobClient } from './job-client';

/** The job queues and job files as the HTTP side uses them, in the `api` and `all` roles alike. */
@Module({
  providers: [
    JobClient,
    {
      provide: JobFiles,
      inject: [SQL_DATABASE],
      useFactory: async (db: SqlExecutor) => {
        await withSchemaLock(db, (q) => setupJobFilesTable(q));
        return new JobFiles(db);
      },
    },
  ],
  exports: [JobClient, JobFiles],
})
export class JobClientModule {}
