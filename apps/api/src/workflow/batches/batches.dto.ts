import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BATCH_OUTCOMES } from '@muskel/domain';
import { DATE, DIGEST, DIGEST_MESSAGE, PageQuery, PERIOD, TIMESTAMP, regencyCodeRule } from '../workflow.dto';

export class OpenBatchDto {
  @ApiProperty({ example: '3515' })
  @regencyCodeRule()
  regencyCode!: string;

  @ApiProperty({ example: '2026-11' })
  @Matches(PERIOD, { message: '$property must be a month YYYY-MM' })
  period!: string;

  @ApiProperty({ example: '2026-11-25' })
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  cutoffDate!: string;
}

export class IncludeProposalDto {
  @ApiProperty()
  @IsUUID()
  proposalId!: string;
}

export class CloseBatchDto {
  @ApiPropertyOptional({ description: 'Close before the cut-off date (needs a reason)' })
  @IsOptional()
  @IsBoolean()
  early?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

export class EndorseBatchDto {
  @ApiProperty({ example: 'H. Subandi, S.H.', description: 'The Bupati or Wali Kota who signed' })
  @IsString()
  @Length(1, 120)
  endorsedBy!: string;

  @ApiProperty({ example: '400/123/438.5.2/2026' })
  @IsString()
  @Length(1, 100)
  letterNumber!: string;

  @ApiProperty({ example: '2026-11-27' })
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  signedDate!: string;

  @ApiProperty()
  @Matches(DIGEST, { message: DIGEST_MESSAGE })
  documentDigest!: string;
}

export class SubmitBatchDto {
  @ApiProperty({ example: '2026-11-28T10:00:00+07:00' })
  @Matches(TIMESTAMP, { message: '$property must be an ISO 8601 time with an offset' })
  submittedAt!: string;

  @ApiPropertyOptional({
    description: "The exported file's digest (one of GET /batches/:id/exports); omitted: the latest export's XLSX",
  })
  @IsOptional()
  @Matches(DIGEST, { message: DIGEST_MESSAGE })
  exportDigest?: string;
}

export class BatchResultDto {
  @ApiProperty()
  @IsUUID()
  proposalId!: string;

  @ApiProperty({ enum: BATCH_OUTCOMES })
  @IsIn(BATCH_OUTCOMES)
  outcome!: (typeof BATCH_OUTCOMES)[number];

  @ApiPropertyOptional({ description: 'ACCEPTED: the decree (SK) reference' })
  @ValidateIf((result: BatchResultDto) => result.outcome === 'ACCEPTED')
  @IsString()
  @Length(1, 200)
  decreeRef?: string;

  @ApiPropertyOptional({ description: 'REJECTED: why' })
  @ValidateIf((result: BatchResultDto) => result.outcome === 'REJECTED')
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

export class RecordResultsDto {
  @ApiProperty({ type: [BatchResultDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => BatchResultDto)
  results!: BatchResultDto[];
}

export class ListBatchesQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @regencyCodeRule()
  regencyCode?: string;
}
