import { ApiProperty } from '@nestjs/swagger';
import { PageQuery, villageCodeRule } from '../workflow.dto';

export class ListRemindersQuery extends PageQuery {
  @ApiProperty({ example: '3515142001', description: 'The village whose reminders to list' })
  @villageCodeRule()
  villageCode!: string;
}
