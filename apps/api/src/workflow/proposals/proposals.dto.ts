import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import {
  EVIDENCE_KINDS,
  FIELD_VISIT_OUTCOMES,
  FLAG_CODES,
  FLAG_SEVERITIES,
  PROPOSAL_CHANNELS,
  PROPOSAL_KINDS,
  PROPOSAL_STATUSES,
  RELATIONSHIPS,
  REMOVAL_REASONS,
  SEXES,
} from '@muskel/domain';
import {
  DATE,
  DIGEST,
  DIGEST_MESSAGE,
  PageQuery,
  PERIOD,
  TIMESTAMP,
  villageCodeRule,
  regencyCodeRule,
} from '../workflow.dto';

/** An object whose values are all strings of 1..500 characters, at most 20 entries (a CORRECT's changes). */
function IsChangeMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isChangeMap',
      target: target.constructor,
      propertyName,
      options: { message: '$property must map field names to new values (text, at most 20)', ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length >= 1 &&
            entries.length <= 20 &&
            entries.every(([k, v]) => k.length <= 100 && typeof v === 'string' && v.length >= 1 && v.length <= 500)
          );
        },
      },
    });
}

export class MemberDto {
  @ApiProperty({ example: '3515144508680002', description: 'NIK: 16 digits' })
  @Matches(/^\d{16}$/, { message: '$property must be 16 digits' })
  nik!: string;

  @ApiProperty({ example: 'Siti Aminah' })
  @IsString()
  @Length(1, 120)
  name!: string;

  @ApiProperty({ enum: SEXES })
  @IsIn(SEXES)
  sex!: (typeof SEXES)[number];

  @ApiProperty({ example: '1968-08-05' })
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  birthDate!: string;

  @ApiProperty({ enum: RELATIONSHIPS })
  @IsIn(RELATIONSHIPS)
  relationship!: (typeof RELATIONSHIPS)[number];
}

export class HouseholdDto {
  @ApiProperty({ example: 'Jl. Melati No. 4' })
  @IsString()
  @Length(1, 300)
  address!: string;

  @ApiProperty({ example: '003' })
  @Matches(/^\d{1,3}$/, { message: '$property must be 1 to 3 digits' })
  rt!: string;

  @ApiProperty({ example: '002' })
  @Matches(/^\d{1,3}$/, { message: '$property must be 1 to 3 digits' })
  rw!: string;

  @ApiProperty({ example: '3515140101090001', description: 'Nomor KK: 16 digits' })
  @Matches(/^\d{16}$/, { message: '$property must be 16 digits' })
  kkNumber!: string;

  @ApiProperty({ type: [MemberDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => MemberDto)
  members!: MemberDto[];
}

export class EvidenceDto {
  @ApiProperty({ enum: EVIDENCE_KINDS })
  @IsIn(EVIDENCE_KINDS)
  kind!: (typeof EVIDENCE_KINDS)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DIGEST, { message: DIGEST_MESSAGE })
  digest?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reference?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  date?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  note?: string;
}

export class RemovalDto {
  @ApiProperty({ enum: REMOVAL_REASONS })
  @IsIn(REMOVAL_REASONS)
  reason!: (typeof REMOVAL_REASONS)[number];

  @ApiProperty({ type: [EvidenceDto] })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence!: EvidenceDto[];

  @ApiPropertyOptional({ description: 'Only this registered member leaves (absent: the whole household)' })
  @IsOptional()
  @IsUUID()
  memberId?: string;

  @ApiPropertyOptional({ description: 'When the leaving member is the head: who becomes head' })
  @IsOptional()
  @IsUUID()
  newHeadMemberId?: string;
}

/** What a proposal asks; which fields each kind needs is the domain's rule (422 with the rule's code). */
export class ProposalContentDto {
  @ApiPropertyOptional({ description: 'CORRECT, REMOVE, RELOCATE: the registry household' })
  @IsOptional()
  @IsUUID()
  householdId?: string;

