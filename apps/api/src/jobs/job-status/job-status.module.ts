import { Module } from '@nestjs/common';
import { JobClientModule } from './job-client.module';
import { JobStatusController } from './job-status.controller';

/** GET /jobs/:id, in the roles that serve HTTP. */
@Module({ imports: [JobClientModule], controllers: [JobStatusController] })
export class JobStatusModule {}
