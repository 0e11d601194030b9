import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** `sha256:` and 64 lowercase hex digits: how documents (minutes, letters, evidence) are referred to. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;
export const DIGEST_MESSAGE = '$property must be sha256: followed by 64 lowercase hex digits';
/** A village code: 10 digits, dots allowed (`35.15.14.2001`). */
export const VILLAGE_CODE = /^(\d{10}|\d{2}\.\d{2}\.\d{2}\.\d{4})$/;
export const REGENCY_CODE = /^(\d{4}|\d{2}\.\d{2})$/;
export const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
/** ISO 8601 with an offset, as the domain records acts. */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Cursor pagination and read-your-writes, shared by every list. */
export class PageQuery {
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Wait (up to 5 s) until the read model includes this log position' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  minPosition?: string;
}

export class MinPositionQuery {
  @ApiPropertyOptional({ description: 'Wait (up to 5 s) until the read model includes this log position' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  minPosition?: string;
}

export class WorkflowReasonDto {
  @ApiPropertyOptional({ example: 'Data KK belum lengkap' })
  @IsString()
  @Length(1, 1000)
  reason!: string;
}

export const villageCodeRule = () => Matches(VILLAGE_CODE, { message: '$property must be a 10-digit village code' });
export const regencyCodeRule = () => Matches(REGENCY_CODE, { message: '$property must be a 4-digit regency code' });