  @ApiPropertyOptional({ type: HouseholdDto, description: 'ADD: the household to enrol' })
  @IsOptional()
  @ValidateNested()
  @Type(() => HouseholdDto)
  household?: HouseholdDto;

  @ApiPropertyOptional({ description: 'CORRECT: field -> corrected value (address, rt, rw, kkNumber)' })
  @IsOptional()
  @IsObject()
  @IsChangeMap()
  changes?: Record<string, string>;

  @ApiPropertyOptional({ type: RemovalDto, description: 'REMOVE: the reason and its evidence' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RemovalDto)
  removal?: RemovalDto;

  @ApiPropertyOptional({ type: MemberDto, description: 'CORRECT: a person who joins the household (birth, marriage)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MemberDto)
  memberToAdd?: MemberDto;

  @ApiPropertyOptional({ description: 'RELOCATE: the village moved to' })
  @IsOptional()
  @villageCodeRule()
  targetVillageCode?: string;

  @ApiPropertyOptional({ description: 'A replacement (penggantian KPM): the other half' })
  @IsOptional()
  @IsUUID()
  linkedProposalId?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(DIGEST, { each: true, message: DIGEST_MESSAGE })
  evidenceDigests?: string[];
}

export class SubmitProposalDto extends ProposalContentDto {
  @ApiProperty({ enum: PROPOSAL_KINDS })
  @IsIn(PROPOSAL_KINDS)
  kind!: (typeof PROPOSAL_KINDS)[number];

  @ApiProperty({ example: '3515142001' })
  @villageCodeRule()
  villageCode!: string;

  @ApiProperty({ enum: PROPOSAL_CHANNELS })
  @IsIn(PROPOSAL_CHANNELS)
  channel!: (typeof PROPOSAL_CHANNELS)[number];
}

export class AmendProposalDto extends ProposalContentDto {}

export class FieldVisitDto {
  @ApiProperty({ example: '2026-11-20T10:00:00+07:00' })
  @Matches(TIMESTAMP, { message: '$property must be an ISO 8601 time with an offset' })
  visitedAt!: string;

  @ApiProperty({ enum: FIELD_VISIT_OUTCOMES })
  @IsIn(FIELD_VISIT_OUTCOMES)
  outcome!: (typeof FIELD_VISIT_OUTCOMES)[number];

  @ApiProperty()
  @IsString()
  @Length(1, 2000)
  notes!: string;
}

export class RaiseFlagDto {
  @ApiProperty({ enum: FLAG_CODES })
  @IsIn(FLAG_CODES)
  code!: (typeof FLAG_CODES)[number];

  @ApiProperty({ enum: FLAG_SEVERITIES })
  @IsIn(FLAG_SEVERITIES)
  severity!: (typeof FLAG_SEVERITIES)[number];

  @ApiProperty({ example: 'BKN' })
  @IsString()
  @Length(1, 50)
  source!: string;

  @ApiProperty({ description: 'A reference to the match or document, never personal data' })
  @IsString()
  @Length(1, 500)
  evidence!: string;
}

export class ResolveFlagDto {
  @ApiProperty()
  @IsString()
  @Length(1, 2000)
  justification!: string;
}

export class ListProposalsQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @villageCodeRule()
  villageCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @regencyCodeRule()
  regencyCode?: string;

  @ApiPropertyOptional({ enum: PROPOSAL_STATUSES })
  @IsOptional()
  @IsIn(PROPOSAL_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: PROPOSAL_KINDS })
  @IsOptional()
  @IsIn(PROPOSAL_KINDS)
  kind?: string;

  @ApiPropertyOptional({ enum: FLAG_CODES })
  @IsOptional()
  @IsIn(FLAG_CODES)
  flag?: string;

  @ApiPropertyOptional({ example: '2026-11', description: 'Month of submission' })
  @IsOptional()
  @Matches(PERIOD, { message: '$property must be a month YYYY-MM' })
  period?: string;
}
