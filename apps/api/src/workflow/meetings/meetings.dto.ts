import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ATTENDEE_ROLES, MEETING_DECISIONS, MEETING_KINDS } from '@muskel/domain';
import { DIGEST, DIGEST_MESSAGE, PageQuery, TIMESTAMP, villageCodeRule } from '../workflow.dto';

export class ScheduleMeetingDto {
  @ApiProperty({ example: '3515142001' })
  @villageCodeRule()
  villageCode!: string;

  @ApiProperty({ enum: MEETING_KINDS })
  @IsIn(MEETING_KINDS)
  kind!: (typeof MEETING_KINDS)[number];

  @ApiProperty({ example: '2026-11-25T09:00:00+07:00' })
  @Matches(TIMESTAMP, { message: '$property must be an ISO 8601 time with an offset' })
  scheduledAt!: string;

  @ApiProperty({ example: 'Balai Desa Sukamaju' })
  @IsString()
  @Length(1, 200)
  venue!: string;

  @ApiProperty({ example: 'H. Ahmad Fauzi', description: 'Pimpinan musyawarah' })
  @IsString()
  @Length(1, 120)
  chair!: string;
}

export class AgendaItemDto {
  @ApiProperty()
  @IsUUID()
  proposalId!: string;
}

export class AttendeeDto {
  @ApiProperty({ example: 'Siti Rahayu' })
  @IsString()
  @Length(1, 120)
  name!: string;

  @ApiProperty({ enum: ATTENDEE_ROLES })
  @IsIn(ATTENDEE_ROLES)
  role!: (typeof ATTENDEE_ROLES)[number];
}

export class OpenMeetingDto {
  @ApiProperty({ example: '2026-11-25T09:10:00+07:00' })
  @Matches(TIMESTAMP, { message: '$property must be an ISO 8601 time with an offset' })
  openedAt!: string;

  @ApiProperty({ type: [AttendeeDto], description: 'Daftar hadir' })
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AttendeeDto)
  attendees!: AttendeeDto[];
}

export class VotesDto {
  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(100000)
  for!: number;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(100000)
  against!: number;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(100000)
  abstain!: number;
}

export class RecordDecisionDto {
  @ApiProperty()
  @IsUUID()
  proposalId!: string;

  @ApiProperty({ enum: MEETING_DECISIONS })
  @IsIn(MEETING_DECISIONS)
  decision!: (typeof MEETING_DECISIONS)[number];

  @ApiProperty({ example: 'Memenuhi kriteria' })
  @IsString()
  @Length(1, 1000)
  reason!: string;

  @ApiPropertyOptional({ type: VotesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => VotesDto)
  votes?: VotesDto;
}

export class ConcludeMeetingDto {
  @ApiProperty({ description: 'SHA-256 of the signed berita acara' })
  @Matches(DIGEST, { message: DIGEST_MESSAGE })
  minutesDigest!: string;

  @ApiProperty({ type: [AttendeeDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AttendeeDto)
  signatories!: AttendeeDto[];
}

export class RecordSignedMinutesDto {
  @ApiProperty({ description: 'SHA-256 of the scanned, signed paper berita acara (the file itself is not sent)' })
  @Matches(DIGEST, { message: DIGEST_MESSAGE })
  signedCopyDigest!: string;
}

export class ListMeetingsQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @villageCodeRule()
  villageCode?: string;
}

export class QuorumPolicyDto {
  @ApiProperty({ example: 5 })
  @IsInt()
  @Min(0)
  @Max(500)
  minimumAttendees!: number;

  @ApiProperty({ enum: ATTENDEE_ROLES, isArray: true })
  @IsArray()
  @ArrayMaxSize(ATTENDEE_ROLES.length)
  @IsIn(ATTENDEE_ROLES, { each: true })
  requiredRoles!: (typeof ATTENDEE_ROLES)[number][];

  @ApiProperty()
  @IsBoolean()
  chairMustAttend!: boolean;
}
