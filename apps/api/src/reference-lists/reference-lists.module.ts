import { Module } from '@nestjs/common';
import { NationalScopeResolver } from './national-scope.resolver';
import { ReferenceListsController } from './reference-lists.controller';

/** HTTP import of the reference lists (issue 6 items 4 and 5); the matching runs in the worker's jobs. */
@Module({
  controllers: [ReferenceListsController],
  providers: [NationalScopeResolver],
})
export class ReferenceListsModule {}
