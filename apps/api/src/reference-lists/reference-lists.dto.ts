import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { REFERENCE_SOURCES, type ReferenceSource } from '@muskel/domain';

export class ImportReferenceListQuery {
  @ApiProperty({ enum: REFERENCE_SOURCES, example: 'BKN' })
  @IsIn(REFERENCE_SOURCES)
  source!: ReferenceSource;

  @ApiPropertyOptional({ example: 'bkn-2026-11.csv' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  fileName?: string;
}
