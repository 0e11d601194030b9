import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { DATE, MinPositionQuery, villageCodeRule } from '../workflow.dto';

/** Search terms travel in the body: personal data never lands in a URL or an access log. */
export class SearchRegistryDto {
  @ApiPropertyOptional({ example: '3515142001' })
  @IsOptional()
  @villageCodeRule()
  villageCode?: string;

  @ApiPropertyOptional({ description: 'NIK, 16 digits (matched through a keyed blind index)' })
  @IsOptional()
  @Matches(/^\d{16}$/, { message: '$property must be 16 digits' })
  nik?: string;

  @ApiPropertyOptional({ description: 'KK number, 16 digits' })
  @IsOptional()
  @Matches(/^\d{16}$/, { message: '$property must be 16 digits' })
  kkNumber?: string;

  @ApiPropertyOptional({ description: 'A name or part of one (at least 3 characters)' })
  @IsOptional()
  @IsString()
  @Length(3, 120)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Wait (up to 5 s) until the registry includes this log position' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  minPosition?: string;
}

export class AsOfQuery extends MinPositionQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'The registry as it stood at the end of this day' })
  @IsOptional()
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  asOf?: string;
}

export class ChangesQuery extends MinPositionQuery {
  @ApiProperty({ example: '2026-11-01' })
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  from!: string;

  @ApiProperty({ example: '2026-11-30' })
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  to!: string;
}

export class PersonHistoryDto {
  @ApiProperty({ description: 'NIK, 16 digits' })
  @Matches(/^\d{16}$/, { message: '$property must be 16 digits' })
  nik!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  minPosition?: string;
}

export class BoardQuery {
  @ApiProperty({ example: '2026-11' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '$property must be a month YYYY-MM' })
  period!: string;
}

export class ImportBaselineQuery {
  @ApiProperty({ example: '3515142001' })
  @villageCodeRule()
  villageCode!: string;

  @ApiPropertyOptional({ example: 'dtks-sukamaju-2026.csv' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  fileName?: string;
}
