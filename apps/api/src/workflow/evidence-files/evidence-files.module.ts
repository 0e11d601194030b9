import { Module } from '@nestjs/common';
import { type SqlExecutor, withSchemaLock } from '@muskel/event-store';
import { SQL_DATABASE } from '@muskel/nest-event-store';
import { PersonalDataReads } from '../personal-data/personal-data-reads';
import { QueryVillageResolver } from '../region.resolvers';
import { EvidenceFileVillageResolver } from './evidence-file.resolver';
import { EvidenceFilesController } from './evidence-files.controller';
import { EvidenceFiles, setupEvidenceFilesTable } from './evidence-files.store';

/** Evidence files of proposals: upload, lookup by digest, download (imported by the workflow module). */
@Module({
  controllers: [EvidenceFilesController],
  providers: [
    {
      provide: EvidenceFiles,
      inject: [SQL_DATABASE],
      useFactory: async (db: SqlExecutor) => {
        await withSchemaLock(db, (q) => setupEvidenceFilesTable(q));
        return new EvidenceFiles(db);
      },
    },
    EvidenceFileVillageResolver,
    QueryVillageResolver,
    PersonalDataReads,
  ],
  exports: [EvidenceFiles],
})
export class EvidenceFilesModule {}
