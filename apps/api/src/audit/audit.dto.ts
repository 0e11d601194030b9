import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const MAX_SIZE = 2 ** 53 - 1;

export class InclusionQuery {
  @ApiProperty({ description: 'Leaf index (sequence number)' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SIZE)
  index!: number;

  @ApiProperty({ description: 'Tree size of the checkpoint the proof is for' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SIZE)
  size!: number;
}

export class ConsistencyQuery {
  @ApiProperty({ description: 'The older tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SIZE)
  from!: number;

  @ApiProperty({ description: 'The newer tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SIZE)
  to!: number;
}

export class LeavesQuery {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SIZE)
  from!: number;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  count?: number;
}

export class HistoryQuery {
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
