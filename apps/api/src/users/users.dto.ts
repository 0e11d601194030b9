import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ROLES, type Role } from '@muskel/domain';

export class GrantDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiProperty({ description: "NATIONAL or a region code (Kemendagri), e.g. '3515' or '3515142001'" })
  @IsString()
  @Length(2, 16)
  scope!: string;
}

export class RegisterUserDto {
  @ApiProperty({ example: 'sekdes.sukamaju', description: 'Login name: lowercase letters, digits, ".", "_", "-"' })
  @IsString()
  @Length(3, 64)
  username!: string;

  @ApiProperty({ example: 'Sekretaris Desa Sukamaju' })
  @IsString()
  @Length(1, 120)
  displayName!: string;

  @ApiProperty({ description: 'NATIONAL or the region code the user belongs to' })
  @IsString()
  @Length(2, 16)
  homeRegion!: string;

  @ApiProperty({ format: 'password', description: 'First password; the user should change it' })
  @IsString()
  @Length(1, 256)
  password!: string;

  @ApiPropertyOptional({ type: [GrantDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants?: GrantDto[];
}

export class ReasonDto {
  @ApiProperty()
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class ResetPasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 256)
  password!: string;
}

export class CreateApiTokenDto {
  @ApiProperty({ example: 'siks-ng-sync' })
  @IsString()
  @Length(1, 100)
  // Shown in lists and logs and stored as text: control characters (NUL, which PostgreSQL text refuses) are not a name.
  @Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters' })
  name!: string;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ description: 'Only users whose home region is inside this one' })
  @IsOptional()
  @IsString()
  @Length(2, 16)
  region?: string;

  @ApiPropertyOptional({ description: 'Continue after this username (from the previous page)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
