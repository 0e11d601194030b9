import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

/** A data-protection request to erase a household's personal data. */
export class EraseHouseholdDto {
  @ApiProperty({
    description: 'Reference of the legal basis (decision or letter number); never personal data',
    example: 'Surat Dinsos 470/123/2026',
    maxLength: 200,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  legalBasisRef!: string;

  @ApiProperty({ description: 'Date of the request (YYYY-MM-DD)', example: '2026-11-18' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'requestedAt must be a date YYYY-MM-DD' })
  requestedAt!: string;
}
