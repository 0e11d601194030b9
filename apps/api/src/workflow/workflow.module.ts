import { Module } from '@nestjs/common';
import { BatchCommandsHandler } from './batches/batch-commands.handler';
import { BatchesController } from './batches/batches.controller';
import { BatchExportsController } from './batches/exports/batch-exports.controller';
import { ExportDigestRule } from './batches/exports/export-digest.rule';
import { JobClientModule } from '../jobs/job-status/job-client.module';
import { IncludeProposalHandler } from './batches/include-proposal/include-proposal.handler';
import { AddAgendaItemHandler } from './meetings/add-agenda-item/add-agenda-item.handler';
import { MeetingCommandsHandler } from './meetings/meeting-commands.handler';
import { MeetingsController } from './meetings/meetings.controller';
import { MinutesController, PublicMinutesController } from './meetings/minutes/minutes.controller';
import { OpenMeetingHandler } from './meetings/open-meeting/open-meeting.handler';
import { ProposalCommandsHandler } from './proposals/proposal-commands.handler';
import { ProposalsController } from './proposals/proposals.controller';
import { SubmitProposalHandler } from './proposals/submit-proposal/submit-proposal.handler';
import { PublicBoardController } from './public-board/public-board.controller';
import { QuorumPoliciesController } from './quorum-policies/quorum-policies.controller';
import { RemindersController } from './reminders/reminders.controller';
import { ReadModelsModule } from './read-models.module';
import {
  BatchRegencyResolver,
  BodyRegencyResolver,
  BodyVillageResolver,
  HouseholdVillageResolver,
  MeetingVillageResolver,
  PathRegionResolver,
  ProposalVillageResolver,
  QueryVillageResolver,
} from './region.resolvers';
import { ImportBaselineController } from './registry/import-baseline/import-baseline.controller';
import { PersonsController } from './registry/persons.controller';
import { RegistryController } from './registry/registry.controller';
import { PersonalDataReads } from './personal-data/personal-data-reads';
import { StreamHistory } from './stream-history';
import { ErasureController } from './erasure/erasure.controller';
import { EraseHouseholdHandler } from './erasure/erase-household.handler';
import { EvidenceFilesModule } from './evidence-files/evidence-files.module';

/** The proposal workflow's HTTP API: proposals, meetings, batches, the registry, person history, the public board. */
@Module({
  imports: [ReadModelsModule, JobClientModule, EvidenceFilesModule],
  controllers: [
    ProposalsController,
    MeetingsController,
    MinutesController,
    PublicMinutesController,
    QuorumPoliciesController,
    BatchesController,
    BatchExportsController,
    RegistryController,
    ImportBaselineController,
    PersonsController,
    PublicBoardController,
    ErasureController,
    RemindersController,
  ],
  providers: [
    SubmitProposalHandler,
    ProposalCommandsHandler,
    MeetingCommandsHandler,
    AddAgendaItemHandler,
    OpenMeetingHandler,
    BatchCommandsHandler,
    IncludeProposalHandler,
    ExportDigestRule,
    StreamHistory,
    EraseHouseholdHandler,
    PersonalDataReads,
    ProposalVillageResolver,
    MeetingVillageResolver,
    HouseholdVillageResolver,
    BatchRegencyResolver,
    BodyVillageResolver,
    BodyRegencyResolver,
    PathRegionResolver,
    QueryVillageResolver,
  ],
})
export class WorkflowModule {}
